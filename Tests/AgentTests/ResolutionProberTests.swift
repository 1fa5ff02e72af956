import Agent
import PeilModel
import Probes
import Testing

/// A resolution with a timed-out question is asked again before it is final.
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
        let prober = ResolutionProber(resolver: SlowWebHost(), finalAttempt: 3)
        for attempt in 1...2 {
            let report = await prober.run(Self.task(attempt: attempt))
            #expect(report.outcome == .timeout && report.resolution == nil, "attempt \(attempt)")
            #expect(report.detail?.contains("www.example.nl A") == true)
        }
        let last = await prober.run(Self.task(attempt: 3))
        #expect(last.outcome == .completed)
        #expect(last.resolution?.facts.webDNSSEC == .error, "the last attempt's observation is kept, with the timeout in it")
    }
}
