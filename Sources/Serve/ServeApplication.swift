import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import Store

/// `peil serve`: the JSON API and the dashboard's pages over the store, on Hummingbird.
public enum ServeApplication {
    /// The router with every route and the middleware: errors (as JSON on the API, as a page
    /// elsewhere) and security headers outermost, then the API's bearer authentication and the
    /// pages' session (each with the rate limit and the audit).
    public static func router(store: PeilStore, configuration: ServeConfiguration) throws -> Router<APIContext> {
        let runner = StoreRunner(store: store)
        let limiter = RateLimiter(burst: configuration.rateBurst, perSecond: configuration.ratePerSecond)
        let sessions = PageSessions()
        let router = Router(context: APIContext.self)
        router.add(middleware: APIErrorMiddleware())
        router.add(middleware: APIKeyMiddleware(runner: runner, limiter: limiter, openPaths: [APIRoutes.documentPath]))
        router.add(middleware: PageMiddleware(runner: runner, limiter: limiter, sessions: sessions, maxBodyBytes: configuration.maxBodyBytes))
        let api = APIRoutes(runner: runner, document: try OpenAPIDocument.bundled(), configuration: configuration)
        api.register(on: router)
        PageRoutes(api: api, sessions: sessions, secure: configuration.tls != nil).register(on: router)
        return router
    }

    /// The application listening where `configuration` says, over TLS when it names a
    /// certificate and key (run it with `runService()`). `onServerRunning` is given the listening
    /// channel once it is bound (its `localAddress` has the port when the configuration says 0).
    /// - Throws: when the certificate or key cannot be read.
    public static func application(store: PeilStore, configuration: ServeConfiguration,
                                   logger: Logger = Logger(label: "peil.serve"),
                                   onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let router = try router(store: store, configuration: configuration)
        let address = ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "peil")
        guard let tls = configuration.tls else {
            return Application(router: router, server: .http1(), configuration: address, onServerRunning: onServerRunning, logger: logger)
        }
        let certificates = try NIOSSLCertificate.fromPEMFile(tls.certificateFile)
        var settings = TLSConfiguration.makeServerConfiguration(certificateChain: certificates.map { .certificate($0) },
                                                                 privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.keyFile, format: .pem)))
        settings.minimumTLSVersion = .tlsv12
        return Application(router: router, server: try .tls(.http1(), tlsConfiguration: settings), configuration: address,
                           onServerRunning: onServerRunning, logger: logger)
    }
}
