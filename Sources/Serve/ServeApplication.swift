import Hummingbird
import Logging
import Store

/// `peil serve`: the JSON API over the store, on Hummingbird.
public enum ServeApplication {
    /// The router with every route and the middleware: errors as JSON and security headers
    /// outermost, then bearer authentication, the rate limit and the audit.
    public static func router(store: PeilStore, configuration: ServeConfiguration) throws -> Router<APIContext> {
        let runner = StoreRunner(store: store)
        let router = Router(context: APIContext.self)
        router.add(middleware: APIErrorMiddleware())
        router.add(middleware: APIKeyMiddleware(runner: runner, limiter: RateLimiter(burst: configuration.rateBurst, perSecond: configuration.ratePerSecond),
                                                openPaths: [APIRoutes.documentPath]))
        APIRoutes(runner: runner, document: try OpenAPIDocument.bundled(), configuration: configuration).register(on: router)
        return router
    }

    /// The application listening where `configuration` says (run it with `runService()`).
    public static func application(store: PeilStore, configuration: ServeConfiguration,
                                   logger: Logger = Logger(label: "peil.serve")) throws -> some ApplicationProtocol {
        Application(router: try router(store: store, configuration: configuration),
                    configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "peil"),
                    logger: logger)
    }
}
