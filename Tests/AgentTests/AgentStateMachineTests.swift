@testable import Agent
import PeilModel
import Testing
import Wire

/// The agent's protocol logic, driven by events and instants: no socket, no clock, no probes.
@Suite("Agent state machine")
struct AgentStateMachineTests {
    typealias Action = AgentStateMachine.Action
    let start = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int(seconds * 1000)) }

    static func welcome(maxAttempts: Int = 3) -> WireMessage {
        .welcome(.init(agentID: "a1", heartbeatSeconds: 2, leaseSeconds: 120, maxAttempts: maxAttempts))
    }

    static func task(_ id: Int64, attempt: Int = 1) -> TaskAssignment {
        TaskAssignment(taskID: id, attempt: attempt, measurementID: 1, kind: .resolve, domain: "d\(id).nl", webHost: "www.d\(id).nl")
    }

    static func report(_ id: Int64, attempt: Int = 1) -> TaskReport {
        TaskReport(taskID: id, attempt: attempt, outcome: .completed)
    }

    /// A machine with concurrency 2, welcomed at t=0 (its first tick grants 2 credits).
    func welcomed(concurrency: Int = 2) -> AgentStateMachine {
        var agent = AgentStateMachine(settings: .init(name: "a1", families: [.ipv4], concurrency: concurrency), now: at(0))
        _ = agent.tick(now: at(0))
        _ = agent.received(Self.welcome(), now: at(0))
        _ = agent.tick(now: at(0))
        return agent
    }

    /// The messages sent, a RESULTS as a RESULT per report (which messages carry them:
    /// ``resultsDueTogetherGoInOneMessage()``).
    static func sent(_ actions: [Action]) -> [WireMessage] {
        actions.flatMap { action -> [WireMessage] in
            switch action {
            case .send(.results(let reports)): reports.map(WireMessage.result)
            case .send(let message): [message]
            default: []
            }
        }
    }

    static func isHello(_ message: WireMessage) -> Bool {
        if case .hello = message { true } else { false }
    }

    @Test func saysHelloEveryTwoSecondsUntilWelcomed() {
        var agent = AgentStateMachine(settings: .init(name: "a1", families: [.ipv4], concurrency: 2), now: at(0))
        #expect(Self.sent(agent.tick(now: at(0))).contains(where: Self.isHello))
        #expect(Self.sent(agent.tick(now: at(1))).isEmpty, "no HELLO, credits or heartbeat before a WELCOME")
        #expect(Self.sent(agent.tick(now: at(2.1))).contains(where: Self.isHello))
        _ = agent.received(Self.welcome(), now: at(2.5))
        #expect(Self.sent(agent.tick(now: at(5))).allSatisfy { !Self.isHello($0) })
    }

    @Test func creditsFillFreeSlotsAndNeverExceedConcurrency() {
        var agent = AgentStateMachine(settings: .init(name: "a1", families: [.ipv4], concurrency: 3), now: at(0))
        _ = agent.received(Self.welcome(), now: at(0))
        #expect(Self.sent(agent.tick(now: at(0))) == [.ready(credits: 3)])
        #expect(Self.sent(agent.tick(now: at(0.1))).isEmpty, "all slots are promised already")
        let submitted = agent.received(.tasks([Self.task(1), Self.task(2)]), now: at(0.2))
        let deadline = at(0.2) + AgentStateMachine.taskBudget(lease: .seconds(120))
        #expect(submitted == [.submit(Self.task(1), finalAttempt: 3, deadline: deadline), .submit(Self.task(2), finalAttempt: 3, deadline: deadline)])
        #expect(agent.running == 2 && agent.outstandingCredits == 1)
        #expect(Self.sent(agent.tick(now: at(0.3))).isEmpty, "two running plus one credit fill the three slots")
        _ = agent.taskFinished(Self.report(1), now: at(0.4))
        #expect(Self.sent(agent.tick(now: at(0.45))) == [.heartbeat],
                "its result is held and its lease open: no credit yet, a heartbeat asks for the coordinator's word")
        _ = agent.received(.heartbeat, now: at(0.5))
        let after = Self.sent(agent.tick(now: at(0.5)))
        #expect(after.prefix(2) == [.result(Self.report(1)), .ready(credits: 1)],
                "the result first: the coordinator clamps a READY to the slots it sees free, and the lease is open until the RESULT")
        #expect(agent.running + agent.outstandingCredits == 3)
    }

    @Test func aResultIsResentUntilAcknowledged() {
        var agent = welcomed()
        _ = agent.received(.tasks([Self.task(1)]), now: at(1))
        #expect(Self.sent(agent.taskFinished(Self.report(1), now: at(2))).isEmpty, "held until the coordinator's next word")
        #expect(!Self.sent(agent.tick(now: at(2.2))).contains(.result(Self.report(1))))
        _ = agent.received(.heartbeat, now: at(2.5))
        #expect(Self.sent(agent.tick(now: at(2.5))).contains(.result(Self.report(1))))
        _ = agent.received(.heartbeat, now: at(10))  // the coordinator is still there
        #expect(!Self.sent(agent.tick(now: at(12.4))).contains(.result(Self.report(1))), "not before the resend interval")
        #expect(Self.sent(agent.tick(now: at(12.5))).contains(.result(Self.report(1))))
        _ = agent.received(.ack(taskID: 1, attempt: 1), now: at(12.5))
        #expect(agent.unacknowledgedCount == 0)
        #expect(!Self.sent(agent.tick(now: at(30))).contains(.result(Self.report(1))))
    }

    /// Held results ask for the coordinator's word with a heartbeat: again once answered and
    /// 50 ms on, or after 1 s unanswered (a link that is down is not flooded).
    @Test func heldResultsPingTheCoordinatorSpacedAndRetried() {
        var agent = welcomed()
        _ = agent.received(.tasks([Self.task(1), Self.task(2)]), now: at(1))
        _ = agent.taskFinished(Self.report(1), now: at(1.5))
        #expect(Self.sent(agent.tick(now: at(1.5))) == [.heartbeat])
        #expect(!Self.sent(agent.tick(now: at(1.6))).contains(.heartbeat), "unanswered: no second ping yet")
        _ = agent.received(.heartbeat, now: at(1.52))
        #expect(agent.held == 0, "answered: released")
        _ = agent.taskFinished(Self.report(2), now: at(1.53))
        #expect(!Self.sent(agent.tick(now: at(1.54))).contains(.heartbeat), "50 ms after the last ping at the soonest")
        #expect(Self.sent(agent.tick(now: at(1.55))).contains(.heartbeat))
        #expect(!Self.sent(agent.tick(now: at(2.5))).contains(.heartbeat), "unanswered")
        #expect(Self.sent(agent.tick(now: at(2.55))).contains(.heartbeat), "asked again after 1 s")
    }

    /// An ACKS answers each report it names (at its attempt), and only those.
    @Test func anAcksAnswersEachReportItNames() {
        var agent = welcomed()
        _ = agent.received(.tasks([Self.task(1), Self.task(2), Self.task(3)]), now: at(1))
        for id: Int64 in [1, 2, 3] { _ = agent.taskFinished(Self.report(id), now: at(1)) }
        #expect(agent.unacknowledgedCount == 3)
        _ = agent.received(.acks([.init(taskID: 1, attempt: 1), .init(taskID: 3, attempt: 1), .init(taskID: 2, attempt: 2)]), now: at(2))
        #expect(agent.unacknowledgedCount == 1, "task 2's ACK named another attempt")
        let resent = Self.sent(agent.tick(now: at(2)))
        #expect(resent.contains(.result(Self.report(2))))
        #expect(!resent.contains(.result(Self.report(1))) && !resent.contains(.result(Self.report(3))))
    }

    /// The results due at one tick go in one RESULTS (a lone one as RESULT), in task order, at
    /// most ``WireMessage/maximumReports`` a message.
    @Test func resultsDueTogetherGoInOneMessage() {
        let count = WireMessage.maximumReports + 2
        var agent = AgentStateMachine(settings: .init(name: "a1", families: [.ipv4], concurrency: count), now: at(0))
        _ = agent.received(Self.welcome(), now: at(0))
        let ids = (1...Int64(count)).map { $0 }
        _ = agent.received(.tasks(ids.map { Self.task($0) }), now: at(1))
        for id in ids.reversed() { _ = agent.taskFinished(Self.report(id), now: at(1)) }
        _ = agent.received(.heartbeat, now: at(1))
        let messages = agent.tick(now: at(1)).compactMap { action -> WireMessage? in
            guard case .send(let message) = action else { return nil }
            switch message { case .result, .results: return message; default: return nil }
        }
        #expect(messages == [.results(ids.prefix(WireMessage.maximumReports).map { Self.report($0) }), .results(ids.suffix(2).map { Self.report($0) })])
        // One due alone goes as a RESULT.
        _ = agent.received(.acks(ids.dropLast().map { .init(taskID: $0, attempt: 1) }), now: at(2))
        _ = agent.received(.heartbeat, now: at(11.5))
        let resent = agent.tick(now: at(11.5)).compactMap { action -> WireMessage? in
            if case .send(let message) = action, case .result = message { message } else { nil }
        }
        #expect(resent == [.result(Self.report(ids.last!))])
    }

    @Test func anAckOfAnotherAttemptLeavesTheResultUnacknowledged() {
        var agent = welcomed()
        _ = agent.received(.tasks([Self.task(1, attempt: 2)]), now: at(1))
        _ = agent.taskFinished(Self.report(1, attempt: 2), now: at(1))
        _ = agent.received(.ack(taskID: 1, attempt: 1), now: at(2))
        #expect(agent.unacknowledgedCount == 1)
    }

    @Test func aWelcomeFromANewCoordinatorSendsUnacknowledgedResultsAgainAtOnce() {
        var agent = welcomed()
        _ = agent.received(.tasks([Self.task(1), Self.task(2)]), now: at(1))
        _ = agent.taskFinished(Self.report(1), now: at(2))
        _ = agent.taskFinished(Self.report(2), now: at(2))
        _ = agent.received(.ack(taskID: 2, attempt: 1), now: at(2.5))
        // The coordinator restarts: it rejects the old session, the agent says HELLO again.
        _ = agent.received(.reject(reason: "unknown session: say HELLO"), now: at(3))
        #expect(Self.sent(agent.tick(now: at(3))).contains(where: Self.isHello))
        _ = agent.received(Self.welcome(), now: at(3.5))
        let resent = Self.sent(agent.tick(now: at(3.5)))
        #expect(resent.contains(.result(Self.report(1))), "well before the 10 s resend interval")
        #expect(!resent.contains(.result(Self.report(2))), "an acknowledged result is not sent again")
        #expect(resent.contains(.ready(credits: 2)), "a new coordinator knows no credits: they are granted again")
    }

    @Test func aHelloAfterAWelcomeNamesTheSessionItHad() {
        var agent = AgentStateMachine(settings: .init(name: "a1", families: [.ipv4], concurrency: 2), now: at(0))
        let first = Self.sent(agent.tick(now: at(0))).compactMap { if case .hello(let hello) = $0 { hello } else { nil } }
        #expect(first.map(\.resumes) == [nil], "a new process has no session to resume")
        _ = agent.received(.welcome(.init(agentID: "a1", heartbeatSeconds: 2, leaseSeconds: 120, maxAttempts: 3, session: "s-1")), now: at(0.5))
        _ = agent.received(.reject(reason: "unknown session: say HELLO"), now: at(3))
        let again = Self.sent(agent.tick(now: at(3))).compactMap { if case .hello(let hello) = $0 { hello } else { nil } }
        #expect(again.map(\.resumes) == ["s-1"], "its leases pass to the new session, so its results on them still count")
    }

    @Test func aSilentCoordinatorIsGreetedAgain() {
        var agent = welcomed()
        _ = agent.received(.heartbeat, now: at(5))
        #expect(!Self.sent(agent.tick(now: at(15))).contains(where: Self.isHello))
        #expect(Self.sent(agent.tick(now: at(15.1))).contains(where: Self.isHello))
        #expect(agent.agentID == nil)
    }

    @Test func heartbeatsGoOutEveryInterval() {
        var agent = welcomed()
        #expect(Self.sent(agent.tick(now: at(1.9))).isEmpty)
        #expect(Self.sent(agent.tick(now: at(2))) == [.heartbeat])
        #expect(Self.sent(agent.tick(now: at(3))).isEmpty)
    }

    @Test func aProtocolRejectStopsTheAgent() {
        var agent = welcomed()
        let actions = agent.received(.reject(reason: "protocol 3 required, agent speaks 2"), now: at(1))
        #expect(actions == [.fail(.incompatible("protocol 3 required, agent speaks 2"))])
    }

    @Test func drainGrantsNoCreditsIgnoresNewTasksAndSaysByeOnceResultsAreAcknowledged() {
        var agent = welcomed()
        _ = agent.received(.tasks([Self.task(1)]), now: at(1))
        _ = agent.stopRequested(now: at(2))
        #expect(agent.received(.tasks([Self.task(2)]), now: at(2)).isEmpty, "a task arriving while draining is not run; BYE releases it")
        var actions = agent.tick(now: at(2))
        #expect(!Self.sent(actions).contains { if case .ready = $0 { true } else { false } })
        #expect(!actions.contains(.exit), "a task is still running")
        _ = agent.taskFinished(Self.report(1), now: at(3))
        #expect(!agent.tick(now: at(3)).contains(.exit), "its result is not acknowledged yet")
        _ = agent.received(.ack(taskID: 1, attempt: 1), now: at(4))
        actions = agent.tick(now: at(4))
        #expect(Array(actions.suffix(2)) == [.send(.bye), .exit])
    }

    @Test func drainEndsAtTheDeadlineWithWorkLeft() {
        var agent = welcomed()
        _ = agent.received(.tasks([Self.task(1)]), now: at(1))
        _ = agent.stopRequested(now: at(2))
        _ = agent.stopRequested(now: at(10))  // asked again: the first deadline holds
        #expect(!agent.tick(now: at(21.9)).contains(.exit))
        let actions = agent.tick(now: at(22))
        #expect(Array(actions.suffix(2)) == [.send(.bye), .exit])
        #expect(actions.contains { if case .log(.warning, let text) = $0 { text.contains("1 tasks running") } else { false } })
    }

    @Test func anIdleAgentStopsAtOnce() {
        var agent = welcomed()
        _ = agent.stopRequested(now: at(1))
        #expect(Array(agent.tick(now: at(1)).suffix(2)) == [.send(.bye), .exit])
    }
}
