@testable import Agent
import PeilModel
import Probes
import Testing
import Wire

/// A resolution with a timed-out question is asked again before it is final, and which
/// attempt is final is the coordinator's to say (WELCOME), not the agent's.
@Suite("Resolution prober")
struct ResolutionProberTests {
    /// Answers every question NXDOMAIN, except that the web host's A times out.
    struct SlowWebHost: DNSQuestionAnswering {
        func ask(_ name: String, _ type: DNSRecordType) async -> DNSQueryRecord {
            if name == "www.example.nl", type == .a {
                return DNSQueryRecord(name: name, type: type.mnemonic, rcode: "TIMEOUT", dnssec: .error, reason: "no answer within 45.0 seconds", records: [])
            }
            return DNSQueryRecord(name: name, type: type.mnemonic, rcode: "NXDOMAIN", dnssec: .insecure, records: [])
        }
    }

    static func task(attempt: Int) -> TaskAssignment {
        TaskAssignment(taskID: 1, attempt: attempt, measurementID: 1, kind: .resolve, domain: "example.nl", webHost: "www.example.nl", family: .ipv4)
    }

    @Test func timeoutsAreRetriedUntilTheFinalAttempt() async {
        let prober = ResolutionProber(resolver: SlowWebHost())
        for attempt in 1...2 {
            let report = await prober.run(Self.task(attempt: attempt), finalAttempt: 3)
            #expect(report.outcome == .timeout && report.resolution == nil, "attempt \(attempt)")
            #expect(report.detail?.contains("www.example.nl A") == true)
        }
        let last = await prober.run(Self.task(attempt: 3), finalAttempt: 3)
        #expect(last.outcome == .completed)
        #expect(last.resolution?.facts.webDNSSEC == .error, "the last attempt's observation is kept, with the timeout in it")
    }

    /// Attempts lost to the agent's network (`contact_lost`, an agent gone) use none of the
    /// task's attempts: the third lease after two of them is the first counted attempt, and a
    /// timed-out question is asked again, not kept as the final observation.
    @Test func attemptsLostToContactDoNotMakeAnAttemptFinal() async {
        var task = Self.task(attempt: 3)
        task.freeAttempts = 2
        let report = await ResolutionProber(resolver: SlowWebHost()).run(task, finalAttempt: 3)
        #expect(report.outcome == .timeout && report.resolution == nil)
        task.freeAttempts = 0
        #expect(await ResolutionProber(resolver: SlowWebHost()).run(task, finalAttempt: 3).outcome == .completed)
    }

    /// With `--max-attempts 2` the second attempt is the last: its resolution is kept, not
    /// turned into a timeout the coordinator would end as not_testable (the bug: the agent
    /// assumed 3 attempts whatever the coordinator said).
    @Test func theCoordinatorsMaxAttemptsFromWelcomeMakeTheSecondAttemptFinal() async throws {
        let start = ContinuousClock.now
        var agent = AgentStateMachine(settings: .init(name: "a1", families: [.ipv4], concurrency: 1), now: start)
        _ = agent.received(.welcome(.init(agentID: "a1", heartbeatSeconds: 2, leaseSeconds: 120, maxAttempts: 2)), now: start)
        let actions = agent.received(.tasks([Self.task(attempt: 2)]), now: start)
        guard case .submit(let task, let finalAttempt, _)? = actions.first, actions.count == 1 else {
            Issue.record("expected one submit, got \(actions)")
            return
        }
        #expect(finalAttempt == 2)
        let report = await ResolutionProber(resolver: SlowWebHost()).run(task, finalAttempt: finalAttempt)
        #expect(report.outcome == .completed)
        #expect(report.resolution?.facts.webDNSSEC == .error)
    }
}
