import Foundation
import Logging
import PeilModel
import Store
import Wire

/// The coordinator's side of the protocol without I/O: agent sessions, HELLO/WELCOME, credits,
/// dispatch, results and their ACKs, heartbeats, silent agents, lease expiry, BYE.
///
/// It trusts no agent: a result goes to the store only if it fits ``ReportAdmission``'s limits
/// and, for a lease this coordinator handed out, names that lease's session, attempt and kind
/// (the store checks the lease again, and alone for leases from before a restart). Anything else
/// is refused, answered with an ACK so the agent stops resending it, counted in ``refusals``
/// and logged once per agent session and kind of refusal.
///
/// It takes events (a message received, a tick with the current instant, the outcome of a
/// store call) and returns the actions the loop carries out in order: sending, claiming,
/// storing, releasing leases. It never reads the clock, the socket or the database; an action
/// that needs the database's answer is followed by the event that reports it.
struct CoordinatorStateMachine {
    /// The timing and limits the machine follows.
    struct Settings: Sendable {
        /// Admitted agent public keys (Z85) with the name results are recorded under.
        var allowedAgents: [String: String]
        var heartbeatInterval: Duration = .seconds(2)
        var agentTimeout: Duration = .seconds(10)
        var sweepInterval: Duration = .milliseconds(500)
        var leaseSeconds: Double = 120
        var maxAttempts: Int = 3
        var batchSize: Int = 32
        /// A HELLO this soon after the same key's last one is ignored (each costs a store write).
        var helloInterval: Duration = .seconds(1)
        /// How often the refusal counts are logged, when they changed.
        var statusInterval: Duration = .seconds(60)
        /// The most tasks one agent is counted to run at once, whatever its HELLO says (the
        /// store keeps it as an `integer`; no real vantage runs more).
        var maximumConcurrency: Int = 65_536
        /// How many results on leases this coordinator does not know of (handed out before a
        /// restart, or forged) an agent may have the store judge before it finds a lease: the
        /// budget refills by one a second. An honest agent's resends after a restart find their
        /// lease and cost nothing; forged results beyond the budget are refused without a query.
        var storeLookups = TokenBudget(capacity: 64, refillPerSecond: 1)

        init(allowedAgents: [String: String]) {
            self.allowedAgents = allowedAgents
        }

        init(_ configuration: CoordinatorConfiguration) {
            allowedAgents = configuration.allowedAgents
            heartbeatInterval = configuration.heartbeatInterval
            agentTimeout = configuration.agentTimeout
            sweepInterval = configuration.sweepInterval
            leaseSeconds = configuration.leaseSeconds
            maxAttempts = configuration.maxAttempts
            batchSize = configuration.batchSize
        }
    }

    /// What the loop does for the machine.
    enum Action: Equatable {
        case send(WireMessage, to: Data)
        /// Record the agent in the store, then report ``agentRegistered(_:now:)``.
        case register(AgentRegistration)
        /// Lease tasks to the session, then report ``tasksClaimed(_:for:)``.
        case claim(ClaimRequest)
        /// Store the report, then report ``reportStored(_:disposition:from:)`` once it is
        /// committed, or ``reportNotStorable(_:from:why:)`` if PostgreSQL refuses its values.
        case store(TaskReport, agentID: String, sessionID: String, routingID: Data)
        /// End the task as not testable with `why`, if it is still leased to the session at `attempt`.
        case endTask(taskID: Int64, attempt: Int, agentID: String, sessionID: String, why: String)
        /// Put the tasks leased to the agent's session back in the queue.
        case releaseLeases(agentID: String, sessionID: String, why: String)
        /// Put tasks whose lease outlived its time back in the queue.
        case expireLeases
        case log(Logger.Level, String)
    }

    private(set) var settings: Settings
    private(set) var sessions: [Data: AgentSession] = [:]
    /// Results refused so far (see ``RefusalTally``).
    private(set) var refusals = RefusalTally()
    private var lastSweep: ContinuousClock.Instant
    private var lastHeartbeat: ContinuousClock.Instant
    private var lastStatus: ContinuousClock.Instant
    private var refusalsLogged = 0
    /// The instant of the latest message: when the store's answers to it are judged.
    private var lastNow: ContinuousClock.Instant
    /// Keys taken off the allow-list whose later messages were logged (bounded: the first 1,000).
    private var removedKeysLogged: Set<String> = []
    /// When each key's last HELLO was taken up (bounded by the allow-list).
    private var lastHello: [String: ContinuousClock.Instant] = [:]
    /// Each agent's budget of store lookups that found no lease (bounded by the allow-list; kept
    /// across its sessions, so a new HELLO does not refill it).
    private var storeLookups: [String: TokenBudget] = [:]

    init(settings: Settings, now: ContinuousClock.Instant) {
        self.settings = settings
        lastSweep = now
        lastHeartbeat = now
        lastStatus = now
        lastNow = now
    }

    // MARK: events

    /// A message from the agent process behind `routingID`, authenticated as public key `key`;
    /// `bytes` is its body's size when known (a RESULT within the observation limit is then not
    /// encoded again to measure it).
    mutating func received(_ message: WireMessage, from routingID: Data, key: String, now: ContinuousClock.Instant,
                           bytes: Int? = nil) -> [Action] {
        lastNow = now
        guard let name = settings.allowedAgents[key] else {
            // ZAP admits only allow-listed keys: this is a connection made before the key was
            // taken off the allow-list. Nothing of it is stored; it is told so, and logged once.
            let first = removedKeysLogged.count < 1_000 && removedKeysLogged.insert(key).inserted
            return (first ? [.log(.warning, "message from key \(key), which is not (or no longer) allow-listed; refused")] : [])
                + [.send(.reject(reason: "key not allow-listed"), to: routingID)]
        }
        if case .hello(let hello) = message {
            if let last = lastHello[key], now - last < settings.helloInterval { return [] }
            lastHello[key] = now
            return self.hello(hello, from: routingID, key: key, name: name)
        }
        // A routing id is the client's to choose: the session must be this key's.
        // No copy of the session is held past this statement: while one were, every change to
        // its leases below (a RESULT's) would copy them all.
        guard let (agentID, sessionID) = sessions[routingID].flatMap({ $0.publicKey == key ? ($0.agentID, $0.sessionID) : nil }) else {
            return [.send(.reject(reason: "unknown session: say HELLO"), to: routingID)]
        }
        sessions[routingID]?.lastHeard = now
        switch message {
        case .ready(let credits):
            // Only new credits ask the store for work: a flood of READY costs no queries.
            guard sessions[routingID]?.grant(credits) ?? 0 > 0 else { return [] }
            return dispatch(to: routingID)
        case .result(let report):
            return result(report, from: routingID, bytes: bytes)
        case .results(let reports):
            // Each as its own RESULT, in order (the loop hands them over one by one, with each
            // report's own size).
            return reports.flatMap { result($0, from: routingID, bytes: nil) }
        case .heartbeat:
            // Answered, so an agent holding results learns at once that the link is up (see
            // the agent's `taskFinished`); at most every 25 ms, so a flood of them costs little.
            guard sessions[routingID]?.lastEcho.map({ now - $0 >= .milliseconds(25) }) ?? true else { return [] }
            sessions[routingID]?.lastEcho = now
            return [.send(.heartbeat, to: routingID)]
        case .bye:
            sessions[routingID] = nil
            return [.releaseLeases(agentID: agentID, sessionID: sessionID, why: "said BYE")]
        case .hello, .welcome, .tasks, .ack, .acks, .reject:
            return refuse(.malformed, agentID: agentID, detail: "a message only the coordinator sends")
        }
    }

    /// A message from `routingID` (authenticated as `key`) did not decode: refused and counted.
    mutating func malformed(from routingID: Data, key: String, why: @autoclosure () -> String) -> [Action] {
        let agentID = settings.allowedAgents[key] ?? "unknown key"
        return refuse(.malformed, agentID: agentID, detail: why())
    }

    /// The store recorded the agent of a HELLO (and moved the leases of the session it resumes
    /// to `sessionID`, a random id the loop made): its session starts and it is welcomed.
    mutating func agentRegistered(_ agent: AgentRegistration, sessionID: String, now: ContinuousClock.Instant) -> [Action] {
        refusals.sessionStarted(agentID: agent.agentID)
        sessions[agent.routingID] = AgentSession(routingID: agent.routingID, agentID: agent.agentID, sessionID: sessionID, publicKey: agent.publicKey,
                                                 families: agent.families, concurrency: max(0, agent.concurrency), lastHeard: now)
        let welcome = WireMessage.Welcome(agentID: agent.agentID, heartbeatSeconds: Self.seconds(settings.heartbeatInterval),
                                          leaseSeconds: settings.leaseSeconds, maxAttempts: settings.maxAttempts, session: sessionID)
        return [
            .log(.info, "agent joined: \(agent.agentID), families \(agent.families.map(\.rawValue)), concurrency \(agent.concurrency)"),
            .send(.welcome(welcome), to: agent.routingID),
        ]
    }

    /// The store leased `tasks` for a claim: they go to the session, and use up its credits.
    /// `tasks` may be empty (none queued, or the claim failed): the session may claim again.
    /// Tasks found mean work is queued: every other session whose last claim found nothing and
    /// that can take tasks of those families is offered it at once, not at the next sweep (so an
    /// agent whose claim came back empty just before a measurement started is not left idle
    /// while another takes it all).
    mutating func tasksClaimed(_ tasks: [TaskAssignment], for claim: ClaimRequest, now: ContinuousClock.Instant) -> [Action] {
        let current = sessions[claim.routingID].map { $0.sessionID == claim.sessionID } ?? false
        if current {
            sessions[claim.routingID]?.claiming = false
            sessions[claim.routingID]?.starved = tasks.isEmpty
        }
        guard !tasks.isEmpty else { return [] }
        guard current, let credits = sessions[claim.routingID]?.credits else {
            return [.releaseLeases(agentID: claim.agentID, sessionID: claim.sessionID, why: "left while its tasks were being claimed")]
        }
        // Changed in place: a copy of the session would copy its leases too.
        sessions[claim.routingID]?.credits = credits - min(tasks.count, credits)
        for task in tasks {
            sessions[claim.routingID]?.leases[task.taskID] = SessionLease(attempt: task.attempt, kind: task.kind, measurementID: task.measurementID, leasedAt: now)
        }
        var actions: [Action] = [.send(.tasks(tasks), to: claim.routingID)]
        let families = Set(tasks.map(\.family))
        for routingID in sessions.keys.sorted(by: Self.byBytes) where routingID != claim.routingID {
            guard sessions[routingID]?.starved == true, let sessionFamilies = sessions[routingID]?.families,
                  families.contains(where: { $0.map(sessionFamilies.contains) ?? true }) else { continue }
            actions += dispatch(to: routingID)
        }
        return actions
    }

    /// The store is done with the report (stored, a duplicate, or refused): the agent may stop
    /// resending it. A refusal is counted and logged once.
    mutating func reportStored(_ report: TaskReport, disposition: ReportDisposition, from routingID: Data) -> [Action] {
        let agentID = sessions[routingID]?.agentID
        if let agentID, sessions[routingID]?.leases[report.taskID] == nil, disposition != .stored {
            // The store was asked about a lease this coordinator does not know, and found none to take it.
            let fresh = settings.storeLookups
            storeLookups[agentID, default: fresh].spend(now: lastNow)
        }
        sessions[routingID]?.leases[report.taskID] = nil
        var actions: [Action] = []
        if let refusal = disposition.refusal {
            actions += refuse(refusal, agentID: agentID ?? "a gone session", detail: "store: task \(report.taskID) attempt \(report.attempt)")
        }
        return actions + [.send(.ack(taskID: report.taskID, attempt: report.attempt), to: routingID)]
    }

    /// The reports went to the store and were not stored (the transaction failed, or the loop
    /// had no room for them): the agent's next resend of each goes to the store again.
    mutating func reportsNotStored(_ reports: [TaskReport], from routingID: Data) {
        for report in reports where sessions[routingID]?.leases[report.taskID]?.attempt == report.attempt {
            sessions[routingID]?.leases[report.taskID]?.reported = false
        }
    }

    /// PostgreSQL refused the report's values (`why`): the same report would fail forever, so
    /// the agent is told to stop resending it and the task ends with the reason.
    mutating func reportNotStorable(_ report: TaskReport, from routingID: Data, why: String) -> [Action] {
        guard let session = sessions[routingID] else { return [] }
        sessions[routingID]?.leases[report.taskID] = nil
        return refuse(.notStorable, agentID: session.agentID, detail: "task \(report.taskID): \(why)") + [
            .endTask(taskID: report.taskID, attempt: report.attempt, agentID: session.agentID, sessionID: session.sessionID,
                     why: "result could not be stored: \(why)"),
            .send(.ack(taskID: report.taskID, attempt: report.attempt), to: routingID),
        ]
    }

    /// A message could not be sent. Tasks that cannot reach their agent mean the agent is gone.
    mutating func sendFailed(_ message: WireMessage, to routingID: Data) -> [Action] {
        guard case .tasks = message, let session = sessions.removeValue(forKey: routingID) else { return [] }
        return [.releaseLeases(agentID: session.agentID, sessionID: session.sessionID, why: "cannot be reached")]
    }

    /// Time passed: heartbeats go out; on each sweep silent agents are dropped, expired leases
    /// return to the queue and every session with credits is offered work.
    mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        if now - lastHeartbeat >= settings.heartbeatInterval {
            lastHeartbeat = now
            actions += sessions.keys.sorted(by: Self.byBytes).map { .send(.heartbeat, to: $0) }
        }
        if now - lastStatus >= settings.statusInterval {
            lastStatus = now
            if refusals.total != refusalsLogged {
                refusalsLogged = refusals.total
                actions.append(.log(.warning, refusals.summary))
            }
        }
        guard now - lastSweep >= settings.sweepInterval else { return actions }
        lastSweep = now
        for (routingID, session) in sessions.sorted(by: { Self.byBytes($0.key, $1.key) }) {
            if now - session.lastHeard > settings.agentTimeout {
                sessions[routingID] = nil
                actions.append(.releaseLeases(agentID: session.agentID, sessionID: session.sessionID, why: "missed its heartbeats"))
                continue
            }
            // A lease long past its time has expired in the store: forget it (the store judges
            // a late result), so a session's table cannot grow without bound.
            let forgetAfter = Duration.seconds(settings.leaseSeconds) * 2 + settings.agentTimeout
            sessions[routingID]?.leases = session.leases.filter { now - $0.value.leasedAt <= forgetAfter }
        }
        actions.append(.expireLeases)
        for routingID in sessions.keys.sorted(by: Self.byBytes) { actions += dispatch(to: routingID) }
        return actions
    }

    /// The allow-list was read again: keys no longer on it lose their sessions (their leases
    /// go back to the queue) and every later message of theirs is refused; new keys may join.
    mutating func allowListChanged(_ allowed: [String: String]) -> [Action] {
        settings.allowedAgents = allowed
        var actions: [Action] = []
        for (routingID, session) in sessions.sorted(by: { Self.byBytes($0.key, $1.key) }) where allowed[session.publicKey] == nil {
            sessions[routingID] = nil
            removedKeysLogged.insert(session.publicKey)
            actions += [
                .releaseLeases(agentID: session.agentID, sessionID: session.sessionID, why: "its key was taken off the allow-list"),
                .send(.reject(reason: "key not allow-listed"), to: routingID),
            ]
        }
        lastHello = lastHello.filter { allowed[$0.key] != nil }
        return actions
    }

    /// The coordinator stops: every agent is told to say HELLO again (to the next coordinator).
    mutating func shutdown() -> [Action] {
        defer { sessions = [:] }
        return sessions.keys.sorted(by: Self.byBytes).map { .send(.reject(reason: "coordinator shutting down"), to: $0) }
    }

    // MARK: steps

    private mutating func hello(_ hello: WireMessage.Hello, from routingID: Data, key: String, name: String) -> [Action] {
        guard hello.protocolVersion == WireMessage.protocolVersion else {
            let reason = "protocol \(WireMessage.protocolVersion) required, agent speaks \(hello.protocolVersion)"
            return [.send(.reject(reason: reason), to: routingID)]
        }
        var actions: [Action] = []
        // The new session takes over the session the process names (it was welcomed with it,
        // here or elsewhere), or else the one it has on this routing id (a reconnect).
        let resumes = hello.resumes ?? sessions[routingID].flatMap { $0.publicKey == key ? $0.sessionID : nil }
        // The same key from another process (the old process is gone, its tasks with it), or
        // another key taking over this routing id: the session it replaces ends.
        for (otherID, other) in sessions.sorted(by: { Self.byBytes($0.key, $1.key) }) where other.publicKey == key || otherID == routingID {
            guard other.publicKey != key || other.sessionID != resumes else {
                if otherID != routingID { sessions[otherID] = nil }  // its leases pass to the new session
                continue
            }
            sessions[otherID] = nil
            let why = other.publicKey != key ? "lost its routing id to another agent"
                : otherID == routingID ? "was replaced by another session of its process" : "was replaced by a new process"
            actions.append(.releaseLeases(agentID: other.agentID, sessionID: other.sessionID, why: why))
        }
        let concurrency = min(max(0, hello.concurrency), settings.maximumConcurrency)
        actions.append(.register(AgentRegistration(routingID: routingID, agentID: name, publicKey: key, families: Array(Set(hello.families)).sorted(),
                                                   concurrency: concurrency, softwareVersion: String(hello.softwareVersion.prefix(200)),
                                                   resumes: resumes)))
        return actions
    }

    /// Checks a result against the limits and the leases this coordinator knows; passes it to
    /// the store, or refuses it.
    private mutating func result(_ report: TaskReport, from routingID: Data, bytes: Int?) -> [Action] {
        // The session's names and this task's lease, not the session: a copy of it held while
        // the lease is marked below would copy all its leases, for every result.
        guard let (agentID, sessionID, known) = sessions[routingID].map({ ($0.agentID, $0.sessionID, $0.leases[report.taskID]) }) else {
            return []
        }
        let ack = Action.send(.ack(taskID: report.taskID, attempt: report.attempt), to: routingID)
        func detail() -> String { "task \(report.taskID) attempt \(report.attempt)" }
        if let refusal = ReportAdmission.shapeRefusal(report, messageBytes: bytes) {
            var actions = refuse(refusal, agentID: agentID, detail: detail())
            if refusal == .tooLarge, known?.attempt == report.attempt {
                sessions[routingID]?.leases[report.taskID] = nil
                actions.append(.endTask(taskID: report.taskID, attempt: report.attempt, agentID: agentID, sessionID: sessionID,
                                        why: "result refused: larger than \(ReportAdmission.maximumObservationBytes) bytes of observation or \(ReportAdmission.maximumDetailBytes) of detail"))
            }
            return actions + [ack]
        }
        if let lease = known {
            // A resend of a result the store has not answered yet: its ACK follows that commit.
            if lease.attempt == report.attempt, lease.reported { return [] }
            guard lease.attempt == report.attempt else {
                return refuse(.wrongAttempt, agentID: agentID, detail: "\(detail()), leased at attempt \(lease.attempt)") + [ack]
            }
            if let refusal = ReportAdmission.kindRefusal(report, kind: lease.kind) {
                sessions[routingID]?.leases[report.taskID] = nil
                return refuse(refusal, agentID: agentID, detail: "\(detail()), a \(lease.kind.rawValue) task") + [
                    .endTask(taskID: report.taskID, attempt: report.attempt, agentID: agentID, sessionID: sessionID,
                             why: "result refused: not the observation of a \(lease.kind.rawValue) task"),
                    ack,
                ]
            }
        } else if sessions.contains(where: { $0.key != routingID && $0.value.leases[report.taskID] != nil }) {
            return refuse(.otherAgentsLease, agentID: agentID, detail: detail()) + [ack]
        } else if case let fresh = settings.storeLookups, !storeLookups[agentID, default: fresh].available(now: lastNow) {
            return refuse(.notLeased, agentID: agentID,
                          detail: "\(detail()): no lease this coordinator knows of, and the agent's store lookups are spent") + [ack]
        }
        if known?.attempt == report.attempt { sessions[routingID]?.leases[report.taskID]?.reported = true }
        return [.store(report, agentID: agentID, sessionID: sessionID, routingID: routingID)]
    }

    /// Counts a refusal; the first of its kind in the agent's session is logged.
    /// The detail is only made for the one refusal that is logged (a flood makes many).
    private mutating func refuse(_ refusal: ReportRefusal, agentID: String, detail: @autoclosure () -> String) -> [Action] {
        guard refusals.count(refusal, agentID: agentID) else { return [] }
        return [.log(.warning, "refused a message from \(agentID) (\(refusal.rawValue)): \(detail().prefix(300)); further ones of this kind are only counted")]
    }

    /// A claim for the session's credits, unless one is with the store already.
    private mutating func dispatch(to routingID: Data) -> [Action] {
        guard let session = sessions[routingID], session.credits > 0, !session.claiming else { return [] }
        sessions[routingID]?.claiming = true
        return [.claim(ClaimRequest(routingID: routingID, agentID: session.agentID, sessionID: session.sessionID, families: session.families,
                                    limit: min(session.credits, settings.batchSize)))]
    }

    private static func byBytes(_ a: Data, _ b: Data) -> Bool { a.lexicographicallyPrecedes(b) }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
