import Foundation
import Logging
import PeilModel
import Store
import Wire

/// The coordinator's I/O, on one thread that owns the ROUTER socket and the ZAP authenticator:
/// it polls the socket, feeds what arrives to a ``CoordinatorStateMachine`` and carries out
/// the machine's actions (sending, SQL). All state that matters lives in PostgreSQL; sessions
/// are soft state.
final class CoordinatorLoop {
    private let configuration: CoordinatorConfiguration
    private let database: PeilStore
    private let logger: Logger
    private let metrics: CoordinatorMetrics?
    private let clock = ContinuousClock()
    private var machine: CoordinatorStateMachine
    private var lastRefresh: ContinuousClock.Instant?
    private var lastScheduleCheck: ContinuousClock.Instant?
    /// The keys ZAP admits; replaced when the allow-list file changes.
    private let allowList: AllowedKeys
    /// The allow-list file's text as last read.
    private var allowListText: String?
    /// Results the machine passed to the store and not yet written: written together, in one
    /// transaction, at the end of the poll round or before any other database work.
    private var pendingReports: [PendingReport] = []
    private var pendingBytes = 0
    /// The size of the message being handled (a RESULT's, when the machine asks to store it).
    private var lastMessageBytes = 0
    /// Lease expiry, done only while this coordinator is the database's one sweeper.
    private lazy var sweeper = LeaseSweeper(store: database, logger: logger)

    init(configuration: CoordinatorConfiguration, database: PeilStore, logger: Logger, metrics: CoordinatorMetrics? = nil) {
        self.configuration = configuration
        self.database = database
        self.logger = logger
        self.metrics = metrics
        self.machine = CoordinatorStateMachine(settings: .init(configuration), now: clock.now)
        self.allowList = AllowedKeys(Set(configuration.allowedAgents.keys))
        self.allowListText = configuration.allowListFile.flatMap { try? String(contentsOf: $0, encoding: .utf8) }
    }

    /// Binds, then serves until `stop`; returns the endpoints bound through `bound`.
    func run(stop: StopSignal, bound: ([String]) -> Void) throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let allowed = allowList
        let authenticator = try ZAPAuthenticator(context: context) { allowed.contains($0) }
        var refusalLog = RateLimitedLog(linesPerWindow: 10, window: .seconds(60))
        defer { authenticator.socket.close() }
        let router = try ZMQSocket.curveServerRouter(context: context, options: CurveServerOptions(secretKey: configuration.keyPair.secretKey))
        defer { router.close() }
        var endpoints: [String] = []
        for endpoint in configuration.endpoints {
            try router.bind(endpoint)
            endpoints.append(try router.lastEndpoint())
        }
        logger.info("listening", metadata: ["endpoints": "\(endpoints)", "agents-allowed": "\(configuration.allowedAgents.count)"])
        bound(endpoints)

        while !stop.isStopped {
            let ready = try ZMQSocket.poll([router, authenticator.socket], timeout: .milliseconds(50))
            if ready.contains(1) {
                for key in try authenticator.handlePending(limit: configuration.messagesPerRound) {
                    switch refusalLog.admit(now: clock.now) {
                    case .log(let suppressed):
                        logger.warning("refused an agent whose key is not allow-listed", metadata: [
                            "key": "\(key)", "refusals": "\(authenticator.refusals.total)", "not-logged-since": "\(suppressed)"])
                    case .suppress: break
                    }
                }
                metrics?.keysRefused(total: authenticator.refusals.total)
            }
            if ready.contains(0) {
                try PollRound.drain(limit: configuration.messagesPerRound, next: { try router.receive() }) { frames, userID in
                    receive(frames, userID: userID, router: router)
                }
                storePending(router: router)
            }
            perform(machine.tick(now: clock.now), router: router)
            if lastRefresh.map({ clock.now - $0 >= configuration.refreshInterval }) ?? true {
                refresh()
                rereadAllowList(router: router)
            }
            if lastScheduleCheck.map({ clock.now - $0 >= configuration.scheduleInterval }) ?? true { runDueSchedules() }
        }
        storePending(router: router)
        perform(machine.shutdown(), router: router)
        logger.info("stopped")
    }

    private func receive(_ frames: [Data], userID: String?, router: ZMQSocket) {
        guard let routingID = frames.first, let key = userID else {
            // ZAP admits only authenticated keys, so this cannot happen; refuse to store anything if it does.
            logger.error("message without an authenticated key; dropped")
            return
        }
        let message: WireMessage
        do { message = try WireMessage(frames: Array(frames.dropFirst())) } catch {
            perform(machine.malformed(from: routingID, key: key, why: "\(error)"), router: router)
            return
        }
        lastMessageBytes = frames.last?.count ?? 0
        perform(machine.received(message, from: routingID, key: key, now: clock.now, bytes: frames.last?.count), router: router)
    }

    /// Carries out the machine's actions in order, feeding back the outcome of each that needs one.
    private func perform(_ actions: [CoordinatorStateMachine.Action], router: ZMQSocket) {
        for action in actions {
            switch action {
            case .send, .log, .store: break
            // Results received earlier are stored before anything else the machine asked after them.
            case .register, .claim, .endTask, .releaseLeases, .expireLeases: storePending(router: router)
            }
            switch action {
            case .send(let message, let routingID):
                if !send(message, to: routingID, on: router) {
                    perform(machine.sendFailed(message, to: routingID), router: router)
                }
            case .register(let agent):
                do {
                    let sessionID = UUID().uuidString
                    try database.registerAgent(id: agent.agentID, publicKey: agent.publicKey, families: agent.families,
                                               concurrency: agent.concurrency, version: agent.softwareVersion)
                    if let previous = agent.resumes { try database.resumeLeases(agentID: agent.agentID, previous: previous, session: sessionID) }
                    perform(machine.agentRegistered(agent, sessionID: sessionID, now: clock.now), router: router)
                } catch {
                    logger.error("cannot register agent: \(error)", metadata: ["agent": "\(agent.agentID)"])
                }
            case .claim(let claim):
                do {
                    let started = clock.now
                    let tasks = try database.claimTasks(agentID: claim.agentID, session: claim.sessionID, families: claim.families, limit: claim.limit,
                                                        leaseSeconds: configuration.leaseSeconds, perAddress: configuration.tasksPerAddress)
                    metrics?.claimed(in: clock.now - started)
                    for task in tasks {
                        logger.trace("leased", metadata: ["measurement": "\(task.measurementID)", "task": "\(task.taskID)",
                                                          "attempt": "\(task.attempt)", "kind": "\(task.kind.rawValue)", "agent": "\(claim.agentID)"])
                    }
                    perform(machine.tasksClaimed(tasks, for: claim, now: clock.now), router: router)
                } catch {
                    logger.error("cannot claim tasks: \(error)", metadata: ["agent": "\(claim.agentID)"])
                }
            case .store(let report, let agentID, let sessionID, let routingID):
                enqueue(report, agentID: agentID, sessionID: sessionID, routingID: routingID, router: router)
            case .endTask(let taskID, let attempt, let agentID, let sessionID, let why):
                do {
                    try database.endLeasedTask(taskID: taskID, attempt: attempt, agentID: agentID, session: sessionID, why: why)
                } catch {
                    logger.error("cannot end task: \(error)", metadata: ["task": "\(taskID)", "attempt": "\(attempt)", "agent": "\(agentID)"])
                }
            case .releaseLeases(let agentID, let sessionID, let why):
                do {
                    let released = try database.releaseLeases(session: sessionID)
                    logger.info("agent left: \(why)", metadata: ["agent": "\(agentID)", "tasks-released": "\(released)"])
                } catch {
                    logger.error("cannot release leases: \(error)", metadata: ["agent": "\(agentID)"])
                }
            case .expireLeases:
                sweeper.sweep(maxAttempts: configuration.maxAttempts)
            case .log(let level, let text):
                logger.log(level: level, "\(text)")
            }
        }
    }

    /// Queues a result for the next batch; a full batch is stored at once.
    private func enqueue(_ report: TaskReport, agentID: String, sessionID: String, routingID: Data, router: ZMQSocket) {
        let lease = machine.sessions[routingID]?.leases[report.taskID]
        var metadata: Logger.Metadata = ["task": "\(report.taskID)", "attempt": "\(report.attempt)", "agent": "\(agentID)"]
        if let lease { metadata["measurement"] = "\(lease.measurementID)"; metadata["kind"] = "\(lease.kind.rawValue)" }
        // A resolved domain's endpoints become connect tasks in the same transaction.
        let planned = configuration.planConnectTasks ? report.resolution.map { ConnectPlanner.planned($0.facts, targets: configuration.connectTargets) } : nil
        if let planned, !planned.capped.isEmpty {
            logger.notice("connect plan of \(report.resolution?.facts.domain ?? "?") cut: \(planned.capped.joined(separator: "; "))", metadata: metadata)
        }
        pendingReports.append(PendingReport(record: ReportToRecord(report: report, agentID: agentID, session: sessionID, plan: planned?.tasks ?? []),
                                            routingID: routingID, kind: lease?.kind, metadata: metadata))
        pendingBytes += lastMessageBytes
        if pendingReports.count >= configuration.reportsPerTransaction || pendingBytes >= configuration.bytesPerTransaction {
            storePending(router: router)
        }
    }

    /// Stores the queued results in one transaction; once it is committed, each is answered
    /// (ACK, or the refusal) in the order received. When the store fails, none is answered:
    /// the agents resend them.
    private func storePending(router: ZMQSocket) {
        guard !pendingReports.isEmpty else { return }
        let batch = pendingReports
        pendingReports = []
        pendingBytes = 0
        let started = clock.now
        let outcomes: [Result<ReportDisposition, DatabaseError>]
        do {
            outcomes = try database.recordReports(batch.map(\.record), maxAttempts: configuration.maxAttempts)
        } catch {
            logger.error("cannot store \(batch.count) result(s); the agents will resend them: \(error)")
            return
        }
        let took = clock.now - started
        for (pending, outcome) in zip(batch, outcomes) {
            switch outcome {
            case .success(let disposition):
                metrics?.stored(kind: pending.kind, disposition: disposition, in: took)
                if logger.logLevel <= .debug {
                    var metadata = pending.metadata
                    metadata["disposition"] = "\(disposition.rawValue)"
                    logger.debug("result", metadata: metadata)
                }
                perform(machine.reportStored(pending.record.report, disposition: disposition, from: pending.routingID), router: router)
            case .failure(let error):
                perform(machine.reportNotStorable(pending.record.report, from: pending.routingID, why: error.message), router: router)
            }
        }
    }

    /// Every ``CoordinatorConfiguration/refreshInterval``: the connected agents' last contact
    /// in the store and, with metrics, the task, agent and refusal gauges.
    private func refresh() {
        lastRefresh = clock.now
        let sessions = machine.sessions.values
        do {
            try database.touchAgents(ids: Set(sessions.map(\.agentID)).sorted())
            if let metrics { metrics.tasks(try database.taskStateCounts()) }
            metrics?.databaseChecked(reachable: true)
        } catch {
            metrics?.databaseChecked(reachable: false)
            logger.error("cannot refresh agents' last contact or task counts: \(error)")
        }
        metrics?.agentsConnected(sessions)
        metrics?.resultsRefused(machine.refusals)
    }

    /// The allow-list file, when it changed: the new keys for ZAP and the machine (sessions of
    /// removed keys end). A file that no longer reads is logged and the old list kept.
    private func rereadAllowList(router: ZMQSocket) {
        guard let file = configuration.allowListFile, let text = try? String(contentsOf: file, encoding: .utf8), text != allowListText else { return }
        allowListText = text
        do {
            let keys = try CurveKeyFile.readAllowList(file)
            allowList.replace(Set(keys.keys))
            logger.notice("allow-list read again: \(keys.count) agents", metadata: ["file": "\(file.path)"])
            perform(machine.allowListChanged(keys), router: router)
        } catch {
            logger.error("the changed allow-list does not read; keeping the old one: \(error)")
        }
    }

    /// Every ``CoordinatorConfiguration/scheduleInterval``: the measurements of schedules that
    /// are due (`peil schedule`). Several coordinators may do this at once; each run happens once.
    private func runDueSchedules() {
        lastScheduleCheck = clock.now
        do {
            for run in try database.runDueSchedules() {
                let slices = run.sliceCount.map { count in " (slices \(run.slices.map(String.init).joined(separator: ",")) of \(count))" } ?? ""
                logger.info("scheduled measurement \(run.measurementID) started: \(run.domains) domains\(slices)",
                            metadata: ["schedule": "\(run.schedule)", "measurement": "\(run.measurementID)"])
            }
        } catch {
            logger.error("cannot run the due schedules: \(error)")
        }
    }

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

/// A result waiting for its batch's transaction.
private struct PendingReport {
    let record: ReportToRecord
    let routingID: Data
    let kind: TaskKind?
    let metadata: Logger.Metadata
}

/// One poll round's share of a socket's messages.
enum PollRound {
    /// Takes items from `next` until it gives nil or `limit` were taken, handing each to `handle`.
    /// - Returns: how many were handled; `limit` means more may be waiting for the next round.
    @discardableResult
    static func drain<Item>(limit: Int, next: () throws -> Item?, handle: (Item) throws -> Void) rethrows -> Int {
        var handled = 0
        while handled < limit, let item = try next() {
            try handle(item)
            handled += 1
        }
        return handled
    }
}

/// The keys ZAP admits, shared with its callback (which runs on the loop's thread too).
final class AllowedKeys: @unchecked Sendable {
    private let lock = NSLock()
    private var keys: Set<String>

    init(_ keys: Set<String>) { self.keys = keys }

    func contains(_ key: String) -> Bool { lock.withLock { keys.contains(key) } }

    func replace(_ keys: Set<String>) { lock.withLock { self.keys = keys } }
}
