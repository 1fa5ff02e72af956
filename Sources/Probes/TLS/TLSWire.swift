/// Wire constants of the TLS record and handshake layers (RFC 5246, RFC 8446) that the
/// hand-built hello and the ServerHello parser use. Code points only; names live in `PeilModel.CipherSuiteRegistry`.
public enum TLSWire {
    /// Record content types.
    public static let alertRecord: UInt8 = 21
    public static let handshakeRecord: UInt8 = 22
    /// Handshake message types.
    public static let helloRequest: UInt8 = 0
    public static let clientHello: UInt8 = 1
    public static let serverHello: UInt8 = 2
    /// The largest record body a peer may send (2^14 plus the expansion TLS 1.2 allows).
    public static let maxRecordBody = 16_384 + 2_048
    /// Extension types.
    public enum Extension {
        public static let serverName: UInt16 = 0
        public static let supportedGroups: UInt16 = 10
        public static let ecPointFormats: UInt16 = 11
        public static let signatureAlgorithms: UInt16 = 13
        public static let padding: UInt16 = 21
        public static let extendedMasterSecret: UInt16 = 23
        public static let supportedVersions: UInt16 = 43
        public static let keyShare: UInt16 = 51
        public static let renegotiationInfo: UInt16 = 0xFF01
    }
    /// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746).
    public static let renegotiationSCSV: UInt16 = 0x00FF
    /// Alert descriptions a refusing server typically sends.
    public enum Alert {
        public static let handshakeFailure: UInt8 = 40
        public static let illegalParameter: UInt8 = 47
        public static let decodeError: UInt8 = 50
        public static let protocolVersion: UInt8 = 70
        public static let insufficientSecurity: UInt8 = 71
        public static let internalError: UInt8 = 80
        public static let unrecognizedName: UInt8 = 112
    }
    /// The ServerHello.random of a TLS 1.3 HelloRetryRequest (SHA-256 of "HelloRetryRequest").
    public static let helloRetryRequestRandom: [UInt8] = [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ]
    /// The first seven bytes of the downgrade sentinel a TLS 1.3 server puts at the end of its
    /// random when it negotiates TLS 1.2 (last byte 01) or below (last byte 00).
    public static let downgradeSentinelPrefix: [UInt8] = [0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44]
}

/// Big-endian writers for building TLS messages.
extension [UInt8] {
    mutating func appendU16(_ value: Int) {
        append(UInt8((value >> 8) & 0xFF))
        append(UInt8(value & 0xFF))
    }

    mutating func appendU16(_ value: UInt16) { appendU16(Int(value)) }

    mutating func appendU24(_ value: Int) {
        append(UInt8((value >> 16) & 0xFF))
        appendU16(value & 0xFFFF)
    }

    mutating func appendExtension(_ type: UInt16, _ data: [UInt8]) {
        appendU16(type)
        appendU16(data.count)
        self += data
    }
}
