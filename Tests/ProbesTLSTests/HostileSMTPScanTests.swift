import Checks
import Foundation
import LabEndpoints
import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// The hostile zoo's SMTP servers (`LabEndpoints.HostileSMTPServer`, the behaviours the lab's
/// endpoint server serves on its `smtp-*` ports) scanned through STARTTLS on loopback: each
/// scan ends with its expected outcome, its `starttls` column, and before its bound. Timeouts
/// and the greeting delay are scaled down (the rule itself: `defaultGreetingTimeout…`).
@Suite("Mail scan: slow greeting, endless reply, 421, NUL banner, plaintext after STARTTLS", .serialized, .blockingWork)
struct HostileSMTPScanTests {
    /// Room for scheduling on a loaded machine; bounds are far from what the cases cost
    /// unbounded (a reply read for ever, a scan per retry).
    static let slack: Duration = .seconds(3)

    static func options(replyTimeout: Duration) -> TLSScanOptions {
        TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: HelloLimits(connectTimeout: .seconds(1), answerTimeout: .seconds(1)),
                       retries: 1, probeEarlyData: false, smtpReplyTimeout: replyTimeout)
    }

    static func scan(_ server: HostileSMTPServer, replyTimeout: Duration = .seconds(2), budget: Duration = .seconds(30)) -> (TLSScanResult, Duration) {
        let clock = ContinuousClock()
        var result: TLSScanResult?
        let elapsed = clock.measure {
            result = TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: server.port, serverName: "mx.hostile.lab",
                                                   startTLS: .smtp(ehloName: "peil.test")),
                                     options: options(replyTimeout: replyTimeout), deadline: ProbeDeadline(.now + budget))
        }
        print("\(server.behaviour): \(result!.outcome), \(result!.handshakes) handshakes, \(server.connections) connections in \(elapsed): \(result!.detail ?? "-")")
        return (result!, elapsed)
    }

    /// The `starttls` column of a domain whose one MX host (one address) gave `result`.
    static func starttlsColumn(_ result: TLSScanResult) -> StatusCell? {
        let address = "198.18.32.1"
        let facts = DNSFacts(domain: "hostile.lab", dnssec: .secure, nsZone: "hostile.lab", nameservers: [],
                             domainAddresses: HostAddresses(host: "hostile.lab"), web: HostAddresses(host: "www.hostile.lab"), webDNSSEC: .secure,
                             mx: [MailExchanger(preference: 10, host: "mx.hostile.lab", dnssec: .secure, ipv4: [address])],
                             nullMX: false, txt: [], spf: [], dmarc: [], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
        let evidence = DomainEvidence(facts: facts, mail: [address: MailServerObservation(tls: result)])
        return MailServerColumns.evaluate(evidence, ruleSet: .internetnlCurrent) { _, _ in (false, "not judged here") }["starttls"]
    }

    /// The rule: Peil waits at least 30 s for every reply, the greeting included — longer than
    /// Internet.nl did (24 s per line in 2021, 10 s since) — so a greeting Internet.nl reads
    /// is read, and the lab's 29 s greeting is inside it.
    @Test func defaultGreetingTimeoutIsAtLeastThirtySecondsAndInternetNLs() {
        let timeout = TLSScanOptions(cipherOrderPlan: .internetnlCurrent).smtpReplyTimeout
        #expect(timeout >= .seconds(30))
        #expect(timeout >= SMTPStartTLS.internetNLReplyTimeout)
        #expect(HostileSMTPBehaviour.slowGreetingDelay < timeout)
    }

    /// A greeting just inside the reply timeout is read: the session goes on and is judged
    /// (this server offers no STARTTLS: measured, `failed`).
    @Test(.timeLimit(.minutes(1)))
    func aSlowGreetingInsideTheTimeoutIsMeasured() throws {
        let delay: Duration = .milliseconds(1_500)
        let server = try HostileSMTPServer(.slowGreeting, greetingDelay: delay)
        defer { server.stop() }
        let (result, elapsed) = Self.scan(server, replyTimeout: .seconds(3))
        #expect(result.outcome == .noStartTLS && result.detail == "STARTTLS not offered")
        #expect(server.connections == 1)
        #expect(Self.starttlsColumn(result)?.status == .failed)
        #expect(elapsed >= delay && elapsed < delay + Self.slack)
    }

    /// A greeting beyond the reply timeout: a timeout, retried once, then an error — never
    /// `failed` (nothing was measured) and never longer than the two waits.
    @Test(.timeLimit(.minutes(1)))
    func aGreetingBeyondTheTimeoutIsAnErrorNeverFailed() throws {
        let timeout: Duration = .seconds(1)
        let server = try HostileSMTPServer(.slowGreeting, greetingDelay: .seconds(4))
        defer { server.stop() }
        let (result, elapsed) = Self.scan(server, replyTimeout: timeout)
        #expect(result.outcome == .inconclusive && result.observation == nil)
        #expect(result.detail?.contains("greeting: timeout") == true, "\(result.detail ?? "-")")
        #expect(server.connections == 2, "one retry")
        let column = try #require(Self.starttlsColumn(result))
        #expect(column.status == .error, "\(column)")
        #expect(elapsed < timeout * 2 + Self.slack)
    }

    /// `250-` lines for ever: cut at the line cap, which the evidence names; retried once,
    /// then an error. Fast: the cap bites long before the reply timeout.
    @Test(.timeLimit(.minutes(1)))
    func anEndlessMultiLineReplyIsCutAtTheLineCap() throws {
        let server = try HostileSMTPServer(.endlessReply)
        defer { server.stop() }
        let timeout: Duration = .seconds(5)
        let (result, elapsed) = Self.scan(server, replyTimeout: timeout)
        #expect(result.outcome == .inconclusive && result.observation == nil)
        #expect(result.detail?.contains("EHLO: reply over the cap of \(SMTPReplyReader.maxLines) lines") == true, "\(result.detail ?? "-")")
        #expect(Self.starttlsColumn(result)?.status == .error)
        #expect(elapsed < timeout, "the cap, not the timeout, ended it")
    }

    /// 421 on every connection: the result says the service is not available (an error, never
    /// failed); one retry in the scan (the agent's back-off is bounded: `MailBackOffTests`).
    @Test(.timeLimit(.minutes(1)))
    func fourTwentyOneOnEveryConnectionSaysTheServiceIsUnavailable() throws {
        let server = try HostileSMTPServer(.unavailable)
        defer { server.stop() }
        let (result, elapsed) = Self.scan(server)
        #expect(result.outcome == .inconclusive && result.observation == nil)
        let detail = result.detail ?? ""
        #expect(detail.contains("temporary failure (4xx): greeting: 421") && detail.contains("service not available"), "\(detail)")
        #expect(server.connections == 2)
        #expect(Self.starttlsColumn(result)?.status == .error)
        #expect(elapsed < Self.slack)
    }

    /// A NUL byte in the banner and the EHLO reply: read like any text (the probe does not
    /// choke), the session judged (no STARTTLS here: failed). The reader keeps the NUL; the
    /// Store escapes it when a reply's text is stored.
    @Test(.timeLimit(.minutes(1)))
    func aBannerWithANULByteIsReadAndTheSessionJudged() throws {
        let server = try HostileSMTPServer(.nulBanner)
        defer { server.stop() }
        let (result, elapsed) = Self.scan(server)
        #expect(result.outcome == .noStartTLS && result.detail == "STARTTLS not offered")
        #expect(Self.starttlsColumn(result)?.status == .failed)
        #expect(elapsed < Self.slack)
        var reader = SMTPReplyReader()
        let banner = try #require(try reader.feed(Array("220 nul.lab ESMTP \u{0}peil-lab\r\n".utf8))?.get())
        #expect(banner.code == 220 && banner.lines == ["nul.lab ESMTP \u{0}peil-lab"])
        let decoded = try JSONDecoder().decode(TLSScanResult.self, from: JSONEncoder().encode(
            TLSScanResult(outcome: .noStartTLS, detail: "greeting refused: 554 \(banner.lines[0])")))
        #expect(decoded.detail?.contains("\u{0}") == true, "a detail with a NUL survives the wire encoding")
    }

    /// 220 to STARTTLS, then plaintext where the ServerHello was due: the handshake fails with
    /// a detail that says so, and the column is `failed` (no TLS after STARTTLS, CHECKS-MAIL.md).
    @Test(.timeLimit(.minutes(1)))
    func plaintextAfterStartTLSFailsTheHandshakeWithAClearDetail() throws {
        let server = try HostileSMTPServer(.plaintextAfterStartTLS)
        defer { server.stop() }
        let (result, elapsed) = Self.scan(server)
        #expect(result.outcome == .noTLS && result.observation == nil)
        #expect(result.detail?.contains("after 220 to STARTTLS: plaintext ('5') instead of a ServerHello") == true, "\(result.detail ?? "-")")
        let column = try #require(Self.starttlsColumn(result))
        #expect(column.status == .failed && column.because.contains("plaintext"), "\(column)")
        #expect(elapsed < Self.slack)
    }
}
