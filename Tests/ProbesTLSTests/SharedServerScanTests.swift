import Checks
import Foundation
import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// Shared hosting (``TLSServerScanCache``): a second host on the same `openssl s_server` with
/// the same version hellos and chain takes the first scan's server-wide parameters and gets the
/// observation a full scan of it gets, in fewer handshakes; a host served another certificate
/// is scanned in full.
@Suite("TLS scans shared by the hosts of one server", .serialized, .blockingWork)
struct SharedServerScanTests {
    static func options(_ cache: TLSServerScanCache?) throws -> TLSScanOptions {
        TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: HelloLimits(connectTimeout: .seconds(2), answerTimeout: .seconds(3)),
                       trustStorePEMFile: try TestPKI.shared.get().caFile, scanPlan: .internetnl, serverScans: cache)
    }

    static let mixedServer = ["-tls1_2", "-serverpref", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA256:AES128-SHA:@SECLEVEL=0"]

    @Test(.timeLimit(.minutes(2)))
    func aSecondHostWithTheSameHellosAndChainTakesTheServerWideParameters() throws {
        let server = try OpenSSLServer(Self.mixedServer)
        defer { server.stop() }
        let cache = TLSServerScanCache()
        let first = TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: server.port, serverName: "localhost"), options: try Self.options(cache))
        let secondTarget = TLSScanTarget(address: "127.0.0.1", port: server.port, serverName: "www.example.test")
        let second = TLSScanner.scan(secondTarget, options: try Self.options(cache))
        let alone = TLSScanner.scan(secondTarget, options: try Self.options(nil))
        print("shared server: first host \(first.handshakes) handshakes, second \(second.handshakes), second alone \(alone.handshakes)")
        #expect([first.outcome, second.outcome, alone.outcome] == [.completed, .completed, .completed])
        #expect(first.serverScanReused == nil && second.serverScanReused == true && alone.serverScanReused == nil)
        #expect(second.observation == alone.observation, "the taken-over scan equals the host's own full scan")
        #expect(second.certificate == alone.certificate && second.certificate?.nameMatches == false, "the name is checked per host")
        #expect(first.certificate?.nameMatches == true)
        #expect(second.handshakes < alone.handshakes)
        for ruleSet in RuleSet.allCases {
            let (o, a) = (try #require(second.observation), try #require(alone.observation))
            #expect(TLSEvaluation.evaluate(o, ruleSet: ruleSet) == TLSEvaluation.evaluate(a, ruleSet: ruleSet))
        }
        #expect(cache.counts.endpoints == 1 && cache.counts.reused == 1 && cache.counts.kept == 1)
    }

    /// A Python `ssl` server that answers `other.test` with another chain and every name alike
    /// otherwise (the same hellos: the SNI callback accepts both names), one thread a connection.
    static let sniServer = """
        import socket, ssl, sys, threading
        port, cert, key, cert2, key2 = int(sys.argv[1]), *sys.argv[2:6]
        def context(c, k):
            x = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); x.load_cert_chain(c, k); return x
        main, other = context(cert, key), context(cert2, key2)
        def pick(sock, name, _):
            if name == "other.test": sock.context = other
        main.sni_callback = pick
        listener = socket.create_server(("127.0.0.1", port))
        def serve(conn):
            conn.settimeout(5)
            try:
                with main.wrap_socket(conn, server_side=True) as tls: tls.recv(1)
            except Exception: conn.close()
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
        """

    @Test(.timeLimit(.minutes(2)))
    func aHostServedAnotherCertificateIsScannedInFull() throws {
        let pki = try TestPKI.shared.get()
        let folder = try LoopbackTLSServers.scratch()
        try Self.sniServer.write(toFile: folder + "/sni.py", atomically: true, encoding: .utf8)
        let (server, port) = try LoopbackTLSServers.start("/usr/bin/python3", { port in
            [folder + "/sni.py", String(port), pki.chainFile, pki.leafKey, pki.selfSignedFile, pki.selfSignedKey]
        }, in: folder)
        defer { server.stop() }
        let cache = TLSServerScanCache()
        let first = TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: port, serverName: "localhost"), options: try Self.options(cache))
        let other = TLSScanTarget(address: "127.0.0.1", port: port, serverName: "other.test")
        // The hellos are answered alike: with the chain left out of the fingerprint, this
        // second scan takes over the first (checked: the test then fails).
        let second = TLSScanner.scan(other, options: try Self.options(cache))
        let alone = TLSScanner.scan(other, options: try Self.options(nil))
        #expect([first.outcome, second.outcome] == [.completed, .completed], "\(first.detail ?? "") \(second.detail ?? "")")
        #expect(first.certificate?.chainDER != second.certificate?.chainDER, "the server presents another chain for other.test")
        #expect(second.serverScanReused == nil)
        #expect(second.handshakes == alone.handshakes, "a full scan")
        #expect(second.observation == alone.observation)
        // The full scan replaced the kept one: a third look at other.test takes it over.
        let third = TLSScanner.scan(other, options: try Self.options(cache))
        #expect(third.serverScanReused == true && third.observation == alone.observation)
    }

    @Test
    func keptScansExpireAndTheOldestGoFirst() {
        let cache = TLSServerScanCache(capacity: 2, lifetime: .seconds(60))
        let start = ContinuousClock.now
        let scan = TLSServerWideScan(accepted: [.tls12: []], hidden: [:], cipherChoices: [], keyExchanges: [])
        func key(_ n: Int) -> TLSServerScanCache.Key { .init(address: "198.18.0.\(n)", port: 443, startTLS: .none) }
        cache.keep(scan, for: key(1), fingerprint: "a", now: start)
        cache.keep(scan, for: key(2), fingerprint: "a", now: start + .seconds(1))
        #expect(cache.scan(for: key(1), matching: "a", now: start + .seconds(2)) != nil)
        #expect(cache.scan(for: key(1), matching: "b", now: start + .seconds(2)) == nil, "another fingerprint")
        #expect(cache.scan(for: key(1), matching: "a", now: start + .seconds(61)) == nil, "too old")
        #expect(cache.scan(for: TLSServerScanCache.Key(address: "198.18.0.1", port: 25, startTLS: .smtp(ehloName: "x")),
                           matching: "a", now: start + .seconds(2)) == nil, "another port and mode")
        cache.keep(scan, for: key(3), fingerprint: "a", now: start + .seconds(2))
        #expect(cache.counts.endpoints == 2)
        #expect(cache.scan(for: key(1), matching: "a", now: start + .seconds(3)) == nil, "the oldest went")
        #expect(cache.scan(for: key(3), matching: "a", now: start + .seconds(3)) != nil)
        // A hostile server's megabytes of DHE primes are not kept, and drop what was kept.
        var heavy = scan
        heavy.keyExchanges = (0..<8).map { .dhe(primeHex: String(repeating: "F", count: 4_096 + $0), generator: 2, bits: 16_384) }
        #expect(heavy.approximateBytes > TLSServerWideScan.maxKeptBytes && scan.approximateBytes < 1_024)
        cache.keep(heavy, for: key(3), fingerprint: "a", now: start + .seconds(3))
        #expect(cache.scan(for: key(3), matching: "a", now: start + .seconds(4)) == nil)
    }

    @Test
    func aFingerprintNeedsConclusiveHellosAndAChain() {
        let chain = TLSCertificateVerification(trusted: true, chainDER: ["MIIB"])
        // The SHA-256 of the answers and the chain (`printf 'hello 771: alert 2 40\nchain MIIB' | sha256sum`).
        #expect(TLSServerFingerprint.of(answers: ["hello 771: alert 2 40"], certificate: chain)
                 == "sha256 ebc52a40165afa6ad8f93f46330eaf4dcb544c5f06299fb3f8096995329a9f05")
        #expect(TLSServerFingerprint.of(answers: ["hello 771: alert 2 41"], certificate: chain)
                 != TLSServerFingerprint.of(answers: ["hello 771: alert 2 40"], certificate: chain))
        #expect(TLSServerFingerprint.of(answers: ["hello 771: alert 2 40"], certificate: TLSCertificateVerification(trusted: true, chainDER: ["MIIC"]))
                 != TLSServerFingerprint.of(answers: ["hello 771: alert 2 40"], certificate: chain))
        #expect(TLSServerFingerprint.of(answers: ["hello 771: alert 2 40", "hello 772: inconclusive"], certificate: chain) == nil)
        #expect(TLSServerFingerprint.of(answers: ["hello 771: alert 2 40"], certificate: nil) == nil)
        #expect(TLSServerFingerprint.of(answers: ["hello 771: alert 2 40"], certificate: TLSCertificateVerification(trusted: false)) == nil)
        #expect(TLSServerFingerprint.answer(.tls12, HelloExchange(outcome: .timeout)).hasSuffix(" inconclusive"))
        #expect(TLSServerFingerprint.answer(.tls12, HelloExchange(outcome: .closed)) == "hello 771: closed")
    }

    /// Every observation field is either taken over or measured per host: a new field fails
    /// here until it is placed in one of the two lists.
    @Test
    func everyObservationFieldIsServerWideOrPerHost() {
        let labels = Set(Mirror(reflecting: TLSObservation()).children.compactMap(\.label))
        #expect(TLSServerWideScan.serverWideFields.isDisjoint(with: TLSServerWideScan.perHostFields))
        #expect(TLSServerWideScan.serverWideFields.union(TLSServerWideScan.perHostFields) == labels)
    }
}
