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
        /// Run the task; `finalAttempt` is the coordinator's last attempt (from WELCOME).
        case submit(TaskAssignment, finalAttempt: Int)
        case log(Logger.Level, String)
        /// Leave: the BYE has been sent (or the agent never joined and was told to stop).
        case exit
        /// Stop with an error: the coordinator speaks another protocol.
        case fail(AgentError)
    }

    /// A result not yet acknowledged, and when it last went out (nil: due now).
    private struct Pending {
        var report: TaskReport
        var lastSent: ContinuousClock.Instant?
    }

    private struct ResultKey: Hashable, Comparable {
        let taskID: Int64
        let attempt: Int
        static func < (a: ResultKey, b: ResultKey) -> Bool { (a.taskID, a.attempt) < (b.taskID, b.attempt) }
    }

    let settings: Settings
    /// The id the coordinator records results under; nil until welcomed.
    private(set) var agentID: String?
    /// The coordinator's attempts per task, from the last WELCOME.
    private(set) var maxAttempts: Int?
    /// Credits granted and not yet used by the coordinator.
    private(set) var outstandingCredits = 0
    /// Tasks submitted and not finished.
    private(set) var running = 0
    private var unacknowledged: [ResultKey: Pending] = [:]
    private var lastHello: ContinuousClock.Instant?
    private var lastHeartbeat: ContinuousClock.Instant
    private var lastHeard: ContinuousClock.Instant
    private var drainDeadline: ContinuousClock.Instant?

    init(settings: Settings, now: ContinuousClock.Instant) {
        self.settings = settings
        lastHeartbeat = now
        lastHeard = now
    }

    var isDraining: Bool { drainDeadline != nil }
    var unacknowledgedCount: Int { unacknowledged.count }

    // MARK: events

    /// A message from the coordinator.
    mutating func received(_ message: WireMessage, now: ContinuousClock.Instant) -> [Action] {
        lastHeard = now
        switch message {
        case .welcome(let welcome):
            agentID = welcome.agentID
            maxAttempts = welcome.maxAttempts
            outstandingCredits = 0
            // The coordinator may be new: results it has not acknowledged go again now.
            for key in unacknowledged.keys { unacknowledged[key]?.lastSent = nil }
            return [.log(.info, "welcomed as \(welcome.agentID); \(welcome.maxAttempts) attempts per task")]
        case .tasks(let tasks):
            outstandingCredits = max(0, outstandingCredits - tasks.count)
            guard !isDraining else { return [] }  // BYE releases their leases
            guard let maxAttempts else {
                return [.log(.warning, "ignoring \(tasks.count) tasks sent before any WELCOME")]
            }
            running += tasks.count
            return tasks.map { .submit($0, finalAttempt: maxAttempts) }
        case .ack(let taskID, let attempt):
            unacknowledged[ResultKey(taskID: taskID, attempt: attempt)] = nil
            return []
        case .heartbeat:
            return []
        case .reject(let reason):
            if reason.hasPrefix("protocol") { return [.fail(.incompatible(reason))] }
            agentID = nil
            lastHello = nil
            return [.log(.info, "coordinator asks for HELLO again: \(reason)")]
        case .hello, .ready, .result, .bye:
            return [.log(.warning, "ignoring unexpected message from coordinator")]
        }
    }

    /// A message from the coordinator that could not be read: it still shows the coordinator is there.
    mutating func receivedUnreadable(now: ContinuousClock.Instant) {
        lastHeard = now
    }

    /// A task finished: its report goes out and is kept until acknowledged.
    mutating func taskFinished(_ report: TaskReport, now: ContinuousClock.Instant) -> [Action] {
        running = max(0, running - 1)
        unacknowledged[ResultKey(taskID: report.taskID, attempt: report.attempt)] = Pending(report: report, lastSent: now)
        return [.send(.result(report))]
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
        if agentID != nil, now - lastHeard > settings.coordinatorSilenceLimit {
            actions.append(.log(.warning, "no word from the coordinator for \(settings.coordinatorSilenceLimit); saying HELLO again"))
            agentID = nil
            lastHello = nil
        }
        if agentID == nil {
            if lastHello.map({ now - $0 > settings.helloInterval }) ?? true {
                lastHello = now
                actions.append(.send(.hello(.init(agentName: settings.name, softwareVersion: PeilVersion.current,
                                                  families: settings.families, concurrency: settings.concurrency))))
            }
        } else {
            actions += keepUp(now: now)
        }
        return actions + drainEnd(now: now)
    }

    // MARK: steps

    /// Credits, heartbeat and resends, for a welcomed agent.
    private mutating func keepUp(now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        if !isDraining {
            let free = settings.concurrency - running - outstandingCredits
            if free > 0 {
                outstandingCredits += free
                actions.append(.send(.ready(credits: free)))
            }
        }
        if now - lastHeartbeat >= settings.heartbeatInterval {
            lastHeartbeat = now
            actions.append(.send(.heartbeat))
        }
        for key in unacknowledged.keys.sorted() {
            guard let pending = unacknowledged[key], pending.lastSent.map({ now - $0 >= settings.resendInterval }) ?? true else { continue }
            unacknowledged[key]?.lastSent = now
            actions.append(.send(.result(pending.report)))
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
