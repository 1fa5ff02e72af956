import Foundation
import PeilModel
import Testing
@testable import Probes

/// The resolution's caps on what it keeps: addresses per host, NS names, records and bytes
/// per answer and per resolution, each named in the record's reason.
@Suite("Resolution caps")
struct AnswerCapsTests {
    static func ipv4(_ count: Int) -> [String] { (0..<count).map { "198.18.\(16 + $0 / 250).\($0 % 250 + 1)" } }

    @Test func threeThousandAddressesKeepTheFirstSixteenAndSaySo() {
        let capped = AnswerCaps.apply(rr("www.example.nl", "A", Self.ipv4(3_000)))
        #expect(capped.records == Array(Self.ipv4(3_000).sorted().prefix(16)))
        #expect(capped.reason == "3000 addresses, first 16 kept")
        #expect(capped.dnssec == .secure && capped.rcode == "NOERROR", "a cut address list is still a true answer")
    }

    @Test func anOrdinaryAnswerIsKeptAsItIs() {
        let record = rr("example.nl", "TXT", ["v=spf1 -all", "verification=1"])
        #expect(AnswerCaps.apply(record) == record)
    }

    @Test func tooManyTXTRecordsMakeAnErrorNotAShorterList() {
        let capped = AnswerCaps.apply(rr("example.nl", "TXT", (0..<100).map { "record \($0)" } + ["v=spf1 -all"]))
        #expect(capped.records.isEmpty && capped.dnssec == .error, "a cut TXT list could drop the SPF record")
        #expect(capped.reason == "answer over the cap: 101 TXT records, more than 64")
    }

    @Test func anAnswerOverTheByteCapIsAnError() {
        let capped = AnswerCaps.apply(rr("example.nl", "TXT", [String(repeating: "x", count: 20_000)]))
        #expect(capped.records.isEmpty && capped.dnssec == .error)
        #expect(capped.reason == "answer over the cap: 20000 bytes of TXT records, more than 16384")
    }

    @Test func theResolutionTotalDropsTheLargestAnswersFirst() {
        let big = (0..<20).map { rr("t\($0).example.nl", "TXT", (0..<10).map { "\($0)" + String(repeating: "y", count: 1_500) }) }
        let small = rr("example.nl", "A", ["198.18.16.1"])
        let limited = AnswerCaps.limitTotal(big + [small])
        #expect(limited.last == small)
        #expect(limited.reduce(0) { $0 + AnswerCaps.size($1) } <= AnswerCaps.maxObservationBytes)
        #expect(limited.contains { $0.reason?.contains("more than \(AnswerCaps.maxObservationBytes)") == true })
        #expect(limited.count == big.count + 1, "no record disappears: a dropped answer stays as an error")
    }

    /// 500 NS names: the procedure asks A and AAAA of 16 of them, not of 500.
    @Test func fiveHundredNameserversCostSixteenHostsOfQuestions() async throws {
        let names = (0..<500).map { "ns\($0).example.nl" }
        let resolver = TableResolver([rr("example.nl", "NS", names)] + [rr("www.example.nl", "A", Self.ipv4(3_000))])
        let observation = try await DomainResolution(resolver: resolver).resolve(domain: "example.nl")
        let nameserverQuestions = resolver.asked.filter { $0.hasPrefix("ns") && ($0.hasSuffix(" A") || $0.hasSuffix(" AAAA")) }
        #expect(nameserverQuestions.count == 2 * AnswerCaps.maxNameservers)
        #expect(observation.facts.nameservers.count == AnswerCaps.maxNameservers)
        #expect(observation.facts.web.ipv4.count == AnswerCaps.maxAddresses)
        let ns = try #require(observation.queries.first { $0.name == "example.nl" && $0.type == "NS" })
        #expect(ns.reason == "500 NS names, first 16 kept")
        #expect(ConnectPlanner.planned(observation.facts).capped.isEmpty, "the planner's caps match the resolution's")
    }
}
