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

    /// libunbound 1.17's reasons for keys that did not come, as measured in the lab (DNSKEY
    /// answers 6 s late) and as `validator.c` words them: the zone named last is asked itself.
    @Test func aBogusForWantOfKeysNamesTheZoneToAsk() {
        func keys(_ why: String?) -> String? {
            QueryRecordBuilder.keysNotFetched(Self.answer(rcode: 2, bogus: true, why: why)).map { "\($0.type) \($0.zone)" }
        }
        #expect(keys("validation failure <rijksoverheid.nl. SOA IN>: no DNSKEY rrset for trust anchor . while building chain of trust") == "48 .")
        #expect(keys("validation failure <x.nl. A IN>: no DNSKEY rrset from 198.18.0.1 for trust anchor . while building chain of trust") == "48 .")
        #expect(keys("validation failure <_25._tcp.mail.rijksoverheid.nl. TLSA IN>: key for validation . is marked as invalid because of a previous validation failure <www.rijksoverheid.nl. CAA IN>: no DNSKEY rrset for trust anchor . while building chain of trust") == "48 .")
        #expect(keys("validation failure <www.example.nl. A IN>: No DNSKEY record from 198.18.0.2 for key example.nl. while building chain of trust") == "48 example.nl.")
        #expect(keys("validation failure <www.example.nl. A IN>: SERVFAIL no DS from 198.18.0.3 for DS example.nl. while building chain of trust") == "43 example.nl.")
        #expect(keys("validation failure <a.example.nl. A IN>: key for validation example.nl. is marked as invalid because of a previous validation failure <b.example.nl. A IN>: No DNSKEY record from 198.18.0.2 for key example.nl. while building chain of trust") == "48 example.nl.")
        for other in [
            "validation failure <www.example.nl. A IN>: DS hash mismatches key from 198.18.0.69 for key www.example.nl. while building chain of trust",
            "validation failure <www.example.nl. A IN>: signature expired from 198.18.0.2",
            "validation failure <www.example.nl. A IN>: no signatures from 198.18.0.2",
            "validation failure <example.nl. DS IN>: no DS record",
            "No DNSKEY record but no zone named",
            "no DNSKEY rrset for trust anchor ",
        ] {
            #expect(keys(other) == nil, "\(other)")
        }
        #expect(keys(nil) == nil, "bogus without a reason")
        #expect(QueryRecordBuilder.keysNotFetched(Self.answer(rcode: 2, why: "No DNSKEY record for key a.nl.")) == nil, "not bogus")
        #expect(QueryRecordBuilder.keysNotFetched(.timedOut) == nil)
    }

    @Test func keysCameWhenTheZoneSaysWhatItHolds() {
        #expect(QueryRecordBuilder.keysCame(Self.answer(rcode: 0)))
        #expect(QueryRecordBuilder.keysCame(Self.answer(rcode: 3)))
        #expect(QueryRecordBuilder.keysCame(Self.answer(rcode: 0, bogus: true)), "the non-validating context never says bogus, but an answer is an answer")
        #expect(!QueryRecordBuilder.keysCame(Self.answer(rcode: 2)))
        #expect(!QueryRecordBuilder.keysCame(Self.answer(rcode: 5)))
        #expect(!QueryRecordBuilder.keysCame(.timedOut))
        #expect(!QueryRecordBuilder.keysCame(.failed("x")))
        let bogus = build(Self.answer(rcode: 2, bogus: true, why: "No DNSKEY record for key example.nl."), Self.answer([[198, 18, 16, 7]]))
        let error = QueryRecordBuilder.keysDidNotCome(bogus, zone: "example.nl.", type: 48)
        #expect(error.dnssec == .error)
        #expect(error.rcode == "SERVFAIL")
        #expect(error.records.isEmpty)
        #expect(error.name == bogus.name && error.type == bogus.type)
        #expect(error.reason?.hasPrefix("the DNSKEY of example.nl. did not come") == true)
        #expect(error.reason?.contains("No DNSKEY record for key example.nl.") == true)
        let unchecked = QueryRecordBuilder.keysNotCheckedAfresh(bogus, zone: "example.nl.", type: 43)
        #expect(unchecked.dnssec == .error && unchecked.rcode == "SERVFAIL" && unchecked.records.isEmpty)
        #expect(unchecked.reason?.hasPrefix("the DS of example.nl. came when asked") == true)
    }

    /// Keys that come with records are published: the validator's "missing" was its own failed
    /// fetch (or its 60 s blackout after one), so the question is validated afresh.
    @Test func keysArePublishedWhenTheAnswerHoldsRecords() {
        #expect(QueryRecordBuilder.keysArePublished(Self.answer(rcode: 0, [[198, 18, 0, 1]])))
        #expect(!QueryRecordBuilder.keysArePublished(Self.answer(rcode: 0)), "NODATA: the zone holds none")
        #expect(!QueryRecordBuilder.keysArePublished(Self.answer(rcode: 3)))
        #expect(!QueryRecordBuilder.keysArePublished(Self.answer(rcode: 2, [[198, 18, 0, 1]])))
        #expect(!QueryRecordBuilder.keysArePublished(.answered(UnboundAnswer(rcode: 0, secure: false, bogus: false, whyBogus: nil, packet: [0, 1]))))
        #expect(!QueryRecordBuilder.keysArePublished(.timedOut))
    }

    @Test func unreadablePacketIsAnError() {
        let record = build(.answered(UnboundAnswer(rcode: 0, secure: true, bogus: false, whyBogus: nil, packet: [0, 1, 2])))
        #expect(record.dnssec == .error)
        #expect(record.reason?.contains("truncated") == true)
    }
}
