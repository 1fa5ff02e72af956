import Foundation
import LabEndpoints
import PeilModel
import PeilTestSupport
import Testing
@testable import Checks
@testable import Probes

/// What the hostile zoo's HTTP and TLS answers become in the web columns (`CHECKS-WEB.md`,
/// "Hostile answers"): the exchanges are real (the in-process hostile servers), the columns
/// the ones `WebColumns` derives. No complete answer is never a failed standard.
@Suite("Web columns of the hostile zoo", .serialized, .blockingWork)
struct HostileWebColumnsTests {
    static let address = "127.0.0.1"
    static let host = "www.hostile.lab"

    /// `GET /` to a hostile HTTP server, as the agent asks it (a shorter time cap).
    static func exchange(_ behaviour: HostileHTTPBehaviour) throws -> HTTPExchange {
        let server = try HostileHTTPServer(behaviour)
        defer { server.stop() }
        let stream = try TCPStream.connect(address: address, port: server.port, deadline: .now + .seconds(2))
        defer { stream.close() }
        return HTTPClient.get(url: "http://\(host)/", host: host, over: stream, limits: HTTPLimits(timeout: .seconds(2)))
    }

    /// A web observation with TLS completed on 443 and the given exchanges.
    static func web(https: HTTPExchange? = nil, http: HTTPExchange?) -> WebObservation {
        WebObservation(tls: TLSScanResult(outcome: .completed, observation: TLSObservation()), https: https, http: http, port80: .open)
    }

    @Test(.timeLimit(.minutes(1)))
    func hostileHTTPAnswersOnPort80() throws {
        let cases: [(HostileHTTPBehaviour, Status, String)] = [
            (.slowloris, .error, "no complete response head"),
            (.endlessHead, .error, "response head over 32 KiB"),
            (.redirectLoop, .failed, "first hop 301 to http://www.hostile.lab/1, not HTTPS"),
            (.notHTTP, .passed, "no HTTP (not HTTP: the answer starts \"SSH-2.0-"),
        ]
        for (behaviour, status, because) in cases {
            let column = WebColumns.redirectColumn(Self.web(http: try Self.exchange(behaviour)), address: Self.address, host: Self.host)
            print("https_redirect, \(behaviour): \(column.status): \(column.because)")
            #expect(column.status == status, "\(behaviour): \(column.because)")
            #expect(column.because.contains(because), "\(behaviour): \(column.because)")
        }
    }

    /// The same answers over HTTPS: HSTS unknown (error) when no head came, whatever the cause.
    @Test(.timeLimit(.minutes(1)))
    func hostileHTTPSAnswersMakeHSTSUnknown() throws {
        for behaviour in [HostileHTTPBehaviour.slowloris, .endlessHead, .notHTTP] {
            let column = WebColumns.hstsColumn(Self.web(https: try Self.exchange(behaviour), http: nil), address: Self.address, ruleSet: .internetnlCurrent)
            print("hsts, \(behaviour): \(column.status): \(column.because)")
            #expect(column.status == .error, "\(behaviour): \(column.because)")
        }
    }

    /// The all-suites and long-chain TLS servers complete a scan: `tls_available` passed (TLS
    /// on 443 works as far as a ClientHello goes), `tls_ncsc` failed (insufficient suites and
    /// versions), the certificate unverified (not tested, never a failed trust).
    @Test(.timeLimit(.minutes(2)))
    func hostileTLSServersAreAvailableButInsufficient() throws {
        for behaviour in [HostileTLSBehaviour.allSuites, .longChain] {
            let server = try HostileTLSServer(behaviour)
            defer { server.stop() }
            let scan = TLSScanner.scan(TLSScanTarget(address: Self.address, port: server.port, serverName: Self.host),
                                       options: HostileTLSZooTests.options, deadline: ProbeDeadline(.now + HostileTLSZooTests.budget))
            let web = WebObservation(tls: scan, https: nil, http: nil, port80: .refused)
            let ncsc = WebColumns.tlsColumn(web, address: Self.address, ruleSet: .internetnlCurrent)
            #expect(scan.outcome == .completed, "\(behaviour): \(scan.detail ?? "-")")
            #expect(ncsc.status == .failed, "\(behaviour)")
            #expect(scan.certificate == nil, "no OpenSSL handshake: trust not tested")
            #expect(WebColumns.redirectColumn(web, address: Self.address, host: Self.host).status == .passed, "port 80 refused: no HTTP")
        }
    }
}
