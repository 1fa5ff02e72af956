import PeilModel

/// The handshake messages a TLS ≤ 1.2 server sends after its ServerHello, in the clear:
/// Certificate, CertificateStatus, ServerKeyExchange, CertificateRequest, ServerHelloDone.
public struct ServerFlight: Sendable, Hashable {
    /// The Certificate message's certificates (DER, leaf first).
    public var certificates: [[UInt8]] = []
    /// The ServerKeyExchange body (nil: not sent, as with RSA key exchange).
    public var serverKeyExchange: [UInt8]?
    /// The CertificateStatus body (a stapled OCSP response).
    public var certificateStatus: [UInt8]?
    /// The ServerHelloDone arrived.
    public var complete = false
    /// Why reading stopped before the ServerHelloDone (alert, garbage, size limit).
    public var interruption: String?

    public init() {}

    /// Keeps one message; true once the flight is complete.
    mutating func absorb(_ type: UInt8, _ body: [UInt8]) -> Bool {
        switch type {
        case 11: certificates = Self.certificateList(body)
        case 12: serverKeyExchange = body
        case 22: certificateStatus = body
        case 14: complete = true
        default: break
        }
        return complete
    }

    /// The DER certificates of a TLS ≤ 1.2 Certificate message (empty when malformed).
    static func certificateList(_ body: [UInt8]) -> [[UInt8]] {
        var cursor = TLSCursor(body)
        guard let high = cursor.u8(), let low = cursor.u16(), Int(high) << 16 | Int(low) == cursor.remaining else { return [] }
        var certificates: [[UInt8]] = []
        while cursor.remaining > 0 {
            guard let high = cursor.u8(), let low = cursor.u16(), let der = cursor.bytes(Int(high) << 16 | Int(low)) else { return [] }
            certificates.append(der)
        }
        return certificates
    }
}

/// What a ServerKeyExchange says: the ephemeral parameters and, from TLS 1.2 on, the
/// signature scheme the server signed them with.
public struct ServerKeyExchange: Sendable, Hashable {
    public enum Parameters: Sendable, Hashable {
        /// A named curve (IANA group code point).
        case namedCurve(UInt16)
        /// Finite-field Diffie-Hellman: prime and generator, big-endian.
        case finiteField(prime: [UInt8], generator: [UInt8])
    }

    public var parameters: Parameters
    /// The TLS 1.2 SignatureAndHashAlgorithm (nil before TLS 1.2 and for anonymous suites).
    public var signatureScheme: UInt16?

    /// Parses the body for a suite's key exchange; nil for suites without one or when malformed.
    public static func parse(_ body: [UInt8], suite: UInt16, version: TLSVersion) -> ServerKeyExchange? {
        guard let kex = CipherSuite(code: suite)?.keyExchange else { return nil }
        var cursor = TLSCursor(body)
        let parameters: Parameters
        switch kex {
        case .ecdhe, .ecdh:
            guard cursor.u8() == 3, let group = cursor.u16(), let length = cursor.u8(), cursor.bytes(Int(length)) != nil else { return nil }
            parameters = .namedCurve(group)
        case .dhe, .dh:
            guard let pLength = cursor.u16(), let prime = cursor.bytes(Int(pLength)),
                  let gLength = cursor.u16(), let generator = cursor.bytes(Int(gLength)),
                  let yLength = cursor.u16(), cursor.bytes(Int(yLength)) != nil, !prime.isEmpty else { return nil }
            parameters = .finiteField(prime: prime, generator: generator)
        default:
            return nil
        }
        let scheme = version >= .tls12 && cursor.remaining >= 4 ? cursor.u16() : nil
        return ServerKeyExchange(parameters: parameters, signatureScheme: scheme)
    }

    /// As the observation records it.
    public var keyExchange: TLSKeyExchange {
        switch parameters {
        case .namedCurve(let group):
            return .ecdhe(group: group)
        case .finiteField(let prime, let generator):
            let trimmed = Array(prime.drop { $0 == 0 })
            let hex = trimmed.map { String($0, radix: 16, uppercase: true) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
            let bits = trimmed.first.map { trimmed.count * 8 - $0.leadingZeroBitCount } ?? 0
            let gBytes = Array(generator.drop { $0 == 0 })
            let g = gBytes.count > 8 ? UInt64.max : gBytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return .dhe(primeHex: hex, generator: g, bits: bits)
        }
    }
}
