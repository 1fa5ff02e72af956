import Foundation
import Logging
import PeilModel
import Store
import Wire

/// Database work the coordinator loop hands to a ``StoreWorker``.
enum StoreJob: Sendable {
    /// Record the agent (and move the leases of the session it resumes), then welcome it.
    case register(AgentRegistration)
    case claim(ClaimRequest)
    /// Results in one transaction; each is answered once it is committed.
    case store([PendingReport])
    case endTask(taskID: Int64, attempt: Int, agentID: String, sessionID: String, why: String)
    case releaseLeases(agentID: String, sessionID: String, why: String)
    case periodic(PeriodicJob)
}

/// Work the loop asks for every so often: one of each kind queued or running at a time, so a
/// database that stalls does not gather a backlog of them.
enum PeriodicJob: Sendable {
    case expireLeases
    /// The connected agents' last contact.
    case refresh(agentIDs: [String])
    case runDueSchedules
    /// With metrics, the task gauges: a count over every task of the open measurements, so on
    /// a connection and thread of its own, paced by ``TaskCountPacing``.
    case countTasks

    /// What the job is, whatever its values.
    enum Kind: Hashable { case expireLeases, refresh, runDueSchedules, countTasks }

    var kind: Kind {
        switch self {
        case .expireLeases: .expireLeases
        case .refresh: .refresh
        case .runDueSchedules: .runDueSchedules
        case .countTasks: .countTasks
        }
    }
}

/// What a finished ``StoreJob`` tells the loop.
enum StoreOutcome: Sendable {
    /// The agent was recorded under the new session id.
    case registered(AgentRegistration, sessionID: String)
    /// The tasks leased for the claim (none when the queue had none or the claim failed).
    case claimed([TaskAssignment], for: ClaimRequest)
    /// The batch's outcome per report, in order; or why nothing of it was stored.
    case stored([PendingReport], Result<[Result<ReportDisposition, DatabaseError>], StoreFailure>, took: Duration)
    /// A periodic job is done (it logged what happened).
    case finished(PeriodicJob)
    /// Nothing for the loop to do (the job logged what happened).
    case nothing
}

/// Why a batch of results was not stored at all (the agents resend it).
struct StoreFailure: Error, Sendable {
    let message: String
}

/// A result waiting for its batch's transaction.
struct PendingReport: Sendable {
    let report: TaskReport
    let agentID: String
    let sessionID: String
    let routingID: Data
    let kind: TaskKind?
    /// The measurement of the lease this coordinator knows the report is on (nil: none known).
    let measurementID: Int64?
    /// The body of the RESULT (or RESULTS) message the report came in, as the agent sent it.
    let body: Data
    /// Where the report's one observation stands in `body` (``WireMessage/ReportLayout``).
    let observationBytes: Range<Int>?
    /// The report's size in its message: what it holds of the loop's budget until answered.
    let bytes: Int

    /// What a log line about the report names (made only for a line that is written).
    var metadata: Logger.Metadata {
        var metadata: Logger.Metadata = ["task": "\(report.taskID)", "attempt": "\(report.attempt)", "agent": "\(agentID)"]
        if let measurementID { metadata["measurement"] = "\(measurementID)" }
        if let kind { metadata["kind"] = "\(kind.rawValue)" }
        return metadata
    }

    /// The report's observation as the agent encoded it, when the report carries exactly one:
    /// the bytes `WireJSONDecoder` decoded it from, which its strict parse guarantees mean what
    /// was decoded; nil: the store encodes the decoded one. The wire carries no dates
    /// (`WireJSONDecoder` refuses `Date`), so the bytes as sent and `SQLJSON`'s encoding of the
    /// decoded value read back the same.
    var observationJSON: String? {
        guard let range = observationBytes, range.lowerBound >= 0, range.upperBound <= body.count else { return nil }
        return String(decoding: body[(body.startIndex + range.lowerBound)..<(body.startIndex + range.upperBound)], as: UTF8.self)
    }
}

/// Runs ``StoreJob``s on a worker's thread: the store calls, their logs and their metrics.
/// Used by one worker thread only (the sweeper's lock connection is its own), hence
/// `@unchecked Sendable`.
final class StoreJobRunner: @unchecked Sendable {
    private let configuration: CoordinatorConfiguration
    private let store: PeilStore
    private let logger: Logger
    private let metrics: CoordinatorMetrics?
    private let clock = ContinuousClock()
    /// Lease expiry, done only while this coordinator is the database's one sweeper.
    private lazy var sweeper = LeaseSweeper(store: store, logger: logger)

    init(configuration: CoordinatorConfiguration, store: PeilStore, logger: Logger, metrics: CoordinatorMetrics?) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.metrics = metrics
    }

    func run(_ job: StoreJob) -> StoreOutcome {
        switch job {
        case .register(let agent):
            do {
                let sessionID = UUID().uuidString
                try store.registerAgent(id: agent.agentID, publicKey: agent.publicKey, families: agent.families,
                                        concurrency: agent.concurrency, version: agent.softwareVersion)
                if let previous = agent.resumes { try store.resumeLeases(agentID: agent.agentID, previous: previous, session: sessionID) }
                return .registered(agent, sessionID: sessionID)
            } catch {
                logger.error("cannot register agent: \(error)", metadata: ["agent": "\(agent.agentID)"])
                return .nothing
            }
        case .claim(let claim):
            do {
                let started = clock.now
                let tasks = try store.claimTasks(agentID: claim.agentID, session: claim.sessionID, families: claim.families, limit: claim.limit,
                                                 leaseSeconds: configuration.leaseSeconds, perAddress: configuration.tasksPerAddress)
                metrics?.claimed(in: clock.now - started)
                if logger.logLevel <= .trace {
                    for task in tasks {
                        logger.trace("leased", metadata: ["measurement": "\(task.measurementID)", "task": "\(task.taskID)",
                                                          "attempt": "\(task.attempt)", "kind": "\(task.kind.rawValue)", "agent": "\(claim.agentID)"])
                    }
                }
                return .claimed(tasks, for: claim)
            } catch {
                logger.error("cannot claim tasks: \(error)", metadata: ["agent": "\(claim.agentID)"])
                return .claimed([], for: claim)
            }
        case .store(let batch):
            return store(batch)
        case .endTask(let taskID, let attempt, let agentID, let sessionID, let why):
            do {
                try store.endLeasedTask(taskID: taskID, attempt: attempt, agentID: agentID, session: sessionID, why: why)
            } catch {
                logger.error("cannot end task: \(error)", metadata: ["task": "\(taskID)", "attempt": "\(attempt)", "agent": "\(agentID)"])
            }
        case .releaseLeases(let agentID, let sessionID, let why):
            do {
                let released = try store.releaseLeases(session: sessionID)
                logger.info("agent left: \(why)", metadata: ["agent": "\(agentID)", "tasks-released": "\(released)"])
            } catch {
                logger.error("cannot release leases: \(error)", metadata: ["agent": "\(agentID)"])
            }
        case .periodic(let periodic):
            run(periodic)
            return .finished(periodic)
        }
        return .nothing
    }

    private func run(_ job: PeriodicJob) {
        switch job {
        case .expireLeases:
            sweeper.sweep(maxAttempts: configuration.maxAttempts)
        case .refresh(let agentIDs):
            do {
                try store.touchAgents(ids: agentIDs)
                metrics?.databaseChecked(reachable: true)
            } catch {
                metrics?.databaseChecked(reachable: false)
                logger.error("cannot refresh agents' last contact: \(error)")
            }
        case .countTasks:
            do {
                if let metrics { metrics.tasks(try store.taskStateCounts()) }
            } catch {
                logger.error("cannot count the tasks for the gauges: \(error)")
            }
        case .runDueSchedules:
            do {
                for run in try store.runDueSchedules() {
                    let slices = run.sliceCount.map { count in " (slices \(run.slices.map(String.init).joined(separator: ",")) of \(count))" } ?? ""
                    logger.info("scheduled measurement \(run.measurementID) started: \(run.domains) domains\(slices)",
                                metadata: ["schedule": "\(run.schedule)", "measurement": "\(run.measurementID)"])
                }
            } catch {
                logger.error("cannot run the due schedules: \(error)")
            }
        }
    }

    /// One transaction for the batch; a resolved domain's endpoints become connect tasks in it.
    private func store(_ batch: [PendingReport]) -> StoreOutcome {
        let records = batch.map { pending in
            let planned = configuration.planConnectTasks
                ? pending.report.resolution.map { ConnectPlanner.planned($0.facts, targets: configuration.connectTargets) } : nil
            if let planned, !planned.capped.isEmpty {
                logger.notice("connect plan of \(pending.report.resolution?.facts.domain ?? "?") cut: \(planned.capped.joined(separator: "; "))",
                              metadata: pending.metadata)
            }
            return ReportToRecord(report: pending.report, agentID: pending.agentID, session: pending.sessionID, plan: planned?.tasks ?? [],
                                  observationJSON: pending.observationJSON)
        }
        let started = clock.now
        do {
            let outcomes = try store.recordReports(records, maxAttempts: configuration.maxAttempts)
            return .stored(batch, .success(outcomes), took: clock.now - started)
        } catch {
            return .stored(batch, .failure(StoreFailure(message: "\(error)")), took: clock.now - started)
        }
    }
}

/// When the task gauges are counted again: the count reads an index entry of every task of the
/// open measurements (about 0.3 s at 600,000 tasks while results pour in: few of the table's
/// pages are all-visible then), so it runs again ``interval`` after the last one finished, or
/// forty times as long as that one took when that is longer: PostgreSQL spends at most about a
/// fortieth of a core on it, whatever the size of the queue (at a tenth, 5.6–7.5 µs of statement
/// time a tiny result in `peil bench ingest`, at a fortieth 2.2; docs/SCALE.md, "Session 33").
/// The gauges are then up to about 12 s old at 600,000 tasks, within a usual scrape interval.
enum TaskCountPacing {
    static func next(finishedAt: ContinuousClock.Instant, took: Duration, interval: Duration) -> ContinuousClock.Instant {
        finishedAt + max(interval, took * 40)
    }
}
