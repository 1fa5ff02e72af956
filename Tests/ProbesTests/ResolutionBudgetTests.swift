import PeilModel
import Testing
@testable import Probes

/// A resolution ends within its budget however many of its steps wait in turn, keeping what
/// was answered before and saying which questions the deadline cut.
@Suite("Resolution budget")
struct ResolutionBudgetTests {
    /// Room for a busy machine: far below the time each test would take without its bound.
    static let slack = Duration.seconds(3)

    /// Follow-ups that name a fresh TXT name every round: 14 rounds one after another.
    static let endlessFollowUps = FollowUpQuestions { domain, answers in
        ["f\(answers.count).\(domain)"]
    }

    @Test(.timeLimit(.minutes(1)))
    func slowStepsInTurnStopAtTheBudget() async throws {
        // Each question takes 500 ms: the fixed questions, then 14 follow-up rounds, ≈ 8 s unbounded.
        let resolver = TableResolver(DomainResolutionTests.example, delay: .milliseconds(500))
        let budget = Duration.seconds(2)
        let started = ContinuousClock.now
        let observation = try await DomainResolution(resolver: resolver, followUp: Self.endlessFollowUps, budget: budget)
            .resolve(domain: "example.nl")
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < budget + Self.slack, "\(elapsed)")
        // What was answered in time is kept.
        #expect(observation.queries.first { $0.name == "example.nl" && $0.type == "SOA" }?.rcode == "NOERROR")
        #expect(observation.facts.dnssec == .secure)
        let cut = observation.queries.filter { $0.reason == AnswerDeadline.reason }
        #expect(!cut.isEmpty && cut.allSatisfy { $0.rcode == "TIMEOUT" && $0.dnssec == .error && $0.records.isEmpty })
        #expect(resolver.asked.count < DomainResolutionTests.example.count + FollowUpQuestions.maxRounds)
    }

    @Test(.timeLimit(.minutes(1)))
    func aResolverThatNeverAnswersEndsAtTheDeadlineAsError() async throws {
        let started = ContinuousClock.now
        let observation = try await DomainResolution(resolver: SilentResolver(), followUp: Self.endlessFollowUps, budget: .seconds(60))
            .resolve(domain: "example.nl", deadline: .now + .milliseconds(500))
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .milliseconds(500) + Self.slack, "the earlier of budget and deadline: \(elapsed)")
        #expect(!observation.queries.isEmpty)
        #expect(observation.queries.allSatisfy { $0.rcode == "TIMEOUT" && $0.reason == AnswerDeadline.reason })
        #expect(observation.facts.dnssec == .error)
    }

    /// Answers after 30 s, long after any test's deadline.
    struct SilentResolver: DNSQuestionAnswering {
        func ask(_ name: String, _ type: DNSRecordType) async -> DNSQueryRecord {
            try? await Task.sleep(for: .seconds(30))
            return DNSQueryRecord(name: name, type: type.mnemonic, rcode: "NOERROR", dnssec: .insecure, records: [])
        }
    }
}

/// libunbound's questions end at the resolution's deadline, not at the (longer) query timeout.
@Suite("Validating resolver and the resolution deadline", .serialized)
struct ValidatingResolverDeadlineTests {
    @Test(.timeLimit(.minutes(1)))
    func aQuestionToASilentServerEndsAtTheDeadline() async throws {
        let server = try LoopbackDNSServer { _ in nil }
        defer { server.stop() }
        let paths = try ResolverConfigurationTests.files(["anchor": ResolverConfigurationTests.anchor])
        let resolver = try ValidatingResolver(ResolverConfiguration(
            upstream: .forwarder(address: "127.0.0.1@\(server.port)"), trustAnchorFile: paths["anchor"]!,
            families: [.ipv4], queryTimeout: .seconds(20)))
        defer { resolver.shutdown() }
        let started = ContinuousClock.now
        let record = await resolver.ask("www.example.nl", .a, by: .now + .milliseconds(400))
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(5), "\(elapsed): the query timeout is 20 s")
        #expect(record.rcode == "TIMEOUT" && record.dnssec == .error && record.reason == AnswerDeadline.reason, "\(record)")
        let late = await resolver.ask("www.example.nl", .aaaa, by: .now - .seconds(1))
        #expect(late.rcode == "TIMEOUT" && late.reason == AnswerDeadline.reason, "a question past its deadline is not asked")
    }
}
