import COpenSSL
import Foundation

/// What a hostile TLS port does with a client's first ClientHello (the lab's hostile zoo).
public enum HostileTLSBehaviour: String, Codable, Sendable, Hashable, CaseIterable {
    /// A valid TLS 1.2 ServerHello choosing the first suite offered, then silence: the
    /// connection is held open, nothing more is sent (a tarpit).
    case tarpit
    /// The connection is reset (RST) once the ClientHello is in: the handshake dies midway.
    case reset
    /// A handshake record that claims to be a ServerHello but is cut short: garbage.
    case garbage
    /// Any ClientHello answered with the first suite offered (NULL, export, RC4 included, suites
    /// it cannot do), a ServerHelloDone, then a close: a server that "accepts" every suite.
    case allSuites = "all-suites"
    /// The first suite offered, then a Certificate message of ``HostileTLS/longChainLength``
    /// certificates and a ServerHelloDone, then a close.
    case longChain = "long-chain"
}

/// The hostile conversations, on a connected socket. Each reads at most one ClientHello
/// record and holds a connection at most ``holdSeconds``.
enum HostileTLS {
    /// Longest a tarpit holds a connection (the client gives up long before).
    static let holdSeconds = 120
    /// Largest ClientHello record read (a record's plaintext limit plus its header).
    static let maxRecord = 16_389

    /// Certificates in the ``HostileTLSBehaviour/longChain`` Certificate message.
    static let longChainLength = 200
    /// An empty ServerHelloDone message in a handshake record.
    static let serverHelloDone: [UInt8] = [0x16, 0x03, 0x03, 0x00, 0x04, 0x0E, 0x00, 0x00, 0x00]

    /// Runs `behaviour` on `descriptor` and closes it.
    static func serve(_ descriptor: Int32, _ behaviour: HostileTLSBehaviour) {
        EndpointSockets.setTimeouts(descriptor, seconds: 10)
        guard let clientHello = readRecord(descriptor) else { close(descriptor); return }
        switch behaviour {
        case .tarpit:
            if let answer = serverHello(answering: clientHello), send(descriptor, answer) { hold(descriptor) }
        case .reset:
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)  // close with RST
            setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        case .garbage:
            // Handshake record, ServerHello type, a body of 4 bytes where 38 at least are due.
            _ = send(descriptor, [0x16, 0x03, 0x03, 0x00, 0x08, 0x02, 0x00, 0x00, 0x04, 0xDE, 0xAD, 0xBE, 0xEF])
        case .allSuites:
            if let answer = serverHello(answering: clientHello) { _ = send(descriptor, answer + serverHelloDone) }
        case .longChain:
            if let answer = serverHello(answering: clientHello), let chain = longChainMessage {
                _ = send(descriptor, answer + chain + serverHelloDone)
            }
        }
        close(descriptor)
    }

    /// One TLS record (header and body); nil on close, timeout or a record too long.
    static func readRecord(_ descriptor: Int32) -> [UInt8]? {
        var record: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if record.count >= 5 {
                let length = 5 + Int(record[3]) << 8 + Int(record[4])
                guard length <= maxRecord else { return nil }
                if record.count >= length { return Array(record[..<length]) }
            }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            record += chunk[..<count]
        }
    }

    /// A TLS 1.2 ServerHello for a ClientHello record: `server_version` the client's (at most
    /// TLS 1.2), the first suite offered that is not a signalling value, no compression and
    /// no extensions. Nil when the record is not a readable ClientHello.
    static func serverHello(answering record: [UInt8]) -> [UInt8]? {
        // record header (5), handshake type and length (4), client_version (2), random (32)
        guard record.count > 43, record[0] == 0x16, record[5] == 0x01 else { return nil }
        let version = min(UInt16(record[9]) << 8 | UInt16(record[10]), 0x0303)
        var offset = 43
        let sessionIDLength = Int(record[offset])
        offset += 1 + sessionIDLength
        guard record.count >= offset + 2 else { return nil }
        let suitesLength = Int(record[offset]) << 8 | Int(record[offset + 1])
        offset += 2
        guard suitesLength >= 2, record.count >= offset + suitesLength else { return nil }
        let suites = stride(from: offset, to: offset + suitesLength - 1, by: 2).map { UInt16(record[$0]) << 8 | UInt16(record[$0 + 1]) }
        let signalling: Set<UInt16> = [0x00FF, 0x5600]
        guard let suite = suites.first(where: { !signalling.contains($0) && $0 & 0x0F0F != 0x0A0A }) else { return nil }
        var body: [UInt8] = [UInt8(version >> 8), UInt8(version & 0xFF)]
        body += (0..<32).map { _ in UInt8.random(in: 0...255) }
        body += [0x00, UInt8(suite >> 8), UInt8(suite & 0xFF), 0x00]  // empty session id, suite, null compression
        let handshake: [UInt8] = [0x02, 0x00, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
        return [0x16, 0x03, 0x03, UInt8(handshake.count >> 8), UInt8(handshake.count & 0xFF)] + handshake
    }

    /// A Certificate message of ``longChainLength`` copies of one self-signed P-256
    /// certificate, in handshake records (made once; nil if OpenSSL fails).
    static let longChainMessage: [UInt8]? = {
        guard let key = try? LabCertificates.generate("ec-p256") else { return nil }
        defer { EVP_PKEY_free(key) }
        guard let certificate = try? LabCertificates.certificate(key: key, signer: key, issuer: nil, commonName: "long chain", names: [],
                                                                 isCA: true, validity: (-3600, 86_400), serial: 1) else { return nil }
        defer { X509_free(certificate) }
        let length = i2d_X509(certificate, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_X509(certificate, &cursor)
        }
        guard written == length else { return nil }
        let entry = [UInt8(der.count >> 16), UInt8(der.count >> 8 & 0xFF), UInt8(der.count & 0xFF)] + der
        let list = Array(Array(repeating: entry, count: longChainLength).joined())
        let body = [UInt8(list.count >> 16), UInt8(list.count >> 8 & 0xFF), UInt8(list.count & 0xFF)] + list
        let message = [0x0B, UInt8(body.count >> 16), UInt8(body.count >> 8 & 0xFF), UInt8(body.count & 0xFF)] + body
        // Records of at most 16 KiB each.
        return stride(from: 0, to: message.count, by: 16_384).flatMap { start -> [UInt8] in
            let part = message[start..<min(start + 16_384, message.count)]
            return [0x16, 0x03, 0x03, UInt8(part.count >> 8), UInt8(part.count & 0xFF)] + part
        }
    }()

    /// Sends all of `bytes`; false on failure.
    static func send(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    /// Reads and drops whatever comes until the client closes, an error, or ``holdSeconds``.
    static func hold(_ descriptor: Int32) {
        let end = Date().addingTimeInterval(TimeInterval(holdSeconds))
        var chunk = [UInt8](repeating: 0, count: 4096)
        while Date() < end {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { return }
        }
    }
}

/// A loopback server (127.0.0.1, a port the kernel picks) with one hostile TLS behaviour, for
/// tests (``HostileLoopbackServer``). Stopped by `stop()`.
public final class HostileTLSServer: Sendable {
    public let behaviour: HostileTLSBehaviour
    private let server: HostileLoopbackServer
    public var port: UInt16 { server.port }

    public init(_ behaviour: HostileTLSBehaviour) throws {
        self.behaviour = behaviour
        server = try HostileLoopbackServer(name: "hostile-tls-\(behaviour.rawValue)") { HostileTLS.serve($0, behaviour) }
    }

    /// Stops accepting (connections being held end on their own).
    public func stop() { server.stop() }
}

/// A loopback listener (127.0.0.1, a port the kernel picks) that runs one conversation per
/// connection on a thread of its own, at most ``maxConnections`` at once; the hostile zoo's
/// servers for tests, without root or a lab. Stopped by `stop()`.
public final class HostileLoopbackServer: @unchecked Sendable {
    public static let maxConnections = 64
    public let port: UInt16
    private let listener: Int32
    private let serve: @Sendable (Int32) -> Void
    private let lock = NSLock()
    private var stopped = false
    private var active = 0
    private var accepted = 0

    /// Listens and starts accepting; `serve` gets each connected socket and must close it.
    public init(name: String, serve: @escaping @Sendable (Int32) -> Void) throws {
        let listener = try EndpointSockets.bound("127.0.0.1", 0, type: Int32(SOCK_STREAM.rawValue))
        guard Glibc.listen(listener, 16) == 0 else {
            close(listener)
            throw EndpointError("listen: errno \(errno)")
        }
        var address = sockaddr_in()
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &size) }
        }
        self.listener = listener
        self.serve = serve
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = name
        thread.start()
    }

    /// Stops accepting and closes the listener (connections being held end on their own).
    public func stop() { lock.withLock { stopped = true } }

    /// Connections accepted so far (also those turned away at ``maxConnections``).
    public var connections: Int { lock.withLock { accepted } }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop() {
        defer { close(listener) }
        var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        while !isStopped {
            guard poll(&entry, 1, 100) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            let admitted = lock.withLock { () -> Bool in
                accepted += 1
                guard active < Self.maxConnections else { return false }
                active += 1
                return true
            }
            guard admitted else { close(connection); continue }
            Thread { [self] in
                serve(connection)
                lock.withLock { active -= 1 }
            }.start()
        }
    }
}
