import Foundation
import PeilModel
import Wire

/// How a coordinator listens, whom it admits, and its timing.
public struct CoordinatorConfiguration: Sendable {
    /// Endpoints to bind, e.g. `tcp://*:7710` and `ipc:///run/peil/coordinator.sock`.
    public var endpoints: [String]
    /// The coordinator's CURVE key pair; agents are given its public key.
    public var keyPair: CurveKeyPair
    /// Admitted agent public keys (Z85) with the name results are recorded under.
    public var allowedAgents: [String: String]
    public var heartbeatInterval: Duration = .seconds(2)
    /// An agent silent for this long is gone: its leases are released.
    public var agentTimeout: Duration = .seconds(10)
    /// How long a task may stay with an agent before it returns to the queue.
    public var leaseSeconds: Double = 120
    /// Attempts before a task ends as not_testable.
    public var maxAttempts: Int = 3
    /// At most this many tasks in one claim and one TASKS message (`peil coordinator
    /// --tasks-per-claim`).
    public var batchSize: Int = 32
    /// At most this many leased tasks per target address at once, across all agents.
    public var tasksPerAddress: Int = 4
    /// Whether resolved domains get connect tasks (reach, nameserver, web); off for a DNS-only run.
    public var planConnectTasks: Bool = true
    /// Which resolved addresses get connect tasks: every one (`lab`, the default: every run
    /// here is in the lab) or public addresses only (`public`, a field measurement).
    public var connectTargets: ConnectTargetPolicy = .lab
    /// How often queued work, expired leases and silent agents are looked at.
    public var sweepInterval: Duration = .milliseconds(500)
    /// At most this many agent messages are handled between two looks at the clock (heartbeats,
    /// lease expiry, dispatch), so a flood from one agent cannot starve them.
    public var messagesPerRound: Int = 256
    /// Results received in one poll round are stored together, in one transaction, up to this
    /// many (1: each in its own transaction)…
    public var reportsPerTransaction: Int = 256
    /// …and up to about this many bytes of messages.
    public var bytesPerTransaction: Int = 32 << 20
    /// How often the connected agents' last contact is written to the store and, with metrics
    /// on, the task gauges are refreshed (one grouped query).
    public var refreshInterval: Duration = .seconds(2)
    /// The allow-list file: read again when it changes (looked at every ``refreshInterval``), so
    /// a retired agent's key is refused from then on without a restart. Nil: never re-read.
    public var allowListFile: URL?
    /// How often the schedules are looked at for a measurement that is due.
    public var scheduleInterval: Duration = .seconds(30)

    public init(endpoints: [String], keyPair: CurveKeyPair, allowedAgents: [String: String]) {
        self.endpoints = endpoints
        self.keyPair = keyPair
        self.allowedAgents = allowedAgents
    }
}
