import Agent
import Foundation
import PeilModel
import Probes
import Synchronization
import Testing

/// The connect prober with stand-in probes: the network fence, task kinds, and the back-off
/// after a mail server's temporary refusal.
@Suite("Connect prober")
struct ConnectProberTests {
    static func task(_ kind: TaskKind, _ address: String) -> TaskAssignment {
        TaskAssignment(taskID: 7, attempt: 1, measurementID: 1, kind: kind, domain: "mx.example.nl", webHost: "mx.example.nl",
                       family: ConnectTarget.family(of: address), target: ConnectTarget(address: address, family: ConnectTarget.family(of: address), host: "mx.example.nl"))
    }

    /// How many times a probe ran.
    final class Counter: Sendable {
        private let value = Mutex(0)
        func next() -> Int { value.withLock { count in defer { count += 1 }; return count } }
        var count: Int { value.withLock { $0 } }
    }

    /// Probes that answer from a script: scanSMTP returns the next scripted result.
    static func probes(smtp script: [TLSScanResult], calls: Counter) -> EndpointProbes {
        EndpointProbes(
            scanTLS: { _, _ in TLSScanResult(outcome: .unreachable) },
            get: { target, _, _, _ in (.open, HTTPExchange(url: "http://\(target.host)/", error: "not used")) },
            scanSMTP: { _, _ in
                let index = calls.next()
                return script[min(index, script.count - 1)]
            })
    }

    @Test func aTemporaryRefusalIsRetriedAfterABackOff() async {
        let calls = Counter()
        let busy = TLSScanResult(outcome: .inconclusive, detail: "temporary failure (4xx): EHLO: 421 too many connections", handshakes: 1)
        let fine = TLSScanResult(outcome: .completed, observation: TLSObservation(versions: [.tls12]), handshakes: 30)
        let prober = ConnectProber(web: Self.probes(smtp: [busy, fine], calls: calls), mailBackOff: [.milliseconds(10), .milliseconds(10)])
        let report = await prober.run(Self.task(.mail, "198.18.32.1"), finalAttempt: 3)
        #expect(report.outcome == .completed)
        #expect(report.connect?.mail?.tls.outcome == .completed)
        #expect(report.connect?.mail?.tls.handshakes == 31, "handshakes of every try are counted")
        #expect(calls.count == 2)
    }

    @Test func aServerThatKeepsRefusingEndsInconclusiveNotFailed() async {
        let calls = Counter()
        let busy = TLSScanResult(outcome: .inconclusive, detail: "temporary failure (4xx): STARTTLS: 454 TLS not available", handshakes: 1)
        let prober = ConnectProber(web: Self.probes(smtp: [busy], calls: calls), mailBackOff: [.milliseconds(10), .milliseconds(10)])
        let report = await prober.run(Self.task(.mail, "2001:2:0:25::1"), finalAttempt: 3)
        #expect(report.connect?.mail?.tls.outcome == .inconclusive)
        #expect(calls.count == 3, "one scan and one per back-off wait")
    }

    @Test func aNoStartTLSAnswerIsFinalAtOnce() async {
        let calls = Counter()
        let plain = TLSScanResult(outcome: .noStartTLS, detail: "STARTTLS not offered", handshakes: 1)
        let prober = ConnectProber(web: Self.probes(smtp: [plain], calls: calls), mailBackOff: [.milliseconds(10)])
        _ = await prober.run(Self.task(.mail, "198.18.32.1"), finalAttempt: 3)
        #expect(calls.count == 1)
    }

    @Test func theWebProbeTakesPort80FromItsOwnConnection() async {
        let probes = EndpointProbes(
            scanTLS: { _, _ in TLSScanResult(outcome: .completed, observation: TLSObservation(versions: [.tls13])) },
            get: { target, port, secure, _ in
                port == 80 ? (.refused, nil) : (.open, HTTPExchange(url: "https://\(target.host)/", status: secure ? 200 : nil))
            },
            scanSMTP: { _, _ in TLSScanResult(outcome: .unreachable) })
        let report = await ConnectProber(web: probes).run(Self.task(.web, "198.18.16.1"), finalAttempt: 3)
        let web = report.connect?.web
        #expect(web?.port80 == .refused && web?.http == nil)
        #expect(web?.https?.status == 200)
    }

    /// Where HTTPS answered, the web probe fetches security.txt last and stores the fetch;
    /// without an HTTPS answer it does not (nil: not fetched).
    @Test func theWebProbeStoresTheSecurityTxtFetchWhereHTTPSAnswered() async {
        let fetch = SecurityTxtFetch(exchanges: [HTTPExchange(url: "https://mx.example.nl/.well-known/security.txt", status: 404)], fetchedAt: 1)
        func probes(httpsStatus: Int?) -> EndpointProbes {
            EndpointProbes(
                scanTLS: { _, _ in TLSScanResult(outcome: .completed, observation: TLSObservation(versions: [.tls13])) },
                get: { target, port, _, _ in port == 80 ? (.refused, nil) : (.open, HTTPExchange(url: "https://\(target.host)/", status: httpsStatus)) },
                scanSMTP: { _, _ in TLSScanResult(outcome: .unreachable) },
                securityTxt: { target, _ in target.host == "mx.example.nl" && target.address == "198.18.16.1" ? fetch : nil })
        }
        let task = Self.task(.web, "198.18.16.1")
        let answered = await ConnectProber(web: probes(httpsStatus: 200)).run(task, finalAttempt: 3)
        #expect(answered.connect?.web?.securityTxt == fetch)
        let silent = await ConnectProber(web: probes(httpsStatus: nil)).run(task, finalAttempt: 3)
        #expect(silent.connect?.web != nil && silent.connect?.web?.securityTxt == nil)
    }

    @Test func addressesOutsideTheLabAreNotProbed() async {
        let calls = Counter()
        let prober = ConnectProber(web: Self.probes(smtp: [TLSScanResult(outcome: .completed)], calls: calls))
        for address in ["10.0.0.1", "192.168.1.1", "8.8.8.8", "2a00::1"] {
            let report = await prober.run(Self.task(.mail, address), finalAttempt: 3)
            #expect(report.outcome == .notPermitted && report.detail?.contains("outside") == true, "\(address)")
        }
        #expect(calls.count == 0)
    }

    /// `--any-upstream`: public addresses only. The zoo's special-purpose addresses are refused
    /// before any probe runs, each report naming the block; a public address is probed.
    @Test func theFieldFenceRefusesSpecialPurposeAddresses() async {
        let calls = Counter()
        let prober = ConnectProber(web: Self.probes(smtp: [TLSScanResult(outcome: .completed)], calls: calls), fence: .publicOnly)
        let cases = ["127.0.0.2": "RFC 1122 loopback", "10.0.0.1": "RFC 1918 private-use", "169.254.169.254": "RFC 3927 link-local",
                     "::1": "RFC 4291 loopback", "fd00::1": "RFC 4193 unique-local", "198.18.32.1": "RFC 2544 benchmarking",
                     "::ffff:127.0.0.1": "via RFC 4291 IPv4-mapped"]
        for (address, block) in cases {
            for kind in [TaskKind.reach, .web, .nameserver, .mail] {
                let report = await prober.run(Self.task(kind, address), finalAttempt: 3)
                #expect(report.outcome == .notPermitted && report.connect == nil, "\(kind) \(address): not a measurement")
                #expect(report.detail?.hasPrefix("not probed: \(address) is a special-purpose address (") == true, "\(report.detail ?? "")")
                #expect(report.detail?.contains(block) == true, "\(report.detail ?? "")")
            }
        }
        #expect(calls.count == 0, "no probe ran")
        let report = await prober.run(Self.task(.mail, "193.0.14.129"), finalAttempt: 3)
        #expect(report.outcome == .completed && calls.count == 1, "a public address is probed")
    }
}
