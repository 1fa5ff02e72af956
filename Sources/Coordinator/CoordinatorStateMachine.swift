import Foundation
import Logging
import PeilModel
import Wire

/// The coordinator's side of the protocol without I/O: agent sessions, HELLO/WELCOME, credits,
/// dispatch, results and their ACKs, heartbeats, silent agents, lease expiry, BYE.
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
        /// Store the report, then report ``reportStored(_:from:)`` once it is committed.
        case store(TaskReport, agentID: String, routingID: Data)
        /// Put the agent's leased tasks back in the queue.
        case releaseLeases(agentID: String, why: String)
        /// Put tasks whose lease outlived its time back in the queue.
        case expireLeases
        case log(Logger.Level, String)
    }

    let settings: Settings
    private(set) var sessions: [Data: AgentSession] = [:]
    private var lastSweep: ContinuousClock.Instant
    private var lastHeartbeat: ContinuousClock.Instant

    init(settings: Settings, now: ContinuousClock.Instant) {
        self.settings = settings
        lastSweep = now
        lastHeartbeat = now
    }

    // MARK: events

    /// A message from the agent process behind `routingID`, authenticated as public key `key`.
    mutating func received(_ message: WireMessage, from routingID: Data, key: String, now: ContinuousClock.Instant) -> [Action] {
        guard let name = settings.allowedAgents[key] else {
            // ZAP admits only allow-listed keys, so this cannot happen; refuse to store anything if it does.
            return [.log(.error, "message from a key that is not allow-listed; dropped")]
        }
        if case .hello(let hello) = message {
            return self.hello(hello, from: routingID, key: key, name: name)
        }
        guard var session = sessions[routingID] else {
            return [.send(.reject(reason: "unknown session: say HELLO"), to: routingID)]
        }
        session.lastHeard = now
        sessions[routingID] = session
        switch message {
        case .ready(let credits):
            sessions[routingID]?.grant(credits)
            return dispatch(to: routingID)
        case .result(let report):
            return [.store(report, agentID: session.agentID, routingID: routingID)]
        case .heartbeat:
            return []
        case .bye:
            sessions[routingID] = nil
            return [.releaseLeases(agentID: session.agentID, why: "said BYE")]
        case .hello, .welcome, .tasks, .ack, .reject:
            return [.log(.warning, "unexpected message from \(session.agentID)")]
        }
    }

    /// The store recorded the agent of a HELLO: its session starts and it is welcomed.
    mutating func agentRegistered(_ agent: AgentRegistration, now: ContinuousClock.Instant) -> [Action] {
        sessions[agent.routingID] = AgentSession(routingID: agent.routingID, agentID: agent.agentID, publicKey: agent.publicKey,
                                                 families: agent.families, concurrency: max(0, agent.concurrency), lastHeard: now)
        let welcome = WireMessage.Welcome(agentID: agent.agentID, heartbeatSeconds: Self.seconds(settings.heartbeatInterval),
                                          leaseSeconds: settings.leaseSeconds, maxAttempts: settings.maxAttempts)
        return [
            .log(.info, "agent joined: \(agent.agentID), families \(agent.families.map(\.rawValue)), concurrency \(agent.concurrency)"),
            .send(.welcome(welcome), to: agent.routingID),
        ]
    }

    /// The store leased `tasks` for a claim: they go to the session, and use up its credits.
    mutating func tasksClaimed(_ tasks: [TaskAssignment], for claim: ClaimRequest) -> [Action] {
        guard !tasks.isEmpty else { return [] }
        guard var session = sessions[claim.routingID] else {
            return [.releaseLeases(agentID: claim.agentID, why: "left while its tasks were being claimed")]
        }
        session.credits -= min(tasks.count, session.credits)
        sessions[claim.routingID] = session
        return [.send(.tasks(tasks), to: claim.routingID)]
    }

    /// The report is committed: the agent may stop resending it. (A report that could not be
    /// stored gets no event and no ACK; the agent sends it again.)
    func reportStored(_ report: TaskReport, from routingID: Data) -> [Action] {
        [.send(.ack(taskID: report.taskID, attempt: report.attempt), to: routingID)]
    }

    /// A message could not be sent. Tasks that cannot reach their agent mean the agent is gone.
    mutating func sendFailed(_ message: WireMessage, to routingID: Data) -> [Action] {
        guard case .tasks = message, let session = sessions.removeValue(forKey: routingID) else { return [] }
        return [.releaseLeases(agentID: session.agentID, why: "cannot be reached")]
    }

    /// Time passed: heartbeats go out; on each sweep silent agents are dropped, expired leases
    /// return to the queue and every session with credits is offered work.
    mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        if now - lastHeartbeat >= settings.heartbeatInterval {
            lastHeartbeat = now
            actions += sessions.keys.sorted(by: Self.byBytes).map { .send(.heartbeat, to: $0) }
        }
        guard now - lastSweep >= settings.sweepInterval else { return actions }
        lastSweep = now
        for (routingID, session) in sessions.sorted(by: { Self.byBytes($0.key, $1.key) })
        where now - session.lastHeard > settings.agentTimeout {
            sessions[routingID] = nil
            actions.append(.releaseLeases(agentID: session.agentID, why: "missed its heartbeats"))
        }
        actions.append(.expireLeases)
        for routingID in sessions.keys.sorted(by: Self.byBytes) { actions += dispatch(to: routingID) }
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
        // The same key from another process: the old process is gone, its tasks with it.
        for (otherID, other) in sessions.sorted(by: { Self.byBytes($0.key, $1.key) }) where other.publicKey == key && otherID != routingID {
            sessions[otherID] = nil
            actions.append(.releaseLeases(agentID: other.agentID, why: "was replaced by a new process"))
        }
        actions.append(.register(AgentRegistration(routingID: routingID, agentID: name, publicKey: key, families: hello.families,
                                                   concurrency: hello.concurrency, softwareVersion: hello.softwareVersion)))
        return actions
    }

    private func dispatch(to routingID: Data) -> [Action] {
        guard let session = sessions[routingID], session.credits > 0 else { return [] }
        return [.claim(ClaimRequest(routingID: routingID, agentID: session.agentID, families: session.families,
                                    limit: min(session.credits, settings.batchSize)))]
    }

    private static func byBytes(_ a: Data, _ b: Data) -> Bool { a.lexicographicallyPrecedes(b) }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
