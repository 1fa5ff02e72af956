import Foundation
import PeilModel
import Store

/// What the coordinator knows of one connected agent process. Not persisted: a restarted
/// coordinator asks agents to say HELLO again, and PostgreSQL holds the leases.
struct AgentSession: Equatable {
    let routingID: Data
    let agentID: String
    /// The random id made at HELLO that the session's leases carry in the store
    /// (`lease_session`): another session of the same agent, here or on another coordinator,
    /// never reports on them or releases them.
    let sessionID: String
    let publicKey: String
    let families: [AddressFamily]
    /// The tasks the agent said in HELLO it runs at once: its credits never exceed this.
    let concurrency: Int
    /// Tasks the agent has asked for and not yet been sent.
    var credits: Int = 0
    /// A claim for the session is with the store: no other is asked for until it is answered.
    var claiming = false
    /// The session's last claim found nothing: it waits for the next sweep, unless another
    /// session's claim finds work of its families first.
    var starved = false
    var lastHeard: ContinuousClock.Instant
    /// The tasks this coordinator leased to the session and has no result for yet. Leases from
    /// before (a restarted coordinator) are not here: the store alone judges results on them.
    var leases: [Int64: SessionLease] = [:]
    /// When a heartbeat last went back in answer to the agent's (at most every 25 ms).
    var lastEcho: ContinuousClock.Instant?

    /// Adds the credits of a READY, clamped so that credits and the leases this coordinator
    /// knows the session holds without a RESULT yet never exceed the concurrency together (a
    /// negative or huge count cannot overflow, and a flood of READY cannot hoard tasks). A lease
    /// whose RESULT arrived counts no more, stored or not: the agent frees the slot when it
    /// sends the RESULT and sends its READY right after, often in the same poll round, before
    /// the round's results are stored.
    /// - Returns: how many credits were added.
    @discardableResult
    mutating func grant(_ count: Int) -> Int {
        let open = leases.values.count(where: { !$0.reported })
        let added = min(max(0, count), max(0, concurrency - credits - open))
        credits += added
        return added
    }
}

/// A task the coordinator leased to a session: what a result for it must name and hold.
struct SessionLease: Equatable {
    let attempt: Int
    let kind: TaskKind
    let measurementID: Int64
    let leasedAt: ContinuousClock.Instant
    /// Its RESULT arrived and went to the store (the lease is forgotten once stored).
    var reported = false
}

/// An agent the coordinator is about to admit: what its HELLO said, under its allow-listed name.
struct AgentRegistration: Equatable, Sendable {
    let routingID: Data
    let agentID: String
    let publicKey: String
    let families: [AddressFamily]
    let concurrency: Int
    let softwareVersion: String
    /// The session whose leases the new one takes over: the one the agent process named in its
    /// HELLO (it was welcomed with it before, here or on another coordinator), or the one it
    /// had on this routing id.
    let resumes: String?
}

/// Tasks to lease to one agent session.
struct ClaimRequest: Equatable, Sendable {
    let routingID: Data
    let agentID: String
    let sessionID: String
    let families: [AddressFamily]
    let limit: Int
}

/// The results refused so far, per agent and why, and which refusals were logged already: the
/// first of each kind per agent session is logged, the rest only counted. Its memory is bounded
/// by the allow-list (agents) times the kinds of refusal.
struct RefusalTally: Equatable {
    private(set) var total = 0
    private(set) var byAgent: [String: [ReportRefusal: Int]] = [:]
    private var logged: Set<String> = []

    /// Counts one refusal. - Returns: whether it is the first of its kind in the agent's session (log it).
    mutating func count(_ refusal: ReportRefusal, agentID: String) -> Bool {
        total &+= 1
        byAgent[agentID, default: [:]][refusal, default: 0] &+= 1
        return logged.insert("\(refusal.rawValue) \(agentID)").inserted
    }

    /// A new session of the agent starts: its refusals are logged afresh.
    mutating func sessionStarted(agentID: String) {
        for refusal in ReportRefusal.allCases { logged.remove("\(refusal.rawValue) \(agentID)") }
    }

    /// One line: the total and each agent's counts by kind.
    var summary: String {
        let agents = byAgent.keys.sorted().map { agent in
            let counts = byAgent[agent, default: [:]].sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
            return "\(agent): \(counts.joined(separator: ", "))"
        }
        return "results refused: \(total)" + (agents.isEmpty ? "" : " (\(agents.joined(separator: "; ")))")
    }
}
