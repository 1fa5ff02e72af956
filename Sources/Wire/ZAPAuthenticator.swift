import CZeroMQ
import Foundation

/// Answers libzmq's ZAP requests (RFC 27) for CURVE: admits only allow-listed public keys.
///
/// It binds `inproc://zeromq.zap.01` in the given context; the socket it owns must be polled
/// by the same thread that owns it (the coordinator's loop does). The User-Id it returns is
/// the client's Z85 public key, so every message a ROUTER receives names its agent's key.
public final class ZAPAuthenticator {
    public let socket: ZMQSocket
    private let allowed: @Sendable (String) -> Bool
    /// Keys refused so far: a count and the last few, in bounded memory.
    public private(set) var refusals = RefusedKeys()

    public init(context: ZMQContext, allowed: @escaping @Sendable (String) -> Bool) throws {
        self.socket = try ZMQSocket(context: context, kind: .rep)
        self.allowed = allowed
        try socket.bind("inproc://zeromq.zap.01")
    }

    /// Handles up to `limit` waiting requests (the rest wait for the next call). Returns the
    /// keys refused in this call that were not among the recently refused ones (to log).
    @discardableResult
    public func handlePending(limit: Int = 256) throws -> [String] {
        var refused: [String] = []
        var handled = 0
        while handled < limit, let (frames, _) = try socket.receive() {
            handled += 1
            // version, request id, domain, address, identity, mechanism, credentials...
            guard frames.count >= 6 else { continue }
            let version = frames[0]
            let requestID = frames[1]
            let mechanism = String(decoding: frames[5], as: UTF8.self)
            var status = "400", text = "unsupported mechanism", userID = ""
            if mechanism == "CURVE", frames.count >= 7, frames[6].count == 32 {
                let key = Self.z85(frames[6])
                if allowed(key) {
                    status = "200"; text = "OK"; userID = key
                } else {
                    text = "key not allow-listed"
                    if refusals.record(key) { refused.append(key) }
                }
            }
            try socket.send([version, requestID, Data(status.utf8), Data(text.utf8), Data(userID.utf8), Data()], dontWait: false)
        }
        return refused
    }

    static func z85(_ bytes: Data) -> String {
        var out = [CChar](repeating: 0, count: 41)
        bytes.withUnsafeBytes { raw in
            _ = zmq_z85_encode(&out, raw.bindMemory(to: UInt8.self).baseAddress, 32)
        }
        return String(nulTerminated: out)
    }
}
