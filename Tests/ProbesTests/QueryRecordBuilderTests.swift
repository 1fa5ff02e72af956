import PeilModel
import Testing
@testable import Probes

@Suite("Query records from libunbound outcomes")
struct QueryRecordBuilderTests {
    private static func packet(rcode: UInt8 = 0, _ addresses: [[UInt8]] = []) -> [UInt8] {
        var builder = PacketBuilder(rcode: rcode, question: "www.example.nl", type: 1)
        for address in addresses { builder.answer("www.example.nl", type: 1, rdata: address) }
        return builder.bytes
    }

    private static func answer(rcode: Int = 0, secure: Bool = false, bogus: Bool = false, why: String? = nil,
                               _ addresses: [[UInt8]] = []) -> UnboundOutcome {
        .answered(UnboundAnswer(rcode: rcode, secure: secure, bogus: bogus, whyBogus: why,
                                packet: packet(rcode: UInt8(rcode), addresses)))
    }

    private func build(_ validated: UnboundOutcome, _ unvalidated: UnboundOutcome? = nil) -> DNSQueryRecord {
        QueryRecordBuilder.record(name: "www.example.nl", type: .a, validated: validated, unvalidated: unvalidated, timeout: .seconds(5))
    }

    @Test func secureAnswer() {
        #expect(build(Self.answer(secure: true, [[198, 18, 16, 1]]))
            == DNSQueryRecord(name: "www.example.nl", type: "A", rcode: "NOERROR", dnssec: .secure, records: ["198.18.16.1"]))
    }

    @Test func insecureAnswersAndDenials() {
        #expect(build(Self.answer([[198, 18, 16, 1]])).dnssec == .insecure)
        let denial = build(Self.answer(rcode: 3))
        #expect(denial == DNSQueryRecord(name: "www.example.nl", type: "A", rcode: "NXDOMAIN", dnssec: .insecure, records: []))
        #expect(build(Self.answer(rcode: 3, secure: true)).dnssec == .secure)
    }

    @Test(arguments: [2, 5, 4])
    func failuresThatAreNotBogusAreErrors(rcode: Int) {
        let record = build(Self.answer(rcode: rcode))
        #expect(record.dnssec == .error)
        #expect(record.rcode == DNSResponseCode.mnemonic(rcode))
        #expect(record.records.isEmpty)
    }

    @Test func timeoutAndLocalFailure() {
        let timedOut = build(.timedOut)
        #expect(timedOut.rcode == "TIMEOUT")
        #expect(timedOut.dnssec == .error)
        #expect(timedOut.reason?.contains("5") == true)
        let failed = build(.failed("syntax error"))
        #expect(failed == DNSQueryRecord(name: "www.example.nl", type: "A", rcode: "ERROR", dnssec: .error, reason: "syntax error", records: []))
    }

    @Test func bogusTakesRecordsFromTheUnvalidatedAnswer() {
        let validated = Self.answer(rcode: 2, bogus: true, why: "signature expired")
        #expect(QueryRecordBuilder.needsUnvalidatedAnswer(validated))
        let record = build(validated, Self.answer([[198, 18, 16, 7]]))
        #expect(record == DNSQueryRecord(name: "www.example.nl", type: "A", rcode: "NOERROR", dnssec: .bogus,
                                         reason: "signature expired", records: ["198.18.16.7"]))
    }

    @Test func bogusStaysBogusWhenTheUnvalidatedAnswerFails() {
        let validated = Self.answer(rcode: 2, bogus: true, why: "DS mismatch")
        for unvalidated: UnboundOutcome? in [.timedOut, .failed("x"), nil] {
            let record = build(validated, unvalidated)
            #expect(record.dnssec == .bogus)
            #expect(record.rcode == "SERVFAIL")
            #expect(record.reason == "DS mismatch")
        }
    }

    @Test func onlyBogusAnswersAreAskedAgain() {
        #expect(!QueryRecordBuilder.needsUnvalidatedAnswer(Self.answer(rcode: 2)))
        #expect(!QueryRecordBuilder.needsUnvalidatedAnswer(.timedOut))
        #expect(!QueryRecordBuilder.needsUnvalidatedAnswer(Self.answer(secure: true)))
    }

    @Test func unreadablePacketIsAnError() {
        let record = build(.answered(UnboundAnswer(rcode: 0, secure: true, bogus: false, whyBogus: nil, packet: [0, 1, 2])))
        #expect(record.dnssec == .error)
        #expect(record.reason?.contains("truncated") == true)
    }
}
