import Foundation
import PeilTestSupport

/// A throwaway PKI made with the `openssl` CLI in a temp folder: a CA (`ca.pem`, the tests'
/// trust store), a CA-signed leaf for `localhost` with an OCSP URL (`chain.pem` = leaf + CA,
/// `leaf.key`), a self-signed leaf (`self.pem`, `self.key`), a stapleable OCSP response for
/// the leaf (`ocsp.der`) and the RFC 7919 ffdhe2048 parameters (`ffdhe2048.pem`). Made once
/// per test process.
struct TestPKI: Sendable {
    let folder: String

    var caFile: String { folder + "/ca.pem" }
    var chainFile: String { folder + "/chain.pem" }
    var leafFile: String { folder + "/leaf.pem" }
    var leafKey: String { folder + "/leaf.key" }
    var selfSignedFile: String { folder + "/self.pem" }
    var selfSignedKey: String { folder + "/self.key" }
    var ocspResponse: String { folder + "/ocsp.der" }
    var ffdhe2048: String { folder + "/ffdhe2048.pem" }

    static let shared: Result<TestPKI, LoopbackTLSServers.Failure> = {
        do { return .success(try make()) } catch { return .failure(LoopbackTLSServers.Failure(description: "\(error)")) }
    }()

    static func make() throws -> TestPKI {
        let folder = try LoopbackTLSServers.scratch()
        let pki = TestPKI(folder: folder)
        let leafExtensions = "basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:localhost\n"
            + "authorityInfoAccess=OCSP;URI:http://127.0.0.1:9/ocsp\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
        try leafExtensions.write(toFile: folder + "/leaf.ext", atomically: true, encoding: .utf8)
        try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                 "-subj", "/CN=Peil Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign"], in: folder)
        try run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost"], in: folder)
        try run(["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "4242", "-days", "2",
                 "-sha256", "-extfile", "leaf.ext", "-out", "leaf.pem"], in: folder)
        try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out", "self.pem", "-days", "2",
                 "-subj", "/CN=localhost", "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "subjectAltName=DNS:localhost"],
                in: folder)
        try run(["genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048", "-out", "ffdhe2048.pem"], in: folder)
        let leaf = try String(contentsOfFile: folder + "/leaf.pem", encoding: .utf8)
        let ca = try String(contentsOfFile: folder + "/ca.pem", encoding: .utf8)
        try (leaf + ca).write(toFile: pki.chainFile, atomically: true, encoding: .utf8)
        // An OCSP responder database with the leaf "valid", a request for it, the signed answer.
        try "V\t301231235959Z\t\t1092\tunknown\t/CN=localhost\n".write(toFile: folder + "/index.txt", atomically: true, encoding: .utf8)
        try run(["ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce", "-reqout", "ocsp-request.der"], in: folder)
        try run(["ocsp", "-index", "index.txt", "-rsigner", "ca.pem", "-rkey", "ca.key", "-CA", "ca.pem",
                 "-reqin", "ocsp-request.der", "-respout", "ocsp.der", "-ndays", "2"], in: folder)
        return pki
    }

    /// Runs `openssl` with `arguments` in `folder`; throws with its output when it fails.
    static func run(_ arguments: [String], in folder: String) throws {
        let child = try TestProcess("/usr/bin/openssl", arguments, log: folder + "/openssl-\(UUID().uuidString).log", directory: folder)
        guard child.wait(timeout: .seconds(60)) == 0 else {
            child.stop()
            throw LoopbackTLSServers.Failure(description: "openssl \(arguments.joined(separator: " ")): \(child.output)")
        }
    }
}

/// An `openssl s_server` on 127.0.0.1 with the test PKI, stopped by `stop()` (or on deinit).
final class OpenSSLServer: @unchecked Sendable {
    let process: TestProcess
    let port: UInt16
    /// The server's working directory (its log; with `-WWW`, the files it serves).
    let folder: String

    /// `arguments` come after `-accept`, `-cert`/`-key` (the CA-signed leaf and the CA as its
    /// chain, unless given) and `-quiet`.
    init(_ arguments: [String], certificate: String? = nil, key: String? = nil) throws {
        let pki = try TestPKI.shared.get()
        folder = try LoopbackTLSServers.scratch()
        let identity = certificate.map { ["-cert", $0, "-key", key ?? pki.selfSignedKey] }
            ?? ["-cert", pki.leafFile, "-cert_chain", pki.caFile, "-key", pki.leafKey]
        (process, port) = try LoopbackTLSServers.start("/usr/bin/openssl", { port in
            ["s_server", "-accept", "127.0.0.1:\(port)"] + identity + ["-quiet", "-naccept", "1000"] + arguments
        }, in: folder, holdStdinOpen: true)
    }

    /// Stops the server and removes its log folder.
    func stop() {
        process.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    deinit { stop() }
}
