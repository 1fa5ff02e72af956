import Foundation

/// Makes text PostgreSQL can store, whatever a target sent.
///
/// PostgreSQL's `text` cannot hold a NUL character, and `jsonb` refuses the escape `\u0000`.
/// Both are replaced by ``nulMarker``, U+2400 SYMBOL FOR NULL (`␀`): the change is **marked,
/// not reversible** — a stored `␀` means the target sent either NUL or `␀` itself. Nothing else
/// needs escaping: a Swift `String` is always valid Unicode (a lone surrogate cannot occur; bytes
/// that are not UTF-8 were already replaced by U+FFFD when the text was decoded), and
/// `JSONEncoder` escapes every other control character in a way jsonb accepts.
///
/// ``SQLQuery`` applies ``text(_:)`` to every bound value and ``SQLJSON`` applies ``json(_:)``
/// to every document, so no call site escapes on its own.
public enum StorableText {
    /// What NUL is stored as.
    public static let nulMarker: Character = "\u{2400}"

    /// `text` with every NUL replaced by ``nulMarker``.
    public static func text(_ text: String) -> String {
        guard containsNUL(text) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\0" ? "\u{2400}" : $0 }))
    }

    /// JSON text with every `\u0000` escape replaced by the marker's escape
    /// `\u2400`. Other escapes, an escaped backslash before `u0000` included, stay as they are.
    public static func json(_ json: String) -> String {
        // Every `\u0000` escape spells `u0000`: a document without it (nearly every one) is
        // looked at in place, without a copy.
        guard withBytes(of: json, { contains(nulEscapeTail, in: $0) }) else { return text(json) }
        let bytes = Array(json.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                out.append(byte)
                index += 1
                continue
            }
            let escaped = bytes[index + 1]
            if escaped == UInt8(ascii: "u"), index + 6 <= bytes.count, bytes[(index + 2)..<(index + 6)].allSatisfy({ $0 == UInt8(ascii: "0") }) {
                out.append(contentsOf: "\\u2400".utf8)
                index += 6
            } else {
                out.append(byte)
                out.append(escaped)
                index += 2
            }
        }
        return text(String(decoding: out, as: UTF8.self))
    }

    private static let nulEscapeTail = Array("u0000".utf8)

    /// The string's UTF-8 in place (a native string's storage), or a copy if it has none.
    private static func withBytes<Result>(of string: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = string.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(string.utf8).withUnsafeBufferPointer(body)
    }

    /// Whether `needle` (not empty) occurs in `bytes`: `memchr` to each place its first byte
    /// stands, `memcmp` there.
    private static func contains(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count, let base = bytes.baseAddress else { return false }
        return needle.withUnsafeBufferPointer { needle in
            var offset = 0
            let last = bytes.count - needle.count  // the last offset where the needle fits
            while offset <= last, let found = memchr(base + offset, Int32(first), last - offset + 1) {
                let at = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + at, needle.baseAddress!, needle.count) == 0 { return true }
                offset = at + 1
            }
            return false
        }
    }

    /// Whether `string` holds a NUL character (`memchr` over its UTF-8).
    static func containsNUL(_ string: String) -> Bool {
        withBytes(of: string) { bytes in bytes.baseAddress.map { memchr($0, 0, bytes.count) != nil } ?? false }
    }
}
