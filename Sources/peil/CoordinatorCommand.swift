import ArgumentParser
import Coordinator
import Foundation
import Logging
import PeilModel
import ServiceLifecycle
import Store
import Telemetry
import Wire

/// `peil coordinator`: apply migrations, then serve agents until SIGTERM.
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the coordinator: shard measurements across agents over ZeroMQ (CURVE), store results in PostgreSQL."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("bind"), help: "Endpoint to bind (repeatable): tcp://*:7710, ipc:///path/coordinator.sock.")
    var endpoints: [String] = ["tcp://*:7710"]

    @Option(help: "The coordinator's secret key file (from 'peil keys coordinator').")
    var key: String

    @Option(help: "Allow-list of agent public keys: one per line, a name after it.")
    var allow: String

    @Option(help: "Seconds a task may stay leased to an agent.")
    var leaseSeconds: Double = 120

    @Option(help: "Seconds of silence after which an agent is gone and its leases are released.")
    var agentTimeout: Double = 10

    @Option(help: "Attempts before a task ends as not_testable.")
    var maxAttempts: Int = 3

    @Option(help: "At most this many tasks leased at once per target address, across all agents (politeness).")
    var perAddress: Int = 4

    @Option(name: .customLong("tasks-per-claim"),
            help: "At most this many tasks in one claim and one TASKS message: larger claims cost less per task and take longer each (docs/SCALE.md, \"Session 27\").")
    var tasksPerClaim: Int = 32

    @Flag(help: "Resolve only: do not plan connect tasks (reach, nameserver, web) for resolved domains.")
    var resolveOnly = false

    @Option(help: "Addresses to plan connect tasks for: lab (every resolved address; the lab's targets are special-purpose benchmarking addresses) or public (public addresses only: a field measurement; a special-purpose address is left out and named).")
    var targets: ConnectTargetPolicy = .lab

    @Option(help: "Write the bound endpoints to this file once listening (for scripts).")
    var readyFile: String?

    @OptionGroup var metrics: MetricsOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard leaseSeconds > 0, agentTimeout > 0, maxAttempts > 0, perAddress > 0 else {
            throw ValidationError("--lease-seconds, --agent-timeout, --max-attempts and --per-address must be positive")
        }
        guard (1...4096).contains(tasksPerClaim) else { throw ValidationError("--tasks-per-claim must be 1…4096") }
    }

    func run() async throws {
        var logger = Logger(label: "peil.coordinator")
        logger.logLevel = logLevel
        let keyPair = try CurveKeyFile.readPair(URL(fileURLWithPath: key))
        let allowed = try CurveKeyFile.readAllowList(URL(fileURLWithPath: allow))
        let db = try database.open()

        var configuration = CoordinatorConfiguration(endpoints: endpoints, keyPair: keyPair, allowedAgents: allowed)
        configuration.leaseSeconds = leaseSeconds
        configuration.agentTimeout = .milliseconds(Int(agentTimeout * 1000))
        configuration.maxAttempts = maxAttempts
        configuration.tasksPerAddress = perAddress
        configuration.batchSize = tasksPerClaim
        configuration.planConnectTasks = !resolveOnly
        configuration.connectTargets = targets
        configuration.allowListFile = URL(fileURLWithPath: allow)
        let readyFile = self.readyFile
        let registry = MetricsRegistry()
        let counts = metrics.address == nil ? nil : CoordinatorMetrics(factory: registry.factory)
        let server = try await metrics.start(registry) {
            let health = counts?.health ?? (true, .zero)
            return Health(checks: ["database": health.databaseReachable], uptimeSeconds: health.uptime.seconds)
        }
        let service = CoordinatorService(configuration: configuration, database: db, logger: logger, metrics: counts) { bound in
            if let readyFile {
                try? (bound.joined(separator: "\n") + "\n").write(toFile: readyFile, atomically: true, encoding: .utf8)
            }
        }
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do { try await group.run() } catch {
            await server?.stop()
            throw error
        }
        await server?.stop()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension ConnectTargetPolicy: ExpressibleByArgument {}
