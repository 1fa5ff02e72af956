import Agent
import Foundation
import LabEndpoints
import PeilModel
import Probes
import Testing

/// A mail server that answers 421 on every connection (the hostile zoo's `smtp-unavailable`,
/// on loopback), through the agent's mail probe: the back-off retries are bounded by their
/// count and by the task's deadline, and the result says the service is not available (an
/// error, never a failed standard).
@Suite("Mail back-off against 421 on every connection", .serialized)
struct MailBackOffTests {
    static let slack: Duration = .seconds(3)

    /// The live SMTP scan, aimed at the loopback server whatever the task's address.
    static func probes(_ server: HostileSMTPServer) -> EndpointProbes {
        // The server refuses at its greeting, before any hello: no cipher-order lists are asked.
        let options = TLSScanOptions(cipherOrderPlan: CipherOrderPlan { _ in [] }, limits: HelloLimits(connectTimeout: .seconds(1), answerTimeout: .seconds(1)),
                                     retries: 1, probeEarlyData: false, smtpReplyTimeout: .seconds(2))
        let port = server.port
        return EndpointProbes(
            scanTLS: { _, _ in TLSScanResult(outcome: .unreachable) },
            get: { _, _, _, _ in (.refused, nil) },
            scanSMTP: { target, deadline in
                TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: port, serverName: target.host, startTLS: .smtp(ehloName: "peil.test")),
                                options: options, deadline: deadline)
            })
    }

    static func run(_ prober: ConnectProber, budget: Duration) async -> (TaskReport, Duration) {
        let task = TaskAssignment(taskID: 11, attempt: 1, measurementID: 1, kind: .mail, domain: "hostile.lab", webHost: "www.hostile.lab",
                                  family: .ipv4, target: ConnectTarget(address: "198.18.32.1", family: .ipv4, host: "mx.hostile.lab"))
        let start = ContinuousClock.now
        let report = await prober.run(task, finalAttempt: 3, deadline: ProbeDeadline(.now + budget))
        return (report, start.duration(to: .now))
    }

    /// Every back-off wait is used, then the result is final: three scans of two connections.
    @Test(.timeLimit(.minutes(1)))
    func everyBackOffIsTriedThenTheResultSaysUnavailable() async throws {
        let server = try HostileSMTPServer(.unavailable)
        defer { server.stop() }
        let backOff: [Duration] = [.milliseconds(300), .milliseconds(600)]
        let (report, elapsed) = await Self.run(ConnectProber(web: Self.probes(server), mailBackOff: backOff), budget: .seconds(30))
        let tls = try #require(report.connect?.mail?.tls)
        print("421: \(tls.outcome) after \(server.connections) connections in \(elapsed): \(tls.detail ?? "-")")
        #expect(report.outcome == .completed && tls.outcome == .inconclusive)
        #expect(tls.detail?.contains("421") == true && tls.detail?.contains("service not available") == true)
        #expect(server.connections == 6, "one scan per back-off wait and the first, two connections each")
        #expect(elapsed >= .milliseconds(900) && elapsed < .milliseconds(900) + Self.slack)
    }

    /// A back-off wait that would end past the task deadline is not started: the result stands
    /// and says why, long before the real waits (15 s, 45 s) would have ended.
    @Test(.timeLimit(.minutes(1)))
    func aWaitPastTheDeadlineIsNotStarted() async throws {
        let server = try HostileSMTPServer(.unavailable)
        defer { server.stop() }
        let budget: Duration = .seconds(5)
        let (report, elapsed) = await Self.run(ConnectProber(web: Self.probes(server)), budget: budget)
        let tls = try #require(report.connect?.mail?.tls)
        #expect(tls.outcome == .inconclusive)
        #expect(tls.detail?.contains("no retry after 15.0 seconds: the task deadline comes first") == true, "\(tls.detail ?? "-")")
        #expect(server.connections == 2)
        #expect(elapsed < Self.slack)
    }
}
