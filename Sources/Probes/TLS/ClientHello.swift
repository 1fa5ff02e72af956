import PeilModel

/// A ClientHello to send by hand: just enough to make a server answer with its ServerHello
/// (or an alert). The probe never completes a handshake, so key shares are random bytes.
/// `bytes()` is a pure function of the fields.
public struct ClientHello: Sendable, Hashable {
    /// The highest version offered: `client_version` for SSL 3.0–TLS 1.2; for TLS 1.3 the
    /// hello says TLS 1.2 and lists TLS 1.3 and 1.2 in `supported_versions`.
    public var version: TLSVersion
    /// Cipher suite code points, in preference order.
    public var cipherSuites: [UInt16]
    /// SNI host name (nil or an address literal: no extension).
    public var serverName: String?
    /// Named groups (`supported_groups`); with TLS ≤ 1.2 also sends `ec_point_formats`.
    public var groups: [UInt16]
    /// Signature schemes (`signature_algorithms`, TLS 1.2 and up only).
    public var signatureAlgorithms: [UInt16]
    /// Append TLS_EMPTY_RENEGOTIATION_INFO_SCSV to the cipher list.
    public var renegotiationSCSV: Bool
    /// Send an empty `renegotiation_info` extension.
    public var renegotiationInfo: Bool
    /// Send `extended_master_secret`.
    public var extendedMasterSecret: Bool
    /// Send no extensions at all (what an SSL 3.0 client does; `version == .ssl3` implies it).
    public var omitExtensions: Bool
    /// The 32-byte client random (shorter is zero-padded, longer cut).
    public var random: [UInt8]
    /// TLS 1.3 key shares, in order (an X25519 share may be random bytes; a curve point must
    /// be a real one, see `KeyShareFactory`).
    public var keyShares: [KeyShare]
    /// Compression methods offered (null only, unless probing for compression; TLS 1.3 hellos
    /// always offer null only).
    public var compressionMethods: [UInt8]

    /// One `key_share` entry.
    public struct KeyShare: Sendable, Hashable {
        public var group: UInt16
        public var bytes: [UInt8]
        public init(group: UInt16, bytes: [UInt8]) {
            self.group = group
            self.bytes = bytes
        }
    }

    /// X25519, secp256r1, secp384r1, secp521r1, x448, ffdhe2048–8192.
    public static let defaultGroups: [UInt16] = [29, 23, 24, 25, 30, 256, 257, 258, 259, 260]
    /// ECDSA/RSA-PSS/RSA PKCS#1 with SHA-256/384/512, Ed25519, Ed448, then the SHA-1 and SHA-224 pairs.
    public static let defaultSignatureAlgorithms: [UInt16] = [
        0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0807, 0x0808,
        0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202,
    ]

    public init(version: TLSVersion, cipherSuites: [UInt16], serverName: String? = nil,
                groups: [UInt16] = ClientHello.defaultGroups,
                signatureAlgorithms: [UInt16] = ClientHello.defaultSignatureAlgorithms,
                renegotiationSCSV: Bool = false, renegotiationInfo: Bool = true, extendedMasterSecret: Bool = true,
                omitExtensions: Bool = false, random: [UInt8] = Array(repeating: 0x5A, count: 32),
                keyShares: [KeyShare] = [KeyShare(group: 29, bytes: Array(repeating: 0x09, count: 32))],
                compressionMethods: [UInt8] = [0]) {
        self.version = version
        self.cipherSuites = cipherSuites
        self.serverName = serverName
        self.groups = groups
        self.signatureAlgorithms = signatureAlgorithms
        self.renegotiationSCSV = renegotiationSCSV
        self.renegotiationInfo = renegotiationInfo
        self.extendedMasterSecret = extendedMasterSecret
        self.omitExtensions = omitExtensions
        self.random = random
        self.keyShares = keyShares
        self.compressionMethods = compressionMethods
    }

    /// The `client_version` field: TLS 1.2 for a TLS 1.3 hello (RFC 8446 §4.1.2).
    public var legacyVersion: UInt16 { version == .tls13 ? TLSVersion.tls12.wireValue : version.wireValue }

    /// The full record: one handshake record carrying the ClientHello. The record-layer version
    /// is SSL 3.0 for an SSL 3.0 hello and TLS 1.0 otherwise (what servers are most tolerant of).
    public func bytes() -> [UInt8] {
        let body = handshakeBody()
        var message: [UInt8] = [TLSWire.clientHello]
        message.appendU24(body.count)
        message += body
        var record: [UInt8] = [TLSWire.handshakeRecord]
        record.appendU16(version == .ssl3 ? 0x0300 : 0x0301)
        record.appendU16(message.count)
        return record + message
    }

    func handshakeBody() -> [UInt8] {
        var body: [UInt8] = []
        body.appendU16(legacyVersion)
        let clientRandom = Array((random + Array(repeating: 0, count: 32)).prefix(32))
        body += clientRandom
        // TLS 1.3 middlebox compatibility wants a 32-byte legacy_session_id; elsewhere empty.
        let sessionID: [UInt8] = version == .tls13 ? clientRandom : []
        body.append(UInt8(sessionID.count))
        body += sessionID
        var suites = cipherSuites
        if renegotiationSCSV { suites.append(TLSWire.renegotiationSCSV) }
        suites = Array(suites.prefix(32_000))
        body.appendU16(suites.count * 2)
        for suite in suites { body.appendU16(suite) }
        let compression = version == .tls13 || compressionMethods.isEmpty ? [0] : Array(compressionMethods.prefix(255))
        body.append(UInt8(compression.count))
        body += compression
        if version == .ssl3 || omitExtensions { return body }
        var extensions = extensionBlock()
        // Some servers hang on hellos of 256–511 bytes: pad to 512 (RFC 7685).
        let length = 4 + body.count + 2 + extensions.count
        if (256..<512).contains(length) {
            let pad = max(0, 512 - length - 4)
            extensions.appendExtension(TLSWire.Extension.padding, Array(repeating: 0, count: pad))
        }
        body.appendU16(extensions.count)
        return body + extensions
    }

    func extensionBlock() -> [UInt8] {
        var out: [UInt8] = []
        if let name = serverName, let host = Self.sniHost(name) {
            var list: [UInt8] = [0]
            list.appendU16(host.count)
            list += host
            var ext: [UInt8] = []
            ext.appendU16(list.count)
            out.appendExtension(TLSWire.Extension.serverName, ext + list)
        }
        if !groups.isEmpty {
            out.appendExtension(TLSWire.Extension.supportedGroups, Self.u16List(groups))
            out.appendExtension(TLSWire.Extension.ecPointFormats, [1, 0])
        }
        if version >= .tls12, !signatureAlgorithms.isEmpty {
            out.appendExtension(TLSWire.Extension.signatureAlgorithms, Self.u16List(signatureAlgorithms))
        }
        if renegotiationInfo { out.appendExtension(TLSWire.Extension.renegotiationInfo, [0]) }
        if extendedMasterSecret { out.appendExtension(TLSWire.Extension.extendedMasterSecret, []) }
        if version == .tls13 {
            out.appendExtension(TLSWire.Extension.supportedVersions, [4, 0x03, 0x04, 0x03, 0x03])
            var share: [UInt8] = []
            for entry in keyShares {
                share.appendU16(entry.group)
                share.appendU16(entry.bytes.count)
                share += entry.bytes
            }
            var ext: [UInt8] = []
            ext.appendU16(share.count)
            out.appendExtension(TLSWire.Extension.keyShare, ext + share)
        }
        return out
    }

    /// The SNI bytes for a host name: lower-cased, trailing dot dropped; nil for address literals.
    static func sniHost(_ name: String) -> [UInt8]? {
        var host = name.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        if host.isEmpty || host.contains(":") || host.utf8.count > 255 { return nil }
        if host.split(separator: ".").allSatisfy({ $0.allSatisfy(\.isNumber) }) { return nil }
        return Array(host.utf8)
    }

    static func u16List(_ values: [UInt16]) -> [UInt8] {
        var out: [UInt8] = []
        out.appendU16(values.count * 2)
        for value in values { out.appendU16(value) }
        return out
    }
}
