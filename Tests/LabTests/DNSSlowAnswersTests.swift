import Foundation
@testable import LabEndpoints
import Testing

/// The DNS relay's slow answers (`peil lab up --slow-dns TYPE:MS`): how the option reads, which
/// question a query asks, and the delay each answer gets; and its loss (`--dns-loss`).
@Suite("DNS slow answers")
struct DNSSlowAnswersTests {
    @Test func theOptionReads() {
        #expect(DNSSlowAnswers("DNSKEY:6000") == DNSSlowAnswers(types: [48], milliseconds: 6000))
        #expect(DNSSlowAnswers("dnskey,DS:100") == DNSSlowAnswers(types: [48, 43], milliseconds: 100))
        #expect(DNSSlowAnswers("65:0") == DNSSlowAnswers(types: [65], milliseconds: 0))
        #expect(DNSSlowAnswers("CAA,TLSA:60000") == DNSSlowAnswers(types: [257, 52], milliseconds: 60_000))
    }

    @Test(arguments: ["", "DNSKEY", "DNSKEY:", ":100", "FOO:100", "DNSKEY:-1", "DNSKEY:60001", "0:10", "65536:10", "DNSKEY,:10",
                      "DNSKEY:10:20", "DNSKEY: 10", "DNSKEY:1e3"])
    func badOptionsAreRefused(text: String) {
        #expect(DNSSlowAnswers(text) == nil)
    }

    /// A query for `name` of `type`, as a resolver sends it (header, question, no EDNS).
    static func query(_ labels: [String], type: UInt16) -> [UInt8] {
        var bytes: [UInt8] = [0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]
        for label in labels { bytes += [UInt8(label.utf8.count)] + Array(label.utf8) }
        return bytes + [0, UInt8(type >> 8), UInt8(type & 0xFF), 0, 1]
    }

    @Test func theQuestionsTypeIsRead() {
        #expect(DNSSlowAnswers.questionType(Self.query(["www", "example", "nl"], type: 48)[...]) == 48)
        #expect(DNSSlowAnswers.questionType(Self.query([], type: 2)[...]) == 2, "the root")
        #expect(DNSSlowAnswers.questionType(Self.query(["nl"], type: 257)[...]) == 257)
        let whole = Self.query(["example", "nl"], type: 48)
        #expect(DNSSlowAnswers.questionType(whole.dropLast(3)) == nil, "cut inside the type")
        #expect(DNSSlowAnswers.questionType(whole.prefix(11)) == nil, "no question")
        var pointer = Array(whole.prefix(12)) + [0xC0, 0x0C, 0, 48, 0, 1]
        #expect(DNSSlowAnswers.questionType(pointer[...]) == nil, "a compression pointer in a question")
        pointer[12] = 63
        #expect(DNSSlowAnswers.questionType(pointer[...]) == nil, "a label running past the end")
        // A slice that does not start at 0 (the TCP relay drops the length prefix).
        let framed = [UInt8(0), UInt8(whole.count)] + whole
        #expect(DNSSlowAnswers.questionType(framed.dropFirst(2)) == 48)
    }

    @Test func slowTypesWaitTheirTimeAndOthersTheRTT() {
        let plan = DNSRelayPlan(rttMilliseconds: 20, routes: [], slowAnswers: DNSSlowAnswers(types: [48], milliseconds: 6000))
        #expect(plan.delay(of: Self.query(["example", "nl"], type: 48)[...]) == 6.0)
        for _ in 0..<50 {
            let other = plan.delay(of: Self.query(["example", "nl"], type: 1)[...])
            #expect((0.015...0.025).contains(other))
        }
        #expect(plan.delay(of: [1, 2, 3][...]) <= 0.025, "not a query: the RTT")
        let noRTT = DNSRelayPlan(rttMilliseconds: 0, routes: [], slowAnswers: DNSSlowAnswers(types: [48], milliseconds: 100))
        #expect(noRTT.delay(of: Self.query(["nl"], type: 6)[...]) == 0)
        #expect(noRTT.delay(of: Self.query(["nl"], type: 48)[...]) == 0.1)
    }

    /// `lab up --dns-loss`: the relay drops about that share of UDP queries, none without it;
    /// a plan written before the option reads as no loss.
    @Test func lossDropsAboutItsShare() throws {
        let none = DNSRelayPlan(rttMilliseconds: 20, routes: [])
        #expect(!(0..<1_000).contains { _ in none.dropsQuery() })
        #expect(!(0..<1_000).contains { _ in DNSRelayPlan(rttMilliseconds: 20, routes: [], lossPercent: 0).dropsQuery() })
        let half = DNSRelayPlan(rttMilliseconds: 20, routes: [], lossPercent: 50)
        let dropped = (0..<1_000).filter { _ in half.dropsQuery() }.count
        #expect((350...650).contains(dropped), "\(dropped) of 1,000 dropped at 50 %")
        let old = try JSONDecoder().decode(DNSRelayPlan.self, from: Data(#"{"rttMilliseconds":20,"routes":[]}"#.utf8))
        #expect(old.lossPercent == nil && !old.dropsQuery())
        #expect(DNSRelayPlan.lossLimits.contains(2) && !DNSRelayPlan.lossLimits.contains(51))
    }
}
