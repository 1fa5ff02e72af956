import PeilModel

/// What a ServerHello says, as far as a legacy/feature probe needs it. Parsed from untrusted
/// bytes with every length checked (`ServerHello.parse`).
public struct ServerHello: Sendable, Hashable {
    /// The `server_version` field (0x0300 … 0x0303).
    public var legacyVersion: UInt16
    /// `supported_versions` as selected by a TLS 1.3 server (nil when absent).
    public var selectedVersion: UInt16?
    public var random: [UInt8]
    public var sessionID: [UInt8]
    public var cipherSuite: UInt16
    public var compressionMethod: UInt8
    /// Extension types in the order sent.
    public var extensionTypes: [UInt16]
    /// The `renegotiation_info` payload (nil: the extension was not sent).
    public var renegotiationInfo: [UInt8]?
    /// The `key_share` group of a TLS 1.3 ServerHello or HelloRetryRequest.
    public var keyShareGroup: UInt16?

    /// The version the server chose: `supported_versions` if present, else `server_version`.
    public var negotiatedVersionWire: UInt16 { selectedVersion ?? legacyVersion }
    /// The chosen version as a `TLSVersion` (nil for values Peil does not name).
    public var negotiatedVersion: TLSVersion? { TLSVersion.allCases.first { $0.wireValue == negotiatedVersionWire } }
    /// The server sent `extended_master_secret`.
    public var extendedMasterSecret: Bool { extensionTypes.contains(TLSWire.Extension.extendedMasterSecret) }
    /// A TLS 1.3 HelloRetryRequest rather than a ServerHello.
    public var isHelloRetryRequest: Bool { random == TLSWire.helloRetryRequestRandom }
    /// The random ends in the TLS 1.3 downgrade sentinel (the server speaks TLS 1.3 but chose lower).
    public var hasDowngradeSentinel: Bool {
        random.count == 32 && Array(random[24..<31]) == TLSWire.downgradeSentinelPrefix && random[31] <= 1
    }

    /// Parses a ServerHello handshake body (after the 4-byte handshake header).
    public static func parse(_ body: [UInt8]) -> Result<ServerHello, TLSParseError> {
        var cursor = TLSCursor(body)
        guard let version = cursor.u16(), let random = cursor.bytes(32), let idLength = cursor.u8(),
              idLength <= 32, let sessionID = cursor.bytes(Int(idLength)),
              let suite = cursor.u16(), let compression = cursor.u8()
        else { return .failure(.truncated("ServerHello")) }
        var hello = ServerHello(legacyVersion: version, selectedVersion: nil, random: random, sessionID: sessionID,
                                cipherSuite: suite, compressionMethod: compression, extensionTypes: [],
                                renegotiationInfo: nil, keyShareGroup: nil)
        if cursor.remaining == 0 { return .success(hello) }  // SSL 3.0 / early TLS: no extensions
        guard let total = cursor.u16(), Int(total) == cursor.remaining else {
            return .failure(.badLength("ServerHello extensions"))
        }
        while cursor.remaining > 0 {
            guard let type = cursor.u16(), let length = cursor.u16(), let data = cursor.bytes(Int(length)) else {
                return .failure(.truncated("extension"))
            }
            guard !hello.extensionTypes.contains(type) else { return .failure(.duplicateExtension(type)) }
            hello.extensionTypes.append(type)
            var inner = TLSCursor(data)
            switch type {
            case TLSWire.Extension.supportedVersions:
                guard data.count == 2, let selected = inner.u16() else { return .failure(.badLength("supported_versions")) }
                hello.selectedVersion = selected
            case TLSWire.Extension.renegotiationInfo:
                guard let count = inner.u8(), let info = inner.bytes(Int(count)), inner.remaining == 0 else {
                    return .failure(.badLength("renegotiation_info"))
                }
                hello.renegotiationInfo = info
            case TLSWire.Extension.keyShare:
                guard let group = inner.u16() else { return .failure(.badLength("key_share")) }
                hello.keyShareGroup = group
            default:
                break
            }
        }
        return .success(hello)
    }
}

/// Why server bytes could not be read as a TLS answer.
public enum TLSParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A field runs past the end of the message it is in.
    case truncated(String)
    /// A length field disagrees with its container or exceeds a limit.
    case badLength(String)
    /// Not a TLS record (an HTTP answer, an SSL 2 hello, noise).
    case notTLS(UInt8)
    /// A handshake message other than ServerHello came first.
    case unexpectedHandshake(UInt8)
    /// A record other than handshake or alert came before the ServerHello.
    case unexpectedRecord(UInt8)
    case duplicateExtension(UInt16)
    /// The peer sent more than the reader's size limit before a ServerHello or alert.
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .truncated(let what): "truncated \(what)"
        case .badLength(let what): "bad length in \(what)"
        case .notTLS(let byte): "not a TLS record (first byte \(byte))"
        case .unexpectedHandshake(let type): "unexpected handshake message \(type)"
        case .unexpectedRecord(let type): "unexpected record type \(type)"
        case .duplicateExtension(let type): "duplicate extension \(type)"
        case .tooLarge(let count): "more than \(count) bytes without a ServerHello"
        }
    }
}

/// A bounds-checked big-endian cursor: every read returns nil instead of reading past the end.
struct TLSCursor {
    private let data: [UInt8]
    private var position = 0
    init(_ data: [UInt8]) { self.data = data }
    var remaining: Int { data.count - position }

    mutating func u8() -> UInt8? {
        guard position < data.count else { return nil }
        defer { position += 1 }
        return data[position]
    }

    mutating func u16() -> UInt16? {
        guard let high = u8(), let low = u8() else { return nil }
        return UInt16(high) << 8 | UInt16(low)
    }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, count <= remaining else { return nil }
        defer { position += count }
        return Array(data[position..<position + count])
    }
}
