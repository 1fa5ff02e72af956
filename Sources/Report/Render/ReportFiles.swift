import Foundation

/// Writes a report's files into a directory (created if missing): `index.html`,
/// `adoption.csv`, `layers.csv`, `domains.csv`, `suppliers.csv`, `report.json`, `summary.md`,
/// and `slices.csv` when the report is sliced (`--by`).
public enum ReportFiles {
    public static let names = ["index.html", "adoption.csv", "layers.csv", "domains.csv", "suppliers.csv", "report.json", "summary.md"]

    /// Renders and writes every file, one at a time: a rendering is dropped before the next
    /// is made, and the files with a row per domain (`index.html`, `domains.csv`, `report.json`)
    /// are written as their rows are read (``DomainRows``: from disk for a spooled report), so
    /// only the report's aggregates and one row are held at once. Each file is written to a
    /// temporary name and renamed into place; a row that cannot be read back fails its file.
    /// `htmlDomainRowLimit`: the most domains `index.html` shows a row for (``HTMLReport/domainRowLimit``).
    /// - Returns: the files written, in ``names`` order (then `slices.csv`).
    @discardableResult
    public static func write(_ report: Report, to directory: URL, htmlDomainRowLimit: Int = HTMLReport.domainRowLimit) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        func text(_ render: @escaping () -> String) -> (BufferedFile) throws -> Void { { try $0.write(render()) } }
        var renderings: [(String, (BufferedFile) throws -> Void)] = [
            ("index.html", { file in try HTMLReport.render(report, domainRowLimit: htmlDomainRowLimit) { try file.write($0) } }),
            ("adoption.csv", text { CSVReport.adoption(report) }),
            ("layers.csv", text { CSVReport.layers(report) }),
            ("domains.csv", { file in try CSVReport.domains(report) { try file.write($0) } }),
            ("suppliers.csv", text { CSVReport.suppliers(report) }),
            ("report.json", { file in try JSONRows.encode(report, encoder: encoder) { try file.write($0) } }),
            ("summary.md", text { MarkdownReport.summary(report) }),
        ]
        if report.sliceBy != nil { renderings.append(("slices.csv", text { CSVReport.slices(report) })) }
        return try renderings.map { name, render in
            let url = directory.appendingPathComponent(name)
            try writeAtomically(to: url) { handle in
                let file = BufferedFile(handle)
                try render(file)
                try file.flush()
                if let failure = report.domains.failure { throw failure }
            }
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

/// Writes to a file handle in blocks of about a megabyte rather than a call per piece.
final class BufferedFile {
    private let handle: FileHandle
    private var buffer = Data()

    init(_ handle: FileHandle) {
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ text: String) throws { try write(Data(text.utf8)) }

    func write(_ data: Data) throws {
        buffer.append(data)
        if buffer.count >= 1 << 20 { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
