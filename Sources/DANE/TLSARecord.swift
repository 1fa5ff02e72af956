/// One TLSA record (RFC 6698 §2): certificate usage, selector, matching type and the
/// certificate association data.
///
/// The text form is the one `PeilModel.DNSFacts` stores: `usage selector matchingType hex`,
/// decimal fields, lower-case hex. Parsing accepts any 0–255 value in the three fields
/// (unknown values are *unusable*, not malformed — OpenSSL decides usability when matching),
/// upper- or lower-case hex, and hex split by whitespace (as zone files allow).
public struct TLSARecord: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Certificate usage: 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE.
    public var usage: UInt8
    /// Selector: 0 full certificate, 1 SubjectPublicKeyInfo.
    public var selector: UInt8
    /// Matching type: 0 exact, 1 SHA2-256, 2 SHA2-512.
    public var matchingType: UInt8
    /// Certificate association data.
    public var data: [UInt8]

    /// DANE-TA(2).
    public static let daneTA: UInt8 = 2
    /// DANE-EE(3).
    public static let daneEE: UInt8 = 3

    public init(usage: UInt8, selector: UInt8, matchingType: UInt8, data: [UInt8]) {
        self.usage = usage
        self.selector = selector
        self.matchingType = matchingType
        self.data = data
    }

    /// Why a TLSA text form could not be read.
    public enum ParseError: Error, Sendable, Hashable {
        /// Fewer than four fields.
        case missingFields
        /// A usage/selector/matching-type field is not a decimal number 0–255.
        case badNumber(String)
        /// The association data is empty, has an odd number of digits or a non-hex character.
        case badHex
    }

    /// Reads `usage selector matchingType hex…`.
    public init(parsing text: String) throws(ParseError) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        guard fields.count >= 4 else { throw .missingFields }
        func number(_ field: Substring) throws(ParseError) -> UInt8 {
            guard field.allSatisfy({ $0.isASCII && $0.isNumber }), field.count <= 3,
                  let value = UInt8(field) else { throw .badNumber(String(field)) }
            return value
        }
        usage = try number(fields[0])
        selector = try number(fields[1])
        matchingType = try number(fields[2])
        guard let bytes = Self.hexBytes(fields[3...].joined()), !bytes.isEmpty else { throw .badHex }
        data = bytes
    }

    /// The presentation form, lower-case hex.
    public var description: String {
        "\(usage) \(selector) \(matchingType) \(Self.hex(data))"
    }

    /// Lower-case hex of some bytes.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes of a hex string (either case); nil on an odd length or a non-hex character.
    public static func hexBytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
