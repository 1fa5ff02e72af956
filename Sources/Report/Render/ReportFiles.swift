import Foundation

/// Writes a report's files into a directory (created if missing): `index.html`,
/// `adoption.csv`, `layers.csv`, `domains.csv`, `suppliers.csv`, `report.json`, `summary.md`,
/// and `slices.csv` when the report is sliced (`--by`).
public enum ReportFiles {
    public static let names = ["index.html", "adoption.csv", "layers.csv", "domains.csv", "suppliers.csv", "report.json", "summary.md"]

    /// Renders and writes every file, one at a time: a rendering is dropped before the next
    /// is made, so only one file's text is held at once, and `report.json` is written as its
    /// domain rows are encoded (``JSONRows``). Each file is written to a temporary name and
    /// renamed into place.
    /// - Returns: the files written, in ``names`` order (then `slices.csv`).
    @discardableResult
    public static func write(_ report: Report, to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        func text(_ render: @escaping () -> String) -> (FileHandle) throws -> Void { { try $0.write(contentsOf: Data(render().utf8)) } }
        var renderings: [(String, (FileHandle) throws -> Void)] = [
            ("index.html", text { HTMLReport.render(report) }),
            ("adoption.csv", text { CSVReport.adoption(report) }),
            ("layers.csv", text { CSVReport.layers(report) }),
            ("domains.csv", text { CSVReport.domains(report) }),
            ("suppliers.csv", text { CSVReport.suppliers(report) }),
            ("report.json", { handle in try JSONRows.encode(report, encoder: encoder) { try handle.write(contentsOf: $0) } }),
            ("summary.md", text { MarkdownReport.summary(report) }),
        ]
        if report.sliceBy != nil { renderings.append(("slices.csv", text { CSVReport.slices(report) })) }
        return try renderings.map { name, render in
            let url = directory.appendingPathComponent(name)
            try writeAtomically(to: url, render)
            return url
        }
    }

    /// Writes a file through `fill` under a temporary name in its folder, then renames it into
    /// place; on an error the temporary file is removed and `url` is left as it was.
    static func writeAtomically(to url: URL, _ fill: (FileHandle) throws -> Void) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8))")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try fill(handle)
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        if rename(temporary.path, url.path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)])
        }
    }
}
