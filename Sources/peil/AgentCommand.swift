import Agent
import ArgumentParser
import Foundation
import Logging
import PeilModel
import Probes
import ServiceLifecycle
import Telemetry
import Wire

/// `peil agent`: join a coordinator and probe what it hands out.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run an agent: connect to the coordinator (CURVE), take tasks, probe, stream results back."
    )

    @Option(help: "Coordinator endpoint, e.g. tcp://198.18.0.2:7710 or ipc:///path/coordinator.sock.")
    var coordinator: String

    @Option(help: "The coordinator's public key file (NAME.pub).")
    var coordinatorKey: String

    @Option(help: "This agent's secret key file (NAME.key); its public key must be allow-listed.")
    var key: String

    @Option(help: "Agent name for logs (default: the host name).")
    var name: String = ProcessInfo.processInfo.hostName

    @Option(help: "Vantage families, e.g. ipv4,ipv6 (default: detected from this host's addresses).")
    var families: String?

    @Option(help: "Tasks run at once.")
    var concurrency: Int = 16

    @Option(help: "At most this many tasks started per second (politeness); default: no cap.")
    var rate: Double?

    @OptionGroup var resolver: ResolverOptions

    @OptionGroup var mailAuth: MailAuthOptions

    @Option(help: "The name this agent gives in SMTP EHLO (default: the host name).")
    var ehloName: String?

    @Option(help: "PEM file of the roots TLS certificates are verified against (the lab: its CA file).")
    var trustStore: String = "/etc/ssl/certs/ca-certificates.crt"

    @Flag(help: "Make every TLS handshake of the full scan, also those whose outcome cannot change a verdict (docs/SCALE.md, \"Scan plan\").")
    var everyHandshake = false

    @Flag(help: "Scan every host's TLS server in full, also where an earlier host on the same address and port gave the same version hellos and certificate chain (docs/SCALE.md, \"Shared hosting\"). Implied by --every-handshake.")
    var noSharedServerScans = false

    @OptionGroup var metrics: MetricsOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
    }

    func run() async throws {
        var logger = Logger(label: "peil.agent")
        logger.logLevel = logLevel
        let vantage = try families.map { try FamilyList.parse($0).sorted() } ?? VantageFamilies.detect()
        guard !vantage.isEmpty else {
            throw ValidationError("no IPv4 or IPv6 vantage detected on this host; name them with --families")
        }
        let followUp = MailAuthOptions.followUp(try mailAuth.loadList())
        let resolver = try ValidatingResolver(self.resolver.configuration(families: Set(vantage)))
        let fence: UpstreamPolicy = self.resolver.anyUpstream ? .publicOnly : .labAndLoopback
        defer { resolver.shutdown() }

        var configuration = AgentConfiguration(
            coordinator: coordinator,
            coordinatorPublicKey: try CurveKeyFile.readPublicKey(URL(fileURLWithPath: coordinatorKey)),
            keyPair: try CurveKeyFile.readPair(URL(fileURLWithPath: key)),
            name: name, families: vantage, concurrency: concurrency)
        configuration.taskRate = rate
        guard FileManager.default.isReadableFile(atPath: trustStore) else {
            throw ValidationError("cannot read the trust store \(trustStore) (give the roots to verify against with --trust-store)")
        }
        let connect = ConnectProber(web: .live(scanOptions: TLSScanOptions(cipherOrderPlan: .internetnlCurrent, trustStorePEMFile: trustStore,
                                                                           scanPlan: everyHandshake ? .everything : .internetnl,
                                                                           serverScans: everyHandshake || noSharedServerScans ? nil : TLSServerScanCache()),
                                                          ehloName: ehloName ?? ProcessInfo.processInfo.hostName),
                                    fence: fence)
        let prober = MeasurementProber(resolution: ResolutionProber(resolver: resolver, followUp: followUp, retry: .standard), connect: connect)
        let registry = MetricsRegistry()
        let counts = metrics.address == nil ? nil : AgentMetrics(factory: registry.factory)
        let server = try await metrics.start(registry) {
            let health = counts?.health ?? (false, .zero)
            return Health(checks: ["coordinator": health.connected], uptimeSeconds: health.uptime.seconds)
        }
        let service = AgentService(configuration: configuration, prober: prober, logger: logger, metrics: counts)
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do { try await group.run() } catch {
            await server?.stop()
            throw error
        }
        await server?.stop()
    }
}
