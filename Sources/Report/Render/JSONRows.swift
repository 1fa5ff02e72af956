import Foundation

/// `report.json` with its domain rows encoded one at a time: the same bytes as encoding the
/// whole report with the pretty-printing, sorted-keys encoder, without the encoder holding a
/// tree of every row at once (for a large measurement, most of what a whole encoding holds).
enum JSONRows {
    /// The report's top-level `domains` key with an empty array, as that encoder prints it. A
    /// raw line break cannot occur inside an encoded string, so this text is found only there.
    static let emptyDomains = Data("\n  \"domains\" : [\n\n  ]".utf8)

    /// The report encoded by `encoder` (which must pretty-print with sorted keys), its rows
    /// spliced in one by one; each piece goes to `write` as it is made.
    static func encode(_ report: Report, encoder: JSONEncoder, write: (Data) throws -> Void) throws {
        var shell = report
        shell.domains = []
        let text = try encoder.encode(shell)
        guard !report.domains.isEmpty else { return try write(text) }
        guard let range = text.range(of: emptyDomains) else {
            throw EncodingError.invalidValue(report.domains, .init(codingPath: [], debugDescription: "no empty domains array in the encoded report"))
        }
        try write(text[..<range.lowerBound] + Data("\n  \"domains\" : [\n".utf8))
        for (index, row) in report.domains.enumerated() {
            var piece = index > 0 ? Data(",\n".utf8) : Data()
            append(try encoder.encode(row), indentedBy: 4, to: &piece)
            try write(piece)
        }
        try write(Data("\n  ]".utf8) + text[range.upperBound...])
    }

    /// ``encode(_:encoder:write:)`` into one `Data`.
    static func encode(_ report: Report, encoder: JSONEncoder) throws -> Data {
        var out = Data()
        try encode(report, encoder: encoder) { out.append($0) }
        return out
    }

    /// Appends `encoded`, every non-empty line indented by `spaces` (the encoder leaves the
    /// inside of an empty array or object an empty line).
    static func append(_ encoded: Data, indentedBy spaces: Int, to out: inout Data) {
        let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " ")
        var indented = [UInt8]()
        indented.reserveCapacity(encoded.count + encoded.count / 4)
        encoded.withUnsafeBytes { bytes in
            var atLineStart = true
            for byte in bytes {
                if atLineStart && byte != newline { indented.append(contentsOf: repeatElement(space, count: spaces)) }
                atLineStart = byte == newline
                indented.append(byte)
            }
        }
        out.append(contentsOf: indented)
    }
}
