import COpenSSL
import Foundation

/// One accepted connection, plain or (after `startTLS`) over OpenSSL, with bounded reads.
final class EndpointChannel {
    let descriptor: Int32
    private var ssl: OpaquePointer?
    private var buffer: [UInt8] = []

    init(descriptor: Int32, timeoutSeconds: Int) {
        self.descriptor = descriptor
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        if let ssl {
            SSL_shutdown(ssl)
            SSL_free(ssl)
        }
        close(descriptor)
    }

    /// TLS server handshake with `context`; false when it fails or times out.
    func startTLS(_ context: OpaquePointer) -> Bool {
        guard let ssl = SSL_new(context) else { return false }
        self.ssl = ssl
        buffer.removeAll()
        SSL_set_fd(ssl, descriptor)
        return SSL_accept(ssl) == 1
    }

    /// Writes all of `text`; false on failure.
    @discardableResult
    func write(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeMutableBytes { raw -> Int in
                let base = raw.baseAddress!.advanced(by: sent)
                if let ssl { return Int(SSL_write(ssl, base, Int32(raw.count - sent))) }
                return send(descriptor, base, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    /// Reads until `terminator` is in the buffer (at most `limit` bytes); returns the bytes
    /// before and including it, nil on close, timeout or overlong input.
    func read(until terminator: [UInt8], limit: Int) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<1024 {
            if let range = find(terminator) {
                let line = Array(buffer[..<range])
                buffer.removeFirst(range)
                return line
            }
            guard buffer.count < limit else { return nil }
            let count = chunk.withUnsafeMutableBytes { raw -> Int in
                if let ssl { return Int(SSL_read(ssl, raw.baseAddress, Int32(raw.count))) }
                return recv(descriptor, raw.baseAddress, raw.count, 0)
            }
            guard count > 0 else { return nil }
            buffer += chunk[..<count]
        }
        return nil
    }

    private func find(_ terminator: [UInt8]) -> Int? {
        guard buffer.count >= terminator.count else { return nil }
        for start in 0...(buffer.count - terminator.count) where buffer[start..<(start + terminator.count)].elementsEqual(terminator) {
            return start + terminator.count
        }
        return nil
    }
}
