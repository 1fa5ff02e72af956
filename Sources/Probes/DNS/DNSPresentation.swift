#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PeilModel

/// Presentation format of names and record data, by the rules documented on
/// ``PeilModel/DNSFacts``: names lower case without trailing dot (the root is "."), TXT the
/// concatenation of its character-strings, CAA `flags tag "value"`, TLSA `u s m hex`,
/// IPv6 in RFC 5952 form. Pure functions over bytes.
public enum DNSPresentation {
    /// A name from its labels: ASCII lower-cased, no trailing dot, "." for the root.
    /// Octets that are not letters, digits, `-`, `_` or `*` are escaped as `\DDD` (a dot inside
    /// a label as `\.`), so that different names never print the same.
    public static func name<Labels: Sequence>(_ labels: Labels) -> String
    where Labels.Element: Collection, Labels.Element.Element == UInt8 {
        let rendered = labels.map { label in
            var text = ""
            for byte in label {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    text.unicodeScalars.append(Unicode.Scalar(byte + 32))
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "*"):
                    text.unicodeScalars.append(Unicode.Scalar(byte))
                case UInt8(ascii: "."), UInt8(ascii: "\\"):
                    text += "\\" + String(Unicode.Scalar(byte))
                default:
                    text += decimalEscape(byte)
                }
            }
            return text
        }
        return rendered.isEmpty ? "." : rendered.joined(separator: ".")
    }

    /// An IPv4 address from its 4 octets, dotted decimal.
    public static func ipv4(_ octets: some Collection<UInt8>) -> String? {
        octets.count == 4 ? IPNetwork.presentation(octets) : nil
    }

    /// An IPv6 address from its 16 octets in RFC 5952 form (``IPNetwork/presentation(_:)``).
    public static func ipv6(_ octets: some Collection<UInt8>) -> String? {
        octets.count == 16 ? IPNetwork.presentation(octets) : nil
    }

    /// TXT: the character-strings concatenated. Valid UTF-8 is kept as text; otherwise
    /// printable ASCII is kept and every other octet is written `\DDD`.
    public static func text(_ strings: [ArraySlice<UInt8>]) -> String {
        let bytes = strings.flatMap { $0 }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return bytes.map { (0x20..<0x7F).contains($0) ? String(Unicode.Scalar($0)) : decimalEscape($0) }.joined()
    }

    /// CAA (RFC 8659): `flags tag "value"`, the tag lower-cased, the value quoted with `"` and
    /// `\` escaped by a backslash and non-printable octets as `\DDD`.
    public static func caa(flags: UInt8, tag: some Collection<UInt8>, value: some Collection<UInt8>) -> String {
        let tagText = String(decoding: tag, as: UTF8.self).lowercased()
        var valueText = ""
        for byte in value {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): valueText += "\\" + String(Unicode.Scalar(byte))
            case 0x20..<0x7F: valueText.unicodeScalars.append(Unicode.Scalar(byte))
            default: valueText += decimalEscape(byte)
            }
        }
        return "\(flags) \(tagText) \"\(valueText)\""
    }

    /// TLSA (RFC 6698): `usage selector type hex`, hex in lower case.
    public static func tlsa(usage: UInt8, selector: UInt8, matchingType: UInt8, data: some Collection<UInt8>) -> String {
        let parts = ["\(usage)", "\(selector)", "\(matchingType)", hex(data)]
        return parts.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Lower-case hexadecimal of the octets.
    public static func hex(_ octets: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".unicodeScalars)
        var text = ""
        text.reserveCapacity(octets.count * 2)
        for byte in octets {
            text.unicodeScalars.append(digits[Int(byte >> 4)])
            text.unicodeScalars.append(digits[Int(byte & 0x0F)])
        }
        return text
    }

    private static func decimalEscape(_ byte: UInt8) -> String {
        let digits = String(byte)
        return "\\" + String(repeating: "0", count: 3 - digits.count) + digits
    }
}
