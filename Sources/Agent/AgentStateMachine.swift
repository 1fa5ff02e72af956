import Foundation
import Logging
import PeilModel
import Wire

/// The agent's side of the protocol without I/O.
///
/// It says HELLO until welcomed, grants credits as slots free up, submits received tasks,
/// sends finished reports and resends them until acknowledged (at once after a WELCOME: the
/// coordinator may be new), says HELLO again when the coordinator falls silent, and on stop
/// drains: no new credits, running tasks finished, results acknowledged (or the deadline
/// passed), then BYE. It takes events with the current instant and returns actions; it never
/// reads the clock or touches the socket.
///
/// Deadlines: every task gets one when it arrives, ``taskBudget(lease:)`` after it (below the
/// lease the coordinator granted, so the task ends and its report is in before the lease
/// expires: leases are never renewed, and the coordinator's per-address cap holds however slow
/// the target). At its deadline a running task is cancelled (`.cancel`: the probe returns what
/// it saw); a probe still not back `cancelGrace` later is reported `timeout` by the machine
/// itself and its slot freed. On stop, every running task is cancelled at the drain cutoff
/// (`drainLimit − drainReportWindow − cancelGrace` after the stop), reported the same way
/// `cancelGrace` later, and the agent says BYE and exits `drainLimit` after the stop at the latest.
struct AgentStateMachine {
    /// The timing the machine follows.
    struct Settings: Sendable {
        var name: String
        var families: [AddressFamily]
        var concurrency: Int
        var heartbeatInterval: Duration = .seconds(2)
        var coordinatorSilenceLimit: Duration = .seconds(10)
        var resendInterval: Duration = .seconds(10)
        var drainLimit: Duration = .seconds(20)
        /// HELLO is repeated this often until a WELCOME comes.
        var helloInterval: Duration = .seconds(2)
        /// How long a cancelled probe has to return before the machine reports it `timeout`.
        var cancelGrace: Duration = .seconds(3)
        /// The end of a drain kept for sending the cancelled tasks' reports and their ACKs.
        var drainReportWindow: Duration = .seconds(5)
        /// No word from the coordinator (which heartbeats every 2 s) for this long while a task
        /// ran, or around the moment it finished, means the agent's own network may have been
        /// down: the task's result is not trusted (see ``taskFinished(_:now:)``).
        var contactLostAfter: Duration = .seconds(5)

        init(name: String, families: [AddressFamily], concurrency: Int) {
            self.name = name
            self.families = families
            self.concurrency = concurrency
        }

        init(_ configuration: AgentConfiguration) {
            self.init(name: configuration.name, families: configuration.families, concurrency: configuration.concurrency)
            heartbeatInterval = configuration.heartbeatInterval
            coordinatorSilenceLimit = configuration.coordinatorSilenceLimit
            resendInterval = configuration.resendInterval
            drainLimit = configuration.drainLimit
        }
    }

    /// What the loop does for the machine.
    enum Action: Equatable {
        case send(WireMessage)
        /// Run the task; `finalAttempt` is the coordinator's last attempt (from WELCOME); the
        /// probe must return by `deadline`.
        case submit(TaskAssignment, finalAttempt: Int, deadline: ContinuousClock.Instant)
        /// Cancel the running probe of this task attempt (its deadline passed, or the drain's).
        case cancel(taskID: Int64, attempt: Int)
        case log(Logger.Level, String)
        /// Leave: the BYE has been sent (or the agent never joined and was told to stop).
        case exit
        /// Stop with an error: the coordinator speaks another protocol.
        case fail(AgentError)
    }

    /// A result not yet acknowledged, and when it last went out (nil: due now). A held result
    /// waits for the next word from the coordinator before it goes out at all.
    private struct Pending {
        var report: TaskReport
        var lastSent: ContinuousClock.Instant?
        var held = false
    }

    /// A submitted task, its deadline, and whether its probe was told to stop.
    private struct Running {
        var task: TaskAssignment
        var startedAt: ContinuousClock.Instant
        var deadline: ContinuousClock.Instant
        var cancelledAt: ContinuousClock.Instant?
        /// The agent lost contact with the coordinator while the task ran.
        var ranWithoutContact = false
    }

    private struct ResultKey: Hashable, Comparable {
        let taskID: Int64
        let attempt: Int
        static func < (a: ResultKey, b: ResultKey) -> Bool { (a.taskID, a.attempt) < (b.taskID, b.attempt) }
    }

    let settings: Settings
    /// The id the coordinator records results under; nil until welcomed.
    private(set) var agentID: String?
    /// The session of the last WELCOME, named in the next HELLO so the new session takes over its leases.
    private(set) var session: String?
    /// The coordinator's attempts per task, from the last WELCOME.
    private(set) var maxAttempts: Int?
    /// The coordinator's lease per task, from the last WELCOME.
    private(set) var lease: Duration?
    /// Credits granted and not yet used by the coordinator.
    private(set) var outstandingCredits = 0
    private var runningTasks: [ResultKey: Running] = [:]
    private var unacknowledged: [ResultKey: Pending] = [:]
    private var lastHello: ContinuousClock.Instant?
    private var lastHeartbeat: ContinuousClock.Instant
    /// When a heartbeat last went out to have held results released. The next goes once the
    /// coordinator answered and ``pingSpacing`` passed (the coordinator answers at most every
    /// 25 ms), or after ``pingRetry`` unanswered.
    private var lastPing: ContinuousClock.Instant?
    static let pingSpacing: Duration = .milliseconds(50)
    static let pingRetry: Duration = .seconds(1)
    private var lastHeard: ContinuousClock.Instant
    private var drainDeadline: ContinuousClock.Instant?

    init(settings: Settings, now: ContinuousClock.Instant) {
        self.settings = settings
        lastHeartbeat = now
        lastHeard = now
    }

    var isDraining: Bool { drainDeadline != nil }
    /// Welcomed by the coordinator (and not since given up on it).
    var isConnected: Bool { agentID != nil }
    var unacknowledgedCount: Int { unacknowledged.count }
    /// Tasks submitted and not finished (nor given up on).
    var running: Int { runningTasks.count }
    /// Results held until the coordinator is next heard from: their leases are still open at
    /// the coordinator, so their slots are not free yet.
    var held: Int { unacknowledged.values.filter(\.held).count }

    /// The time a task may run: its lease less a margin for sending and storing its report
    /// (a sixth of the lease, at least 5 s and at most 30 s; half a lease shorter than 10 s).
    static func taskBudget(lease: Duration) -> Duration {
        let margin = min(max(lease / 6, .seconds(5)), .seconds(30))
        return margin < lease / 2 ? lease - margin : lease / 2
    }

    /// A duration as seconds with two decimals, for the log.
    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.2f", value)
    }

    /// The instant a running task's probe is cancelled: its deadline, or the drain cutoff if sooner.
    private func cutoff(_ task: Running) -> ContinuousClock.Instant {
        guard let drainDeadline else { return task.deadline }
        let drainCutoff = drainDeadline - settings.drainReportWindow - settings.cancelGrace
        return min(task.deadline, drainCutoff)
    }

    // MARK: events

    /// A message from the coordinator.
    mutating func received(_ message: WireMessage, now: ContinuousClock.Instant) -> [Action] {
        releaseHeld(silence: now - lastHeard)
        lastHeard = now
        switch message {
        case .welcome(let welcome):
            agentID = welcome.agentID
            session = welcome.session
            maxAttempts = welcome.maxAttempts
            lease = .milliseconds(Int64((max(0, welcome.leaseSeconds) * 1000).rounded(.down)))
            outstandingCredits = 0
            // The coordinator may be new: results it has not acknowledged go again now.
            for key in unacknowledged.keys { unacknowledged[key]?.lastSent = nil }
            return [.log(.info, "welcomed as \(welcome.agentID); \(welcome.maxAttempts) attempts per task")]
        case .tasks(let tasks):
            outstandingCredits = max(0, outstandingCredits - tasks.count)
            guard !isDraining else { return [] }  // BYE releases their leases
            guard let maxAttempts, let lease else {
                return [.log(.warning, "ignoring \(tasks.count) tasks sent before any WELCOME")]
            }
            let deadline = now + Self.taskBudget(lease: lease)
            var actions: [Action] = []
            for task in tasks {
                let key = ResultKey(taskID: task.taskID, attempt: task.attempt)
                guard runningTasks[key] == nil else {
                    actions.append(.log(.warning, "task \(task.taskID) attempt \(task.attempt) is already running"))
                    continue
                }
                runningTasks[key] = Running(task: task, startedAt: now, deadline: deadline)
                actions.append(.submit(task, finalAttempt: maxAttempts, deadline: deadline))
            }
            return actions
        case .ack(let taskID, let attempt):
            unacknowledged[ResultKey(taskID: taskID, attempt: attempt)] = nil
            return []
        case .acks(let acks):
            for ack in acks { unacknowledged[ResultKey(taskID: ack.taskID, attempt: ack.attempt)] = nil }
            return []
        case .heartbeat:
            return []
        case .reject(let reason):
            if reason.hasPrefix("protocol") { return [.fail(.incompatible(reason))] }
            agentID = nil
            lastHello = nil
            return [.log(.info, "coordinator asks for HELLO again: \(reason)")]
        case .hello, .ready, .result, .results, .bye:
            return [.log(.warning, "ignoring unexpected message from coordinator")]
        }
    }

    /// A message from the coordinator that could not be read: it still shows the coordinator is there.
    mutating func receivedUnreadable(now: ContinuousClock.Instant) {
        releaseHeld(silence: now - lastHeard)
        lastHeard = now
    }

    /// A task finished: its report is kept until acknowledged, and held until the coordinator
    /// is next heard from. A probe that comes back after the machine gave up on it (and
    /// reported it) is ignored.
    ///
    /// A vantage cut off from the coordinator was likely cut off from its targets too: what it
    /// saw then (timeouts, unreachable addresses) says nothing about them. A link that goes down
    /// fails a probe at once, before any silence shows, so every result waits for the next
    /// word from the coordinator (a heartbeat comes every 2 s): if the silence around it lasted
    /// over ``Settings/contactLostAfter``, or the task ran through such a silence, the result
    /// goes out as `contact_lost` (asked again without using an attempt), never as a measurement.
    mutating func taskFinished(_ report: TaskReport, now: ContinuousClock.Instant) -> [Action] {
        guard let running = runningTasks.removeValue(forKey: ResultKey(taskID: report.taskID, attempt: report.attempt)) else {
            return [.log(.debug, "task \(report.taskID) attempt \(report.attempt) came back after it was reported as timed out")]
        }
        let report = running.ranWithoutContact ? contactLost(report) : report
        unacknowledged[ResultKey(taskID: report.taskID, attempt: report.attempt)] = Pending(report: report, lastSent: nil, held: true)
        let took = now - running.startedAt, budget = running.deadline - running.startedAt
        return [.log(.debug, "task \(report.taskID) attempt \(report.attempt) \(running.task.kind.rawValue) \(running.task.domain): "
                     + "\(report.outcome.rawValue) in \(Self.seconds(took)) s of \(Self.seconds(budget)) s")]
    }

    /// A completed report made `contact_lost`; a failure report stays what it was.
    private func contactLost(_ report: TaskReport) -> TaskReport {
        guard report.outcome == .completed else { return report }
        return TaskReport(taskID: report.taskID, attempt: report.attempt, outcome: .contactLost,
                          detail: "no word from the coordinator for over \(settings.contactLostAfter) while this ran: the agent's own network may have been down")
    }

    /// The coordinator is heard from after `silence`: held results go out (with the next
    /// tick), as `contact_lost` when the silence they finished in was too long.
    private mutating func releaseHeld(silence: Duration) {
        for (key, pending) in unacknowledged where pending.held {
            let report = silence > settings.contactLostAfter ? contactLost(pending.report) : pending.report
            unacknowledged[key] = Pending(report: report, lastSent: nil)
        }
    }

    /// Stop was asked for (SIGTERM): drain until `now` + the drain limit at most.
    mutating func stopRequested(now: ContinuousClock.Instant) -> [Action] {
        guard drainDeadline == nil else { return [] }
        drainDeadline = now + settings.drainLimit
        return [.log(.info, "stopping: finishing \(running) running tasks")]
    }

    /// Time passed: HELLO, credits, heartbeats, resends, and the end of a drain.
    mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        if now - lastHeard > settings.contactLostAfter {
            for key in runningTasks.keys { runningTasks[key]?.ranWithoutContact = true }
        }
        if agentID != nil, now - lastHeard > settings.coordinatorSilenceLimit {
            actions.append(.log(.warning, "no word from the coordinator for \(settings.coordinatorSilenceLimit); saying HELLO again"))
            agentID = nil
            lastHello = nil
        }
        if agentID == nil {
            if lastHello.map({ now - $0 > settings.helloInterval }) ?? true {
                lastHello = now
                actions.append(.send(.hello(.init(agentName: settings.name, softwareVersion: PeilVersion.current,
                                                  families: settings.families, concurrency: settings.concurrency, resumes: session))))
            }
        } else {
            actions += keepUp(now: now)
        }
        return actions + enforceDeadlines(now: now) + drainEnd(now: now)
    }

    // MARK: steps

    /// Credits, heartbeat and resends, for a welcomed agent.
    /// Results go out before the credits their slots free: the coordinator counts a lease
    /// until its RESULT arrives and clamps a READY to the slots it sees free, so a READY ahead
    /// of the RESULT would lose its credits for good (the agent would wait for tasks forever).
    private mutating func keepUp(now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        var due: [TaskReport] = []
        for key in unacknowledged.keys.sorted() {
            guard let pending = unacknowledged[key], !pending.held,
                  pending.lastSent.map({ now - $0 >= settings.resendInterval }) ?? true else { continue }
            unacknowledged[key]?.lastSent = now
            due.append(pending.report)
        }
        // What is due goes together: one RESULTS per `maximumReports` (a lone one as RESULT).
        for part in due.chunks(of: WireMessage.maximumReports) {
            actions.append(.send(part.count == 1 ? .result(part[part.startIndex]) : .results(Array(part))))
        }
        if !isDraining {
            let free = settings.concurrency - running - held - outstandingCredits
            if free > 0 {
                outstandingCredits += free
                actions.append(.send(.ready(credits: free)))
            }
        }
        // Held results wait for the coordinator's word: a heartbeat asks for one (the
        // coordinator answers it), so they need not wait for its next periodic one.
        let ping = lastPing.map { now - $0 >= Self.pingSpacing && (lastHeard >= $0 || now - $0 >= Self.pingRetry) } ?? true
        if now - lastHeartbeat >= settings.heartbeatInterval || (held > 0 && ping) {
            lastHeartbeat = now
            if held > 0 { lastPing = now }
            actions.append(.send(.heartbeat))
        }
        return actions
    }

    /// Cancels tasks at their cutoff; reports those still not back `cancelGrace` later as
    /// `timeout` (sent when welcomed, resent like any result) and frees their slots.
    private mutating func enforceDeadlines(now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        for key in runningTasks.keys.sorted() {
            guard let running = runningTasks[key] else { continue }
            let cutoff = cutoff(running)
            if running.cancelledAt == nil, now >= cutoff {
                runningTasks[key]?.cancelledAt = now
                let why = isDraining && cutoff < running.deadline ? "the agent is stopping" : "its deadline passed"
                actions.append(.log(.info, "cancelling task \(key.taskID) attempt \(key.attempt): \(why)"))
                actions.append(.cancel(taskID: key.taskID, attempt: key.attempt))
            } else if let cancelledAt = running.cancelledAt, now - cancelledAt >= settings.cancelGrace {
                runningTasks[key] = nil
                let why = isDraining && cutoff < running.deadline ? "agent stopping" : "task deadline reached"
                let report = TaskReport(taskID: key.taskID, attempt: key.attempt, outcome: .timeout,
                                        detail: "\(why): probe cancelled, no result \(settings.cancelGrace) later")
                unacknowledged[key] = Pending(report: report, lastSent: agentID == nil ? nil : now)
                actions.append(.log(.warning, "task \(key.taskID) attempt \(key.attempt) did not return after cancelling; reported as timeout"))
                if agentID != nil { actions.append(.send(.result(report))) }
            }
        }
        return actions
    }

    /// BYE and exit once drained, or at the deadline with what is left.
    private func drainEnd(now: ContinuousClock.Instant) -> [Action] {
        guard let deadline = drainDeadline else { return [] }
        let drained = running == 0 && unacknowledged.isEmpty
        guard drained || now >= deadline else { return [] }
        var actions: [Action] = []
        if !drained {
            actions.append(.log(.warning, "stopping with \(running) tasks running and \(unacknowledged.count) results unacknowledged; their leases will expire"))
        }
        return actions + [.send(.bye), .exit]
    }
}
