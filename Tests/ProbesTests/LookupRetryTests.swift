import PeilModel
import Synchronization
import Testing
@testable import Probes

/// A failed question asked once more: which failures, which record is kept, and the ledger
/// asking again only when the deadline leaves time.
@Suite("A failed question is asked twice")
struct LookupRetryTests {
    @Test func onlyFailuresWithoutAnAnswerAreAskedAgain() {
        #expect(LookupRetry.isWorthAskingAgain(rr("x.nl", "TXT", rcode: "SERVFAIL", .error)))
        #expect(LookupRetry.isWorthAskingAgain(rr("x.nl", "TXT", rcode: "TIMEOUT", .error)))
        #expect(LookupRetry.isWorthAskingAgain(rr("x.nl", "TXT", rcode: "ERROR", .error)))
        #expect(!LookupRetry.isWorthAskingAgain(rr("x.nl", "TXT", rcode: "SERVFAIL", .bogus)), "bogus is an answer")
        #expect(!LookupRetry.isWorthAskingAgain(rr("x.nl", "TXT", rcode: "NXDOMAIN", .secure)))
        #expect(!LookupRetry.isWorthAskingAgain(rr("x.nl", "TXT", ["v=spf1 -all"])))
        #expect(!LookupRetry.isWorthAskingAgain(AnswerDeadline.notAnswered("x.nl", .txt)), "the deadline has passed")
    }

    @Test func theSecondTryIsKeptUnlessTheDeadlineCutIt() {
        let first = rr("x.nl", "TXT", rcode: "SERVFAIL", .error, reason: "all servers failed")
        let answered = rr("x.nl", "TXT", ["v=spf1 -all"])
        let kept = LookupRetry.kept(first: first, second: answered)
        #expect(kept.records == answered.records && kept.rcode == "NOERROR" && kept.dnssec == .secure)
        #expect(kept.reason == "answered on the second try, the first SERVFAIL: all servers failed")
        #expect(LookupRetry.kept(first: first, second: AnswerDeadline.notAnswered("x.nl", .txt)) == first)
        let again = LookupRetry.kept(first: first, second: rr("x.nl", "TXT", rcode: "TIMEOUT", .error, reason: "no answer within 10 seconds"))
        #expect(again.rcode == "TIMEOUT")
        #expect(again.reason == "no answer within 10 seconds; asked twice, the first try SERVFAIL: all servers failed")
    }

    /// The domain's TXT fails once, then answers: with a retry the SPF record is seen, without
    /// one the failure stands; every other question is asked once.
    @Test func aResolutionAsksAFailedQuestionAgain() async throws {
        let quick = LookupRetry(pause: .milliseconds(20), leastTimeLeft: .milliseconds(10))
        let resolver = FailingOnce(TableResolver([rr("example.nl", "TXT", ["v=spf1 -all"])]), failing: "example.nl TXT")
        let observation = try await DomainResolution(resolver: resolver, retry: quick).resolve(domain: "example.nl")
        #expect(observation.facts.txt == ["v=spf1 -all"])
        #expect(observation.queries.first { $0.name == "example.nl" && $0.type == "TXT" }?.reason == "answered on the second try, the first SERVFAIL: all servers failed")
        #expect(resolver.asked.filter { $0 == "example.nl TXT" }.count == 2)
        #expect(resolver.asked.count == Set(resolver.asked).count + 1, "only the failed question is asked twice")

        let once = FailingOnce(TableResolver([rr("example.nl", "TXT", ["v=spf1 -all"])]), failing: "example.nl TXT")
        let without = try await DomainResolution(resolver: once).resolve(domain: "example.nl")
        #expect(without.queries.first { $0.name == "example.nl" && $0.type == "TXT" }?.rcode == "SERVFAIL")
        #expect(once.asked.filter { $0 == "example.nl TXT" }.count == 1)
    }

    /// A pause that would run past the resolution's deadline is not taken.
    @Test func noSecondTryPastTheDeadline() async throws {
        let slow = LookupRetry(pause: .seconds(30), leastTimeLeft: .seconds(1))
        let resolver = FailingOnce(TableResolver([rr("example.nl", "TXT", ["v=spf1 -all"])]), failing: "example.nl TXT")
        let started = ContinuousClock.now
        let observation = try await DomainResolution(resolver: resolver, budget: .seconds(5), retry: slow).resolve(domain: "example.nl")
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(observation.queries.first { $0.name == "example.nl" && $0.type == "TXT" }?.rcode == "SERVFAIL")
        #expect(resolver.asked.filter { $0 == "example.nl TXT" }.count == 1)
    }
}

/// Answers from a table, except that one question fails (SERVFAIL) the first time it is asked.
final class FailingOnce: DNSQuestionAnswering {
    private let table: TableResolver
    private let failing: String
    private let state = Mutex<[String]>([])

    init(_ table: TableResolver, failing: String) {
        self.table = table
        self.failing = failing
    }

    var asked: [String] { state.withLock { $0 } }

    func ask(_ name: String, _ type: DNSRecordType) async -> DNSQueryRecord {
        let key = "\(DNSNames.normalise(name)) \(type.mnemonic)"
        let first = state.withLock { asked in
            asked.append(key)
            return asked.filter { $0 == key }.count == 1
        }
        if key == failing, first {
            return DNSQueryRecord(name: DNSNames.normalise(name), type: type.mnemonic, rcode: "SERVFAIL", dnssec: .error,
                                  reason: "all servers failed", records: [])
        }
        return await table.ask(name, type)
    }
}
