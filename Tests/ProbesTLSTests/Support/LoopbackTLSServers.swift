import Foundation
import PeilTestSupport
@testable import Probes

/// Real TLS servers on 127.0.0.1 for the probe tests: tlslite-ng (legacy) and `openssl s_server`
/// (modern), with a throwaway self-signed certificate. Nothing leaves loopback.
enum LoopbackTLSServers {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static let repository = TestPaths.repository.path

    /// `var/venv-tlslite/bin/tls.py`, installed by `ops/tlslite` when missing (PyPI).
    static func tlsliteScript() throws -> String {
        let script = repository + "/var/venv-tlslite/bin/tls.py"
        if FileManager.default.isExecutableFile(atPath: script) { return script }
        let folder = try scratch()
        let installer = try TestProcess(repository + "/ops/tlslite", [], log: folder + "/install.log")
        guard installer.wait(timeout: .seconds(300)) == 0, FileManager.default.isExecutableFile(atPath: script) else {
            installer.stop()
            throw Failure(description: "ops/tlslite failed: \(installer.output)")
        }
        return script
    }

    /// A fresh folder with `cert.pem` and `key.pem`: RSA 2048, CN=localhost, CA:FALSE.
    static func certificate() throws -> String {
        let folder = try scratch()
        let openssl = try TestProcess("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem",
            "-days", "2", "-subj", "/CN=localhost", "-addext", "basicConstraints=critical,CA:FALSE",
        ], log: folder + "/openssl.log")
        guard openssl.wait(timeout: .seconds(30)) == 0 else { throw Failure(description: "openssl req: \(openssl.output)") }
        return folder
    }

    /// Starts a server command whose last word is the port, and waits until it accepts.
    static func start(_ program: String, _ arguments: (UInt16) -> [String], in folder: String,
                      holdStdinOpen: Bool = false) throws -> (TestProcess, UInt16) {
        let port = try freePort()
        let child = try TestProcess(program, arguments(port), log: folder + "/server.log", directory: folder, holdStdinOpen: holdStdinOpen)
        for _ in 0..<100 {
            if accepts(port: port) { return (child, port) }
            if child.wait(timeout: .milliseconds(100)) != nil { break }
        }
        child.stop()
        throw Failure(description: "\(program) did not start: \(child.output)")
    }

    static func scratch() throws -> String {
        try ScratchFolders.make("peil-tls").path
    }

    /// A port the kernel just handed out on 127.0.0.1 (closed again before use).
    static func freePort() throws -> UInt16 {
        let listener = try SilentListener()
        return listener.port
    }

    /// Whether a TCP connect to 127.0.0.1:port succeeds right now.
    static func accepts(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = SilentListener.loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

/// A TCP listener on 127.0.0.1 that never accepts or answers: connects succeed (the backlog),
/// hellos go unanswered. Closed on deinit.
final class SilentListener: @unchecked Sendable {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 16) == 0 else {
            if fd >= 0 { close(fd) }
            throw POSIXError(.EADDRNOTAVAIL)
        }
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &size) }
        }
        self.fd = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(fd) }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
