@testable import Agent
import PeilModel
import Testing
import Wire

/// Task deadlines and the drain bound of the agent's protocol logic: no socket, no clock.
@Suite("Agent deadlines and drain")
struct AgentDeadlineTests {
    typealias Action = AgentStateMachine.Action
    let start = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int(seconds * 1000)) }

    static func task(_ id: Int64) -> TaskAssignment {
        TaskAssignment(taskID: id, attempt: 1, measurementID: 1, kind: .resolve, domain: "d\(id).nl", webHost: "www.d\(id).nl")
    }

    /// Welcomed at t=0 with a 120 s lease, one task received at t=1.
    func running(lease: Double = 120) -> AgentStateMachine {
        var agent = AgentStateMachine(settings: .init(name: "a1", families: [.ipv4], concurrency: 2), now: at(0))
        _ = agent.received(.welcome(.init(agentID: "a1", heartbeatSeconds: 2, leaseSeconds: lease, maxAttempts: 3)), now: at(0))
        _ = agent.tick(now: at(0))
        _ = agent.received(.tasks([Self.task(1)]), now: at(1))
        return agent
    }

    /// A tick right after a heartbeat from the coordinator (so it is never taken as gone).
    func tick(_ agent: inout AgentStateMachine, at seconds: Double) -> [Action] {
        _ = agent.received(.heartbeat, now: at(seconds))
        return agent.tick(now: at(seconds))
    }

    static func results(_ actions: [Action]) -> [TaskReport] {
        actions.flatMap { action -> [TaskReport] in
            switch action {
            case .send(.result(let report)): [report]
            case .send(.results(let reports)): reports
            default: []
            }
        }
    }

    @Test func theTaskBudgetLeavesRoomBeforeTheLeaseEnds() {
        #expect(AgentStateMachine.taskBudget(lease: .seconds(120)) == .seconds(100))
        #expect(AgentStateMachine.taskBudget(lease: .seconds(600)) == .seconds(570))
        #expect(AgentStateMachine.taskBudget(lease: .seconds(12)) == .seconds(7))
        #expect(AgentStateMachine.taskBudget(lease: .seconds(4)) == .seconds(2))
        for lease in [1, 4, 10, 30, 120, 300, 3_600] {
            let grace = AgentStateMachine.Settings(name: "a", families: [.ipv4], concurrency: 1).cancelGrace
            #expect(AgentStateMachine.taskBudget(lease: .seconds(lease)) < .seconds(lease))
            if lease >= 30 { #expect(AgentStateMachine.taskBudget(lease: .seconds(lease)) + grace < .seconds(lease)) }
        }
    }

    @Test func aTaskIsSubmittedWithItsDeadline() {
        var agent = AgentStateMachine(settings: .init(name: "a1", families: [.ipv4], concurrency: 2), now: at(0))
        _ = agent.received(.welcome(.init(agentID: "a1", heartbeatSeconds: 2, leaseSeconds: 60, maxAttempts: 3)), now: at(0))
        let actions = agent.received(.tasks([Self.task(1)]), now: at(5))
        #expect(actions == [.submit(Self.task(1), finalAttempt: 3, deadline: at(55))])
    }

    /// The task is cancelled at its deadline; a probe that comes back with what it saw is reported as usual.
    @Test func aTaskIsCancelledAtItsDeadline() {
        var agent = running()
        #expect(!tick(&agent, at: 100.9).contains(.cancel(taskID: 1, attempt: 1)))
        #expect(tick(&agent, at: 101).contains(.cancel(taskID: 1, attempt: 1)))
        #expect(!tick(&agent, at: 101.5).contains(.cancel(taskID: 1, attempt: 1)), "cancelled once")
        let report = TaskReport(taskID: 1, attempt: 1, outcome: .completed)
        #expect(agent.taskFinished(report, now: at(102)) == [
            .log(.debug, "task 1 attempt 1 resolve d1.nl: completed in 101.00 s of 100.00 s"),
        ], "the log line gives the task's wall time and budget; the result waits for the coordinator's next word")
        #expect(Self.results(tick(&agent, at: 102.5)) == [report])
        #expect(agent.running == 0)
        #expect(Self.results(tick(&agent, at: 110)).isEmpty, "nothing more is made up for it")
    }

    /// A probe that does not come back after it was cancelled is reported `timeout` (never
    /// failed) before the lease ends, and its slot is freed; its late report is ignored.
    @Test func aProbeThatDoesNotReturnIsReportedAsTimeoutBeforeTheLeaseEnds() {
        var agent = running()
        _ = tick(&agent, at: 101)
        #expect(Self.results(tick(&agent, at: 103.9)).isEmpty)
        let actions = tick(&agent, at: 104)
        let reports = Self.results(actions)
        #expect(reports.map(\.outcome) == [.timeout])
        #expect(reports.first?.detail?.contains("task deadline reached") == true)
        #expect(agent.running == 0 && agent.unacknowledgedCount == 1)
        let next = tick(&agent, at: 104.1)
        #expect(Self.results(actions + next).count == 1, "sent once, then kept for resending")
        #expect((actions + next).contains(.send(.ready(credits: 1))), "the slot is free again")
        let late = agent.taskFinished(TaskReport(taskID: 1, attempt: 1, outcome: .completed), now: at(105))
        #expect(Self.results(late).isEmpty, "the late report is not sent: the timeout stands")
        #expect(at(104) < at(1 + 120), "reported before the lease ends")
    }

    /// SIGTERM with a probe that never returns: cancelled at the drain cutoff, reported
    /// `timeout`, BYE and exit by the drain limit (20 s) after the stop.
    @Test func drainIsBoundedEvenWhenAProbeHangs() {
        var agent = running()
        _ = agent.stopRequested(now: at(10))
        var cancelledAt: Double?
        var reportedAt: Double?
        var exitedAt: Double?
        for step in 100...400 {
            let now = Double(step) / 10
            let actions = tick(&agent, at: now)
            if actions.contains(.cancel(taskID: 1, attempt: 1)) { cancelledAt = now }
            if let report = Self.results(actions).first, report.outcome == .timeout { reportedAt = now }
            if actions.contains(.exit) { exitedAt = now; break }
        }
        #expect(cancelledAt == 22, "drain limit 20 − report window 5 − cancel grace 3 after the stop")
        #expect(reportedAt == 25)
        #expect(exitedAt == 30, "exits at the drain limit: the report was not acknowledged")
    }

    /// The same drain when the coordinator acknowledges the made-up report: exit at once.
    @Test func aDrainEndsAsSoonAsTheCancelledTaskIsAcknowledged() {
        var agent = running()
        _ = agent.stopRequested(now: at(10))
        _ = tick(&agent, at: 22)
        _ = tick(&agent, at: 25)
        _ = agent.received(.ack(taskID: 1, attempt: 1), now: at(25.5))
        #expect(Array(tick(&agent, at: 25.6).suffix(2)) == [.send(.bye), .exit])
    }

    /// A task that ran while the coordinator was silent for over 5 s (the agent's own link may
    /// have been down) is not stored as a measurement: it is reported `contact_lost`, asked
    /// again without using an attempt.
    @Test func aTaskThatRanWithoutContactIsAskedAgainNotStored() {
        var agent = running()
        _ = agent.tick(now: at(4))  // 3 s without a word (the last was at t=1): still in contact
        let heard = TaskReport(taskID: 1, attempt: 1, outcome: .completed)
        var copy = agent
        _ = copy.taskFinished(heard, now: at(4.5))
        #expect(Self.results(tick(&copy, at: 5)) == [heard], "heard from after 4 s: the result as it is")
        _ = agent.tick(now: at(7))  // 6 s without a word
        _ = agent.received(.heartbeat, now: at(8))
        _ = agent.taskFinished(heard, now: at(9))
        let reported = Self.results(tick(&agent, at: 9.5))
        #expect(reported.map(\.outcome) == [.contactLost])
        #expect(reported.first?.detail?.contains("the agent's own network may have been down") == true)
        // A failure report stays what it was.
        var other = running()
        _ = other.tick(now: at(7))
        let failure = TaskReport(taskID: 1, attempt: 1, outcome: .probeError, detail: "bad input")
        _ = other.taskFinished(failure, now: at(8))
        #expect(Self.results(tick(&other, at: 8.5)) == [failure])
    }

    /// A link that goes down fails a probe at once, before any silence shows (the chaos run's
    /// IPv6 reach tasks did): the result is held until the coordinator is heard from again, and
    /// the silence it finished in, over 5 s, makes it `contact_lost`.
    @Test func aResultThatFinishedAsTheLinkWentDownIsHeldThenContactLost() {
        var agent = running()
        _ = agent.received(.heartbeat, now: at(2))
        let seen = TaskReport(taskID: 1, attempt: 1, outcome: .completed)
        #expect(Self.results(agent.taskFinished(seen, now: at(2.1))).isEmpty, "held at once")
        #expect(Self.results(agent.tick(now: at(3))).isEmpty, "no word since it finished")
        #expect(Self.results(agent.tick(now: at(60))).isEmpty, "held through the silence")
        #expect(agent.unacknowledgedCount == 1, "and kept")
        // The link is back; after 58 s of silence the agent said HELLO again and is welcomed.
        _ = agent.received(.welcome(.init(agentID: "a1", heartbeatSeconds: 2, leaseSeconds: 120, maxAttempts: 3)), now: at(62))
        let reported = Self.results(agent.tick(now: at(62)))
        #expect(reported.map(\.outcome) == [.contactLost])
        // The same within a heartbeat's silence goes out as it is.
        var calm = running()
        _ = calm.received(.heartbeat, now: at(2))
        _ = calm.taskFinished(seen, now: at(2.1))
        #expect(Self.results(tick(&calm, at: 4)) == [seen])
    }
}
