import Foundation
import Lab
import LabEndpoints
import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// The lab's endpoint server (`peil lab serve --plan`) with hostile SMTP ports on loopback: the
/// plan's `smtp-*` modes reach the behaviours `HostileSMTPServer` serves, and a mail scan of
/// each ends with its outcome within its bound — the 29 s greeting at its real length, under
/// the scan's default reply timeout (30 s).
@Suite("Lab endpoint server: hostile SMTP ports", .serialized,
       .enabled(if: TestRequirements.isMet(.peilBinary), "needs the built peil"), .blockingWork)
struct LabHostileSMTPPortTests {
    @Test(.timeLimit(.minutes(3)))
    func hostileSMTPPortsOfThePlanAreServedAndScansEndInTime() throws {
        let folder = try TestProcess.scratchFolder("hostile-smtp-ports")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let modes: [EndpointPortMode] = [.smtpSlowGreeting, .smtpEndlessReply, .smtpUnavailable, .smtpNULBanner, .smtpPlaintextAfterStartTLS]
        guard let served = try HostilePlanServer.start(modes, service: .mail, id: "mail-hostile", name: "mx.hostile.lab", starttls: true, in: folder) else { return }
        defer { served.server.stop() }
        let ports = modes.map { served.ports[$0]! }

        let defaults = TLSScanOptions(cipherOrderPlan: .internetnlCurrent)
        let options = TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: HelloLimits(connectTimeout: .seconds(1), answerTimeout: .seconds(1)),
                                     retries: 1, probeEarlyData: false, smtpReplyTimeout: defaults.smtpReplyTimeout)
        let expected: [EndpointPortMode: (TLSScanResult.Outcome, String, Duration)] = [
            .smtpSlowGreeting: (.noStartTLS, "STARTTLS not offered", HostileSMTPBehaviour.slowGreetingDelay),
            .smtpEndlessReply: (.inconclusive, "reply over the cap of \(SMTPReplyReader.maxLines) lines", .zero),
            .smtpUnavailable: (.inconclusive, "service not available", .zero),
            .smtpNULBanner: (.noStartTLS, "STARTTLS not offered", .zero),
            .smtpPlaintextAfterStartTLS: (.noTLS, "plaintext ('5') instead of a ServerHello", .zero),
        ]
        let clock = ContinuousClock()
        for (port, mode) in zip(ports, modes) {
            let (outcome, detail, wait) = try #require(expected[mode])
            var result: TLSScanResult?
            let elapsed = clock.measure {
                result = TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: port, serverName: "mx.hostile.lab", startTLS: .smtp(ehloName: "peil.test")),
                                         options: options, deadline: ProbeDeadline(.now + .seconds(100)))
            }
            let scan = try #require(result)
            print("\(mode.rawValue): \(scan.outcome), \(scan.handshakes) handshakes in \(elapsed): \(scan.detail ?? "-")")
            #expect(scan.outcome == outcome && scan.observation == nil, "\(mode.rawValue)")
            #expect(scan.detail?.contains(detail) == true, "\(mode.rawValue): \(scan.detail ?? "-")")
            #expect(elapsed >= wait && elapsed < wait + .seconds(3), "\(mode.rawValue)")
        }
    }
}
