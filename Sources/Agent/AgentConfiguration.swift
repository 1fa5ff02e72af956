import Foundation
import PeilModel
import Probes
import Wire

/// Everything an agent needs to join a coordinator.
public struct AgentConfiguration: Sendable {
    /// The coordinator's endpoint, e.g. `tcp://198.18.0.2:7710` or `ipc:///run/peil/coordinator.sock`.
    public var coordinator: String
    /// The coordinator's CURVE public key (Z85).
    public var coordinatorPublicKey: String
    /// This agent's key pair; its public key must be on the coordinator's allow-list.
    public var keyPair: CurveKeyPair
    public var name: String
    /// The address families this agent's vantage point can reach targets over.
    public var families: [AddressFamily]
    /// How many tasks run at once (the credits the agent grants).
    public var concurrency: Int
    public var heartbeatInterval: Duration = .seconds(2)
    /// After this long without a word from the coordinator, say HELLO again (it may have restarted).
    public var coordinatorSilenceLimit: Duration = .seconds(10)
    /// Results not acknowledged after this long are sent again (results are idempotent).
    public var resendInterval: Duration = .seconds(10)
    /// On shutdown, the longest the agent stays: running tasks are cancelled 8 s before it
    /// (reported `timeout` 3 s later if their probe has not returned), then unacknowledged
    /// results are waited for until it ends.
    public var drainLimit: Duration = .seconds(20)
    /// At most this many tasks started per second (politeness towards targets); nil: no cap.
    public var taskRate: Double?

    public init(coordinator: String, coordinatorPublicKey: String, keyPair: CurveKeyPair, name: String, families: [AddressFamily], concurrency: Int) {
        self.coordinator = coordinator
        self.coordinatorPublicKey = coordinatorPublicKey
        self.keyPair = keyPair
        self.name = name
        self.families = families
        self.concurrency = concurrency
    }
}

/// Why an agent stopped without being asked to.
public enum AgentError: Error, CustomStringConvertible, Sendable, Equatable {
    case refused(String)
    case incompatible(String)

    public var description: String {
        switch self {
        case .refused(let why): "the coordinator refused this agent: \(why)"
        case .incompatible(let why): "the coordinator speaks another protocol: \(why)"
        }
    }
}

/// Does one task and reports on it. Implementations own their timeouts: `run` must return,
/// by `deadline` (plus at most one clamped wait), with what it saw by then.
public protocol TaskProber: Sendable {
    /// `finalAttempt`: the coordinator's last attempt for a task (its max attempts, from
    /// WELCOME); a report of that attempt is final, so a prober keeps what it observed then
    /// instead of asking for another attempt. `deadline`: the task's end (below its lease),
    /// sooner when its cancellation is raised (the agent is stopping).
    func run(_ task: TaskAssignment, finalAttempt: Int, deadline: ProbeDeadline) async -> TaskReport
}

extension TaskProber {
    /// The task without a deadline of its own (the probes' own timeouts still bound it).
    public func run(_ task: TaskAssignment, finalAttempt: Int) async -> TaskReport {
        await run(task, finalAttempt: finalAttempt, deadline: .unbounded)
    }
}
