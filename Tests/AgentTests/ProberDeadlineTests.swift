@testable import Agent
import Foundation
import PeilModel
import Probes
import Testing

/// The probers keep to the task's deadline: a probe that honours it reports what it saw, one
/// that hangs is abandoned when the task is cancelled, and a resolution still running at the
/// deadline is reported as a timeout. Bounds are "by the deadline plus slack", not tight
/// timings (the machine may be busy; suites that block run off the shared pool, see
/// `BlockingWork`). What runs without a bound would hit the time limit.
@Suite("Probers and the task deadline")
struct ProberDeadlineTests {
    static let slack: Duration = .seconds(5)

    static func webTask() -> TaskAssignment {
        TaskAssignment(taskID: 9, attempt: 1, measurementID: 1, kind: .web, domain: "example.nl", webHost: "www.example.nl",
                       family: .ipv4, target: ConnectTarget(address: "198.18.16.1", family: .ipv4, host: "www.example.nl"))
    }

    /// Probes whose TLS scan runs `scan` and whose GETs answer at once.
    static func probes(scan: @escaping @Sendable (ProbeDeadline) -> TLSScanResult) -> EndpointProbes {
        EndpointProbes(scanTLS: { _, deadline in scan(deadline) },
                       get: { target, port, _, _ in (.open, HTTPExchange(url: "http://\(target.host):\(port)/", error: "stand-in")) },
                       scanSMTP: { _, _ in TLSScanResult(outcome: .unreachable) })
    }

    /// A scan that keeps going until the deadline, like a tarpit scan without its own limit.
    @Test(.timeLimit(.minutes(1)))
    func aScanCutByTheDeadlineIsReportedInconclusiveWithWhatWasSeen() async {
        let prober = ConnectProber(web: Self.probes { deadline in
            while !deadline.isReached { Thread.sleep(forTimeInterval: 0.01) }
            return TLSScanResult(outcome: .inconclusive, detail: "TLS 1.2 hello: \(deadline.reason) after 3 handshakes", handshakes: 3)
        })
        let budget: Duration = .milliseconds(500)
        let clock = ContinuousClock()
        let started = clock.now
        let report = await prober.run(Self.webTask(), finalAttempt: 3, deadline: ProbeDeadline(.now + budget))
        #expect(clock.now - started < budget + Self.slack)
        #expect(report.outcome == .completed, "the observation of what was seen goes back")
        #expect(report.connect?.web?.tls.outcome == .inconclusive)
        #expect(report.connect?.web?.tls.detail?.contains("task deadline reached") == true)
    }

    /// A scan that completes just as the deadline passes: the HTTP exchanges are not asked,
    /// and an observation without them would read as "port 80 closed" (a passed redirect),
    /// so the task reports a timeout.
    @Test(.timeLimit(.minutes(1)))
    func aCompletedScanWithoutTimeForTheExchangesIsATimeout() async {
        let prober = ConnectProber(web: Self.probes { deadline in
            while !deadline.isReached { Thread.sleep(forTimeInterval: 0.01) }
            return TLSScanResult(outcome: .completed, observation: TLSObservation(versions: [.tls13]), handshakes: 20)
        })
        let report = await prober.run(Self.webTask(), finalAttempt: 3, deadline: ProbeDeadline(.now + .milliseconds(300)))
        #expect(report.outcome == .timeout && report.connect == nil)
        #expect(report.detail == "task deadline reached after the TLS scan, before the HTTP exchanges")
    }

    /// A probe that ignores every deadline: cancelling the task raises the probe's
    /// cancellation and returns at once with `timeout`, without waiting for the thread.
    @Test(.timeLimit(.minutes(1)))
    func aHangingProbeIsAbandonedWhenTheTaskIsCancelled() async {
        let prober = ConnectProber(web: Self.probes { _ in
            Thread.sleep(forTimeInterval: 30)
            return TLSScanResult(outcome: .completed)
        })
        let cancellation = ProbeCancellation()
        let clock = ContinuousClock()
        let started = clock.now
        let running = Task { await prober.run(Self.webTask(), finalAttempt: 3, deadline: ProbeDeadline(.now + .seconds(600), cancellation: cancellation)) }
        try? await Task.sleep(for: .milliseconds(200))
        running.cancel()
        let report = await running.value
        #expect(clock.now - started < .milliseconds(200) + Self.slack)
        #expect(report.outcome == .timeout && report.connect == nil)
        #expect(report.detail?.contains("abandoned") == true)
        #expect(cancellation.isCancelled)
    }

    /// A resolver that never answers in time.
    struct SilentResolver: DNSQuestionAnswering {
        func ask(_ name: String, _ type: DNSRecordType) async -> DNSQueryRecord {
            try? await Task.sleep(for: .seconds(30))
            return DNSQueryRecord(name: name, type: type.mnemonic, rcode: "TIMEOUT", dnssec: .error, records: [])
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: [1, 3])
    func aResolutionNearTheDeadlineEndsWithWhatItSaw(attempt: Int) async {
        let task = TaskAssignment(taskID: 1, attempt: attempt, measurementID: 1, kind: .resolve, domain: "example.nl", webHost: "www.example.nl")
        let budget: Duration = .seconds(2)
        let clock = ContinuousClock()
        let started = clock.now
        let report = await ResolutionProber(resolver: SilentResolver()).run(task, finalAttempt: 3, deadline: ProbeDeadline(.now + budget))
        #expect(clock.now - started < budget + Self.slack)
        if attempt < 3 {
            #expect(report.outcome == .timeout && report.resolution == nil, "asked again")
            #expect(report.detail?.contains("questions timed out") == true)
        } else {
            // The last attempt keeps the observation: every question timed out (verdicts `error`).
            #expect(report.outcome == .completed, "\(report.detail ?? "")")
            #expect(report.resolution?.queries.isEmpty == false)
            #expect(report.resolution?.queries.allSatisfy { $0.rcode == "TIMEOUT" } == true)
        }
    }

    /// A resolver that ignores every deadline it is given and answers after 30 s.
    struct DeafResolver: DNSQuestionAnswering {
        func ask(_ name: String, _ type: DNSRecordType) async -> DNSQueryRecord {
            try? await Task.sleep(for: .seconds(30))
            return DNSQueryRecord(name: name, type: type.mnemonic, rcode: "NOERROR", dnssec: .insecure, records: [])
        }
        func ask(_ name: String, _ type: DNSRecordType, by deadline: ContinuousClock.Instant) async -> DNSQueryRecord {
            await ask(name, type)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aResolutionStillRunningAtTheDeadlineIsATimeout() async {
        let task = TaskAssignment(taskID: 1, attempt: 3, measurementID: 1, kind: .resolve, domain: "example.nl", webHost: "www.example.nl")
        let budget: Duration = .milliseconds(500)
        let clock = ContinuousClock()
        let started = clock.now
        let report = await ResolutionProber(resolver: DeafResolver()).run(task, finalAttempt: 3, deadline: ProbeDeadline(.now + budget))
        #expect(clock.now - started < budget + Self.slack)
        #expect(report.outcome == .timeout && report.resolution == nil)
        #expect(report.detail == "task deadline reached before the resolution finished")
    }
}
