import Foundation
import Logging
import PeilModel
import Store
import Wire

/// The coordinator's I/O, on one thread that owns the ROUTER socket and the ZAP authenticator:
/// it polls the socket, feeds what arrives to a ``CoordinatorStateMachine`` and carries out
/// the machine's actions. Database work runs on ``StoreWorker`` threads, each with a
/// connection of its own: claims on one, everything else (results, registrations, releases,
/// lease expiry) on the other, in the order the machine asked for it, and with metrics the
/// task gauges' count on a third (it reads every task of the open measurements). So a
/// statement that waits (a lock, a slow commit) never keeps the loop from answering
/// heartbeats, and results that arrive while a batch commits gather into the next batch. All state that matters lives
/// in PostgreSQL; sessions are soft state.
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
    /// Results the machine passed to the store and not yet handed to the writer: handed over
    /// together when no batch of them is being committed, when they fill a batch, or before
    /// any other database work the machine asks for after them.
    private var pendingReports: [PendingReport] = []
    private var pendingBytes = 0
    /// Bytes of RESULT messages queued or with the writer and not yet answered; past
    /// ``maximumBytesWithStore`` a result is dropped unanswered (its agent resends it), so a
    /// stalled database or a flood of large results cannot grow the queue without bound.
    private var bytesWithStore = 0
    private var maximumBytesWithStore: Int { 4 * configuration.bytesPerTransaction }
    /// Results dropped for want of room (``maximumBytesWithStore``), and how many were logged.
    private var resultsDropped = 0
    private var resultsDroppedLogged = 0
    /// Batches of results handed to the writer and not yet answered.
    private var batchesInFlight = 0
    /// Periodic jobs handed to a worker and not finished: one of each at a time.
    private var periodicInFlight: Set<PeriodicJob.Kind> = []
    /// The body of the message being handled (a RESULT's or RESULTS', when the machine asks to store a report of it).
    private var lastMessageBody = Data()
    /// Where the report being handled stands in ``lastMessageBody`` (a RESULT's, or one of a RESULTS').
    private var lastReport: WireMessage.ReportLayout?
    /// The bytes the report being handled holds of the loop's budget until answered.
    private var lastReportBytes: Int { lastReport?.bytes.count ?? lastMessageBody.count }
    /// Claims; set while ``run(stop:bound:)`` runs.
    private var claimer: StoreWorker<StoreJob, StoreOutcome>?
    /// Every other database job; set while ``run(stop:bound:)`` runs.
    private var writer: StoreWorker<StoreJob, StoreOutcome>?
    /// With metrics, the task gauges' count; set while ``run(stop:bound:)`` runs.
    private var gauges: StoreWorker<StoreJob, StoreOutcome>?
    /// When the running count of the task gauges started, and when the next one is due.
    private var taskCountStarted: ContinuousClock.Instant?
    private var nextTaskCount: ContinuousClock.Instant?

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
        let writerJobs = StoreJobRunner(configuration: configuration, store: database, logger: logger, metrics: metrics)
        let claimJobs = StoreJobRunner(configuration: configuration, store: PeilStore(database: try database.database.newConnection()),
                                       logger: logger, metrics: metrics)
        let writer = try StoreWorker<StoreJob, StoreOutcome>(name: "peil-store", context: context, perform: writerJobs.run)
        // Declared after the context: finished (its thread's socket closed) before the context ends.
        defer { _ = writer.finish() }
        let claimer = try StoreWorker<StoreJob, StoreOutcome>(name: "peil-claims", context: context, perform: claimJobs.run)
        defer { _ = claimer.finish() }
        let gauges = try metrics.map { metrics in
            let jobs = StoreJobRunner(configuration: configuration, store: PeilStore(database: try database.database.newConnection()),
                                      logger: logger, metrics: metrics)
            return try StoreWorker<StoreJob, StoreOutcome>(name: "peil-gauges", context: context, perform: jobs.run)
        }
        defer { _ = gauges?.finish() }
        self.writer = writer
        self.claimer = claimer
        self.gauges = gauges
        defer { self.writer = nil; self.claimer = nil; self.gauges = nil }
        var endpoints: [String] = []
        for endpoint in configuration.endpoints {
            try router.bind(endpoint)
            endpoints.append(try router.lastEndpoint())
        }
        logger.info("listening", metadata: ["endpoints": "\(endpoints)", "agents-allowed": "\(configuration.allowedAgents.count)"])
        bound(endpoints)

        while !stop.isStopped {
            let ready = try ZMQSocket.poll([router, authenticator.socket, writer.wake, claimer.wake] + (gauges.map { [$0.wake] } ?? []),
                                           timeout: .milliseconds(50))
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
                var round: [(frames: [Data], userID: String?)] = []
                try PollRound.drain(limit: configuration.messagesPerRound, next: { try router.receive() }) { round.append($0) }
                for (item, message) in zip(round, RoundDecoding.decode(round.map(\.frames))) {
                    receive(item.frames, userID: item.userID, message: message, router: router)
                }
            }
            handleOutcomes(router: router)
            handPending(whole: false)
            perform(machine.tick(now: clock.now), router: router)
            if lastRefresh.map({ clock.now - $0 >= configuration.refreshInterval }) ?? true {
                refresh()
                rereadAllowList(router: router)
            }
            countTasksWhenDue()
            if lastScheduleCheck.map({ clock.now - $0 >= configuration.scheduleInterval }) ?? true {
                lastScheduleCheck = clock.now
                submitPeriodic(.runDueSchedules)
            }
        }
        settle(router: router)
        perform(machine.shutdown(), router: router)
        logger.info("stopped")
    }

    /// At the stop: the results received are stored and answered, and the other jobs finish,
    /// for up to ``CoordinatorConfiguration/agentTimeout`` (what is not answered by then the
    /// agents resend to the next coordinator).
    private func settle(router: ZMQSocket) {
        guard let writer, let claimer else { return }
        let deadline = clock.now + configuration.agentTimeout
        while clock.now < deadline {
            handPending(whole: true)
            if writer.busy == 0 && claimer.busy == 0 && pendingReports.isEmpty { return }
            _ = try? ZMQSocket.poll([writer.wake, claimer.wake], timeout: .milliseconds(50))
            handleOutcomes(router: router)
        }
        logger.warning("stopped with database work unfinished; the agents resend their results")
    }

    /// One message of the round (`frames` with its routing id first) and what its body decoded to.
    private func receive(_ frames: [Data], userID: String?, message decoded: Result<WireMessage.Received, any Error>, router: ZMQSocket) {
        guard let routingID = frames.first, let key = userID else {
            // ZAP admits only authenticated keys, so this cannot happen; refuse to store anything if it does.
            logger.error("message without an authenticated key; dropped")
            return
        }
        let received: WireMessage.Received
        do {
            received = try decoded.get()
        } catch {
            perform(machine.malformed(from: routingID, key: key, why: "\(error)"), router: router)
            return
        }
        lastMessageBody = frames.last ?? Data()
        if case .results(let reports) = received.message, reports.count == received.reports.count {
            // Each report as a RESULT of its own, so that a store the machine asks for is that
            // report's, with its own bytes and observation. The reports answered at once
            // (refused) are answered together, after the others: one message for the lot, not
            // one each (a RESULTS of forged reports gets one ACKS, not 128 ACKs).
            var answers: [CoordinatorStateMachine.Action] = []
            for (report, layout) in zip(reports, received.reports) {
                lastReport = layout
                var actions = machine.received(.result(report), from: routingID, key: key, now: clock.now, bytes: layout.bytes.count)
                actions.removeAll { action in
                    guard case .send(.ack, _) = action else { return false }
                    answers.append(action)
                    return true
                }
                perform(actions, router: router)
            }
            perform(CoordinatorStateMachine.Action.coalescingAcks(answers), router: router)
            return
        }
        // A RESULT's one report; never a layout that is not this message's one report.
        lastReport = received.reports.count == 1 ? received.reports.first : nil
        perform(machine.received(received.message, from: routingID, key: key, now: clock.now, bytes: frames.last?.count), router: router)
    }

    /// Carries out the machine's actions in order: sends at once, database work handed to a
    /// worker (results gather into the next batch).
    private func perform(_ actions: [CoordinatorStateMachine.Action], router: ZMQSocket) {
        for action in actions {
            switch action {
            case .send(let message, let routingID):
                if !send(message, to: routingID, on: router) {
                    perform(machine.sendFailed(message, to: routingID), router: router)
                }
            case .register(let agent):
                submit(.register(agent))
            case .claim(let claim):
                // On a connection of its own; a claim may pass results still waiting to be stored.
                claimer?.submit(.claim(claim))
            case .store(let report, let agentID, let sessionID, let routingID):
                guard bytesWithStore + lastReportBytes <= maximumBytesWithStore || bytesWithStore == 0 else {
                    machine.reportsNotStored([report], from: routingID)
                    resultsDropped += 1
                    continue
                }
                enqueue(report, agentID: agentID, sessionID: sessionID, routingID: routingID)
            case .endTask(let taskID, let attempt, let agentID, let sessionID, let why):
                submit(.endTask(taskID: taskID, attempt: attempt, agentID: agentID, sessionID: sessionID, why: why))
            case .releaseLeases(let agentID, let sessionID, let why):
                submit(.releaseLeases(agentID: agentID, sessionID: sessionID, why: why))
            case .expireLeases:
                submitPeriodic(.expireLeases)
            case .log(let level, let text):
                logger.log(level: level, "\(text)")
            }
        }
    }

    /// Hands a job to the writer, after the results received before it (a release or a new
    /// session must not overtake a result of the session it ends).
    private func submit(_ job: StoreJob) {
        handPending(whole: true)
        writer?.submit(job)
    }

    /// A periodic job, unless the last one of its kind is still queued or running.
    private func submitPeriodic(_ job: PeriodicJob) {
        guard periodicInFlight.insert(job.kind).inserted else { return }
        submit(.periodic(job))
    }

    /// Queues a result for the next batch; a full batch is handed to the writer at once.
    private func enqueue(_ report: TaskReport, agentID: String, sessionID: String, routingID: Data) {
        let lease = machine.sessions[routingID]?.leases[report.taskID]
        pendingReports.append(PendingReport(report: report, agentID: agentID, sessionID: sessionID, routingID: routingID,
                                            kind: lease?.kind, measurementID: lease?.measurementID, body: lastMessageBody,
                                            observationBytes: lastReport?.observation, bytes: lastReportBytes))
        pendingBytes += lastReportBytes
        bytesWithStore += lastReportBytes
        if pendingReports.count >= configuration.reportsPerTransaction || pendingBytes >= configuration.bytesPerTransaction {
            handPending(whole: true)
        }
    }

    /// Hands the waiting results to the writer as one batch: always when `whole`, else only
    /// when no batch is being committed (the results that arrive meanwhile join the next one).
    private func handPending(whole: Bool) {
        guard !pendingReports.isEmpty, whole || batchesInFlight == 0, let writer else { return }
        writer.submit(.store(pendingReports))
        batchesInFlight += 1
        pendingReports = []
        pendingBytes = 0
    }

    /// Feeds the finished jobs' outcomes to the machine.
    private func handleOutcomes(router: ZMQSocket) {
        for outcome in (writer?.takeOutcomes() ?? []) + (claimer?.takeOutcomes() ?? []) + (gauges?.takeOutcomes() ?? []) {
            switch outcome {
            case .registered(let agent, let sessionID):
                perform(machine.agentRegistered(agent, sessionID: sessionID, now: clock.now), router: router)
            case .claimed(let tasks, let claim):
                perform(machine.tasksClaimed(tasks, for: claim, now: clock.now), router: router)
            case .stored(let batch, let outcomes, let took):
                batchesInFlight -= 1
                bytesWithStore -= batch.reduce(0) { $0 + $1.bytes }
                answer(batch, outcomes: outcomes, took: took, router: router)
            case .finished(let job):
                periodicInFlight.remove(job.kind)
                if job.kind == .countTasks, let started = taskCountStarted {
                    let now = clock.now
                    nextTaskCount = TaskCountPacing.next(finishedAt: now, took: now - started, interval: configuration.refreshInterval)
                }
            case .nothing:
                break
            }
        }
    }

    /// Once a batch is committed each result is answered (ACK, or the refusal) in the order
    /// received, each agent's ACKs in one message (ACKS when several). When the store failed,
    /// none is answered: the agents resend them.
    private func answer(_ batch: [PendingReport], outcomes stored: Result<[Result<ReportDisposition, DatabaseError>], StoreFailure>, took: Duration,
                        router: ZMQSocket) {
        let outcomes: [Result<ReportDisposition, DatabaseError>]
        switch stored {
        case .success(let each): outcomes = each
        case .failure(let failure):
            logger.error("cannot store \(batch.count) result(s); the agents will resend them: \(failure.message)")
            for (routingID, reports) in Dictionary(grouping: batch, by: \.routingID) {
                machine.reportsNotStored(reports.map(\.report), from: routingID)
            }
            return
        }
        var actions: [CoordinatorStateMachine.Action] = []
        for (pending, outcome) in zip(batch, outcomes) {
            switch outcome {
            case .success(let disposition):
                metrics?.stored(kind: pending.kind, disposition: disposition, in: took)
                if logger.logLevel <= .debug {
                    var metadata = pending.metadata
                    metadata["disposition"] = "\(disposition.rawValue)"
                    logger.debug("result", metadata: metadata)
                }
                actions += machine.reportStored(pending.report, disposition: disposition, from: pending.routingID)
            case .failure(let error):
                actions += machine.reportNotStorable(pending.report, from: pending.routingID, why: error.message)
            }
        }
        // One message per agent for the batch's ACKs.
        perform(CoordinatorStateMachine.Action.coalescingAcks(actions), router: router)
    }

    /// Every ``CoordinatorConfiguration/refreshInterval``: the connected agents' last contact
    /// in the store and, with metrics, the agent and refusal gauges (the task gauges:
    /// ``countTasksWhenDue()``).
    private func refresh() {
        lastRefresh = clock.now
        let sessions = machine.sessions.values
        submitPeriodic(.refresh(agentIDs: Set(sessions.map(\.agentID)).sorted()))
        metrics?.agentsConnected(sessions)
        metrics?.resultsRefused(machine.refusals)
        if resultsDropped > resultsDroppedLogged {
            logger.warning("\(resultsDropped - resultsDroppedLogged) result(s) dropped unanswered since the last look: more than \(maximumBytesWithStore) bytes of results were waiting for the database; the agents resend them")
            resultsDroppedLogged = resultsDropped
        }
    }

    /// With metrics, the task gauges' count on its own worker, when the last one finished and
    /// the next is due (``TaskCountPacing``).
    private func countTasksWhenDue() {
        guard let gauges, nextTaskCount.map({ clock.now >= $0 }) ?? true, periodicInFlight.insert(.countTasks).inserted else { return }
        taskCountStarted = clock.now
        gauges.submit(.periodic(.countTasks))
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

/// The messages of one poll round decoded, in order: on several threads when they are large
/// enough to be worth sharing out (a round of twin-sized RESULTs), so the loop's thread is not
/// the one that decodes them all.
enum RoundDecoding {
    /// Bodies in all, and per message on average, below which a round is decoded on the calling
    /// thread: waking other threads costs more than decoding small messages (a round of tiny
    /// RESULTs, heartbeats, READYs).
    static let sharedFromBytes = 16_384
    static let sharedFromAverageBytes = 1_024

    /// Whether ``decode(_:)`` shares `messages` out over threads.
    static func isShared(_ messages: [[Data]]) -> Bool {
        let bytes = messages.reduce(0) { $0 + ($1.last?.count ?? 0) }
        return messages.count > 1 && bytes >= sharedFromBytes && bytes >= messages.count * sharedFromAverageBytes
    }

    /// Each message's frames (routing id first) decoded as a ``WireMessage`` (with where a
    /// RESULT's observation stands in its body), or why not.
    static func decode(_ messages: [[Data]]) -> [Result<WireMessage.Received, any Error>] {
        @Sendable func one(_ frames: [Data]) -> Result<WireMessage.Received, any Error> {
            Result { try WireMessage.received(frames: Array(frames.dropFirst())) }
        }
        guard isShared(messages) else { return messages.map(one) }
        var decoded = [Result<WireMessage.Received, any Error>?](repeating: nil, count: messages.count)
        decoded.withUnsafeMutableBufferPointer { slots in
            // Each iteration writes its own slot only, and all are done when concurrentPerform returns.
            nonisolated(unsafe) let slots = slots
            DispatchQueue.concurrentPerform(iterations: messages.count) { index in slots[index] = one(messages[index]) }
        }
        return decoded.map { $0! }
    }
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
