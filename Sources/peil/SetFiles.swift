import ArgumentParser
import Foundation
import PeilModel

/// Reads the files (or folders of `web.csv`/`mail.csv`/`domains.csv`) named on the command line.
enum SetFiles {
    /// The files `urls` name: each file itself, each folder's `.csv` and `.txt` files by name.
    static func files(_ urls: [URL]) throws -> [URL] {
        var files: [URL] = []
        for url in urls {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw ValidationError("no such file or folder: \(url.path)")
            }
            let members = isDirectory.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".csv") || $0.hasSuffix(".txt") }.sorted().map { url.appendingPathComponent($0) }
                : [url]
            guard !members.isEmpty else { throw ValidationError("\(url.path) holds no .csv or .txt list") }
            files += members
        }
        return files
    }

    /// Parses `files` line by line (``SeedLineParser``), handing each entry to `body` in file
    /// and line order while no line has been bad; one block of a file is held at a time.
    /// - Throws: ``SeedListError`` naming every bad line of every file (after reading them all),
    ///   or that they hold no domain; `ValidationError` for a file that is not UTF-8 text.
    static func stream(_ files: [URL], _ body: (SetEntry) throws -> Void) throws {
        var problems: [SeedListError.Problem] = []
        var entries = 0
        for file in files {
            var parser = SeedLineParser(fileName: file.path)
            try LineReader.forEachLine(of: file) { line in
                guard let entry = parser.parse(line: line) else { return }
                entries += 1
                if problems.isEmpty && parser.problems.isEmpty { try body(entry) }
            }
            problems += parser.problems
        }
        try SeedList.refuse(problems, entries: entries, files: files.map(\.path))
    }
}

/// A text file's lines, read in blocks: split at `\n`, `\r\n` or `\r` as ``SeedList/parse(_:)-([SeedFile])``
/// splits a text (a last line after the final break too, empty or not).
enum LineReader {
    static let blockBytes = 1 << 16

    /// Calls `body` with each line, without its break.
    /// - Throws: `ValidationError` when a line is not UTF-8; what `body` throws.
    static func forEachLine(of url: URL, _ body: (String) throws -> Void) throws {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw ValidationError("cannot read \(url.path) as UTF-8 text: \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        var line: [UInt8] = []
        var number = 0
        var afterCarriageReturn = false
        func emit() throws {
            number += 1
            guard let text = String(validating: line, as: UTF8.self) else {
                throw ValidationError("cannot read \(url.path) as UTF-8 text: line \(number) is not UTF-8")
            }
            line.removeAll(keepingCapacity: true)
            try body(text)
        }
        while let block = try handle.read(upToCount: blockBytes), !block.isEmpty {
            try block.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                var start = 0
                for index in 0..<bytes.count {
                    let byte = bytes[index]
                    guard byte == 0x0A || byte == 0x0D else { continue }
                    if byte == 0x0A && afterCarriageReturn && index == start {
                        // The \n of a \r\n whose \r ended the line already.
                        afterCarriageReturn = false
                        start = index + 1
                        continue
                    }
                    line += bytes[start..<index]
                    try emit()
                    afterCarriageReturn = byte == 0x0D
                    start = index + 1
                }
                if start < bytes.count {
                    line += bytes[start..<bytes.count]
                    afterCarriageReturn = false
                }
            }
        }
        try emit()
    }
}
