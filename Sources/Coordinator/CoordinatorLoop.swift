import CZeroMQ
import Foundation
import Logging
import PeilModel
import Store
import Wire

/// The coordinator's side of the protocol, on one thread that owns the ROUTER socket and the
/// ZAP authenticator. All state that matters lives in PostgreSQL; sessions are soft state.
final class CoordinatorLoop {
    private let configuration: CoordinatorConfiguration
    private let database: PeilStore
    private let logger: Logger
    private let clock = ContinuousClock()
    private var sessions: [Data: AgentSession] = [:]
    private var lastSweep: ContinuousClock.Instant
    private var lastHeartbeat: ContinuousClock.Instant

    init(configuration: CoordinatorConfiguration, database: PeilStore, logger: Logger) {
        self.configuration = configuration
        self.database = database
        self.logger = logger
        self.lastSweep = clock.now
        self.lastHeartbeat = clock.now
    }

    /// Binds, then serves until `stop`; returns the endpoints bound through `bound`.
    func run(stop: StopSignal, bound: ([String]) -> Void) throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let allowed = configuration.allowedAgents
        let authenticator = try ZAPAuthenticator(context: context) { allowed[$0] != nil }
        defer { authenticator.socket.close() }
        let router = try ZMQSocket(context: context, kind: .router)
        defer { router.close() }
        try router.setOption(ZMQ_CURVE_SERVER, 1)
        try router.setOption(ZMQ_CURVE_SECRETKEY, configuration.keyPair.secretKey)
        try router.setOption(ZMQ_ROUTER_MANDATORY, 1)
        try router.setOption(ZMQ_IPV6, 1)
        var endpoints: [String] = []
        for endpoint in configuration.endpoints {
            try router.bind(endpoint)
            endpoints.append(try router.lastEndpoint())
        }
        logger.info("listening", metadata: ["endpoints": "\(endpoints)", "agents-allowed": "\(allowed.count)"])
        bound(endpoints)

        while !stop.isStopped {
            let ready = try ZMQSocket.poll([router, authenticator.socket], timeout: .milliseconds(50))
            if ready.contains(1) {
                for key in try authenticator.handlePending() {
                    logger.warning("refused an agent whose key is not allow-listed", metadata: ["key": "\(key)"])
                }
            }
            if ready.contains(0) {
                while let (frames, userID) = try router.receive() {
                    handle(frames, userID: userID, router: router)
                }
            }
            sweep(router: router)
        }
        for session in sessions.values {
            send(.reject(reason: "coordinator shutting down"), to: session.routingID, on: router)
        }
        logger.info("stopped")
    }

    // MARK: messages

    private func handle(_ frames: [Data], userID: String?, router: ZMQSocket) {
        guard let routingID = frames.first, let key = userID, let name = configuration.allowedAgents[key] else {
            // ZAP admits only allow-listed keys, so this cannot happen; refuse to store anything if it does.
            logger.error("message without an authenticated key; dropped")
            return
        }
        let message: WireMessage
        do { message = try WireMessage(frames: Array(frames.dropFirst())) } catch {
            logger.warning("malformed message from \(name): \(error)")
            return
        }
        if case .hello(let hello) = message {
            welcome(hello, routingID: routingID, key: key, name: name, router: router)
            return
        }
        guard var session = sessions[routingID] else {
            send(.reject(reason: "unknown session: say HELLO"), to: routingID, on: router)
            return
        }
        session.lastHeard = clock.now
        sessions[routingID] = session
        switch message {
        case .ready(let credits):
            sessions[routingID]?.credits += max(0, credits)
            dispatch(to: routingID, router: router)
        case .result(let report):
            record(report, from: session, router: router)
        case .heartbeat:
            break
        case .bye:
            sessions[routingID] = nil
            release(session, why: "said BYE")
        case .hello, .welcome, .tasks, .ack, .reject:
            logger.warning("unexpected message from \(session.agentID)")
        }
    }

    private func welcome(_ hello: WireMessage.Hello, routingID: Data, key: String, name: String, router: ZMQSocket) {
        guard hello.protocolVersion == WireMessage.protocolVersion else {
            send(.reject(reason: "protocol \(WireMessage.protocolVersion) required, agent speaks \(hello.protocolVersion)"), to: routingID, on: router)
            return
        }
        // The same key from another process: the old process is gone, its tasks with it.
        for (otherID, other) in sessions where other.publicKey == key && otherID != routingID {
            sessions[otherID] = nil
            release(other, why: "was replaced by a new process")
        }
        do {
            try database.registerAgent(id: name, publicKey: key, families: hello.families, concurrency: hello.concurrency, version: hello.softwareVersion)
        } catch {
            logger.error("cannot register agent \(name): \(error)")
            return
        }
        sessions[routingID] = AgentSession(routingID: routingID, agentID: name, publicKey: key, families: hello.families, lastHeard: clock.now)
        logger.info("agent joined", metadata: ["agent": "\(name)", "families": "\(hello.families.map(\.rawValue))", "concurrency": "\(hello.concurrency)"])
        let seconds = { (d: Duration) in Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        send(.welcome(.init(agentID: name, heartbeatSeconds: seconds(configuration.heartbeatInterval), leaseSeconds: configuration.leaseSeconds)), to: routingID, on: router)
    }

    private func record(_ report: TaskReport, from session: AgentSession, router: ZMQSocket) {
        do {
            // A resolved domain's endpoints become connect tasks in the same transaction.
            let plan = configuration.planConnectTasks ? report.resolution.map { ConnectPlanner.plan($0.facts) } ?? [] : []
            let disposition = try database.recordReport(report, agentID: session.agentID, maxAttempts: configuration.maxAttempts, plan: plan)
            logger.debug("result", metadata: ["task": "\(report.taskID)", "attempt": "\(report.attempt)", "disposition": "\(disposition)"])
            // ACK only after the row is committed; a resend is recognised as a duplicate.
            send(.ack(taskID: report.taskID, attempt: report.attempt), to: session.routingID, on: router)
        } catch {
            logger.error("cannot store result of task \(report.taskID): \(error); the agent will resend it")
        }
    }

    // MARK: work distribution

    private func dispatch(to routingID: Data, router: ZMQSocket) {
        guard let session = sessions[routingID], session.credits > 0 else { return }
        let tasks: [TaskAssignment]
        do {
            tasks = try database.claimTasks(agentID: session.agentID, families: session.families,
                                            limit: min(session.credits, configuration.batchSize), leaseSeconds: configuration.leaseSeconds,
                                            perAddress: configuration.tasksPerAddress)
        } catch {
            logger.error("cannot claim tasks: \(error)")
            return
        }
        guard !tasks.isEmpty else { return }
        sessions[routingID]?.credits -= tasks.count
        if !send(.tasks(tasks), to: routingID, on: router) {
            sessions[routingID] = nil
            release(session, why: "cannot be reached")
        }
    }

    private func sweep(router: ZMQSocket) {
        let now = clock.now
        if now - lastHeartbeat >= configuration.heartbeatInterval {
            lastHeartbeat = now
            for routingID in sessions.keys { send(.heartbeat, to: routingID, on: router) }
        }
        guard now - lastSweep >= configuration.sweepInterval else { return }
        lastSweep = now
        for (routingID, session) in sessions where now - session.lastHeard > configuration.agentTimeout {
            sessions[routingID] = nil
            release(session, why: "missed its heartbeats")
        }
        do {
            let expired = try database.expireLeases(maxAttempts: configuration.maxAttempts)
            if expired > 0 { logger.info("\(expired) leases expired; tasks back in the queue") }
        } catch {
            logger.error("cannot expire leases: \(error)")
        }
        for routingID in sessions.keys { dispatch(to: routingID, router: router) }
    }

    private func release(_ session: AgentSession, why: String) {
        do {
            let released = try database.releaseLeases(agentID: session.agentID, maxAttempts: configuration.maxAttempts)
            logger.info("agent left: \(why)", metadata: ["agent": "\(session.agentID)", "tasks-released": "\(released)"])
        } catch {
            logger.error("cannot release leases of \(session.agentID): \(error)")
        }
    }

    @discardableResult
    private func send(_ message: WireMessage, to routingID: Data, on router: ZMQSocket) -> Bool {
        do {
            try router.send([routingID] + (try message.frames()))
            return true
        } catch {
            logger.debug("cannot send to \(String(decoding: routingID, as: UTF8.self)): \(error)")
            return false
        }
    }
}
