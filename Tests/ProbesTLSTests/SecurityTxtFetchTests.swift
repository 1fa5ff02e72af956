import Checks
import Foundation
import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// The security.txt fetch over real TLS against `openssl s_server -WWW` (files served from its
/// working directory, `Content-type: text/plain`, body up to the close): the fetch as a `web`
/// task makes it (``SecurityTxtProbe``, ``HTTPClient/getWithBody``), then judged.
@Suite("security.txt fetch over HTTPS", .serialized, .blockingWork)
struct SecurityTxtFetchTests {
    static func fetch(_ server: OpenSSLServer) -> SecurityTxtFetch {
        SecurityTxtProbe.fetch(now: 1_767_225_600) { path in
            let url = "https://localhost\(path)"
            do {
                let deadline = ContinuousClock.now + .seconds(5)
                let tcp = try TCPStream.connect(address: "127.0.0.1", port: server.port, deadline: deadline)
                let stream = try TLSStream.handshake(over: tcp, serverName: "localhost", deadline: deadline)
                defer { stream.close() }
                return HTTPClient.getWithBody(url: url, host: "localhost", path: path, over: stream, limits: HTTPLimits(timeout: .seconds(5)),
                                              maxBodyBytes: SecurityTxtFetch.maxBodyBytes)
            } catch {
                return (HTTPExchange(url: url, error: "\(error)"), [], false)
            }
        }
    }

    static func serve(_ text: String, at path: String, by server: OpenSSLServer) throws {
        let file = server.folder + path
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    static func judge(_ fetch: SecurityTxtFetch) -> StatusCell {
        let web = WebObservation(tls: TLSScanResult(outcome: .completed), https: HTTPExchange(url: "https://localhost/", status: 200),
                                 http: nil, port80: .refused, securityTxt: fetch)
        return SecurityTxtCheck.cell(web, address: "127.0.0.1")
    }

    @Test(.timeLimit(.minutes(1)))
    func aFileAtTheWellKnownPathIsFetchedAndJudged() throws {
        let server = try OpenSSLServer(["-WWW"])
        defer { server.stop() }
        let text = "Contact: mailto:security@example.nl\nExpires: 2026-06-01T00:00:00Z\nCanonical: https://localhost/.well-known/security.txt\n"
        try Self.serve(text, at: SecurityTxtFetch.wellKnownPath, by: server)
        let fetch = Self.fetch(server)
        #expect(fetch.exchanges.count == 1, "the legacy path is not asked after a 200")
        #expect(fetch.exchanges.first?.status == 200)
        #expect(fetch.exchanges.first?.values("Content-Type").first?.lowercased() == "text/plain")
        #expect(fetch.body == text && !fetch.bodyTruncated)
        let cell = Self.judge(fetch)
        #expect(cell.status == .info && cell.because.hasSuffix(": no_encryption, not_signed"), "\(cell.because)")
    }

    /// More than 100 KiB: the first 100 KiB are kept, the rest not read, and the fetch says so.
    @Test(.timeLimit(.minutes(1)))
    func aBodyOver100KiBIsCutAndFlagged() throws {
        let server = try OpenSSLServer(["-WWW"])
        defer { server.stop() }
        let head = "Contact: mailto:security@example.nl\nExpires: 2026-06-01T00:00:00Z\n"
        try Self.serve(head + String(repeating: "# padding padding padding padding\n", count: 5_000), at: SecurityTxtFetch.wellKnownPath, by: server)
        let fetch = Self.fetch(server)
        #expect(fetch.bodyTruncated)
        #expect(fetch.body?.utf8.count == SecurityTxtFetch.maxBodyBytes)
        #expect(fetch.body?.hasPrefix(head) == true)
        #expect(Self.judge(fetch).because.contains("first 100 KiB judged"))
    }
}
