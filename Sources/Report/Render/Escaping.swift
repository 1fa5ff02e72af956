/// Text made safe for each output format, one function per format: ``HTML/escape(_:)``,
/// ``CSV/field(_:)``, ``Markdown/text(_:)``.
///
/// Each works on UTF-8 bytes, never on Swift `Character`s. A `Character` is a grapheme cluster:
/// a quote followed by a combining mark (`"\u{301}`) or CR LF is one `Character` that equals
/// neither `"` nor `\n`, yet the browser, the CSV reader and the Markdown renderer see the quote
/// and the line break. Every character these formats give a meaning to is ASCII, and in UTF-8
/// an ASCII byte is always that character (never part of another's encoding), so a byte test
/// finds each one wherever it stands.
enum UTF8Escaping {
    /// `text` with every byte that `replacement` maps replaced by its text; `text` itself when none is.
    static func replacing(_ text: String, _ replacement: (UInt8) -> String?) -> String {
        guard text.utf8.contains(where: { replacement($0) != nil }) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            if let replaced = replacement(byte) { bytes.append(contentsOf: replaced.utf8) } else { bytes.append(byte) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension HTML {
    /// Text safe inside elements (including SVG `<text>` and `<title>`) and inside attribute
    /// values quoted with `"` or `'`: `& < > " '` become character references.
    static func escape(_ text: String) -> String {
        UTF8Escaping.replacing(text) { byte in
            switch byte {
            case UInt8(ascii: "&"): "&amp;"
            case UInt8(ascii: "<"): "&lt;"
            case UInt8(ascii: ">"): "&gt;"
            case UInt8(ascii: "\""): "&quot;"
            case UInt8(ascii: "'"): "&#39;"
            default: nil
            }
        }
    }
}

/// CSV as RFC 4180 reads it: the report's files and `peil results`.
public enum CSV {
    /// One field: as it is, or in double quotes with each `"` doubled when it holds a comma, a
    /// quote, CR or LF (a lone CR too: readers that split on any line break would cut the row).
    public static func field(_ text: String) -> String {
        let special: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        guard text.utf8.contains(where: special.contains) else { return text }
        return "\"" + UTF8Escaping.replacing(text) { $0 == UInt8(ascii: "\"") ? "\"\"" : nil } + "\""
    }

    /// One line of fields, each through ``field(_:)``, without the line break.
    public static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }
}

/// Markdown (CommonMark with GitHub's tables) for `summary.md` and `peil compare`.
enum Markdown {
    /// Text that stays one inline run, in a table cell or a list item: a line break (CR or LF)
    /// becomes a space, so it cannot end the row or start a block; `\ | < > [ ] ` * _` are
    /// backslash-escaped, so it cannot end a cell, open raw HTML or an autolink, make a link or
    /// code span, or emphasise. The backslash itself is escaped first of all: `\|` in a value
    /// must not turn the escape of its `|` into an escaped backslash and a bare `|`.
    static func text(_ text: String) -> String {
        UTF8Escaping.replacing(text) { byte in
            switch byte {
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"): " "
            case UInt8(ascii: "\\"), UInt8(ascii: "|"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["), UInt8(ascii: "]"),
                 UInt8(ascii: "`"), UInt8(ascii: "*"), UInt8(ascii: "_"):
                "\\" + String(UnicodeScalar(byte))
            default: nil
            }
        }
    }
}
