import ArgumentParser
import Foundation
import Hummingbird
import Serve

/// `peil serve --bind HOST:PORT [--tls-cert FILE --tls-key FILE]`: the JSON API (docs/API.md) and
/// the dashboard's pages (docs/DASHBOARD.md) over the store.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the JSON API (/api/v1, OpenAPI document at /api/v1/openapi.json) and the dashboard (/) over the store.",
        discussion: """
            Every request but the OpenAPI document needs an API key (peil keys api NAME --role ROLE): \
            Authorization: Bearer <key> on the API, a login with the key on the dashboard's pages. \
            With --tls-cert and --tls-key it speaks HTTPS only. Runs beside the coordinator over the same database; \
            stops on SIGTERM or SIGINT.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var mailAuth: MailAuthOptions

    @Option(help: "Address and port to listen on: HOST:PORT or [IPV6]:PORT.")
    var bind: String = "127.0.0.1:8080"

    @Option(help: "Largest request body in bytes.")
    var maxBody: Int = 4 << 20

    @Option(help: "Requests a key may make at once (its bucket) …")
    var rateBurst: Double = 60

    @Option(help: "… and per second after that.")
    var ratePerSecond: Double = 10

    @Option(name: .customLong("tls-cert"), help: "TLS certificate chain (PEM); with --tls-key the server speaks HTTPS only.")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "TLS private key (PEM) of --tls-cert.")
    var tlsKey: String?

    func validate() throws {
        guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("give both --tls-cert and --tls-key, or neither") }
        guard ServeConfiguration.parseBind(bind) != nil else { throw ValidationError("--bind is HOST:PORT or [IPV6]:PORT, not '\(bind)'") }
        guard maxBody >= 1024 else { throw ValidationError("--max-body is at least 1024 bytes") }
        guard rateBurst >= 1, ratePerSecond > 0 else { throw ValidationError("--rate-burst is at least 1 and --rate-per-second above 0") }
    }

    func run() async throws {
        guard let address = ServeConfiguration.parseBind(bind) else { throw ValidationError("bad --bind") }
        let options = mailAuth
        _ = try options.loadList()
        var configuration = ServeConfiguration(host: address.host, port: address.port, maxBodyBytes: maxBody, rateBurst: rateBurst,
                                               ratePerSecond: ratePerSecond, loadSuffixList: { try options.loadList() })
        if let tlsCertificate, let tlsKey { configuration.tls = (tlsCertificate, tlsKey) }
        try await ServeApplication.application(store: try database.open(), configuration: configuration).runService()
    }
}
