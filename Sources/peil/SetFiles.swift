import ArgumentParser
import Foundation
import PeilModel

/// Reads the files (or folders of `web.csv`/`mail.csv`/`domains.csv`) named on the command line.
enum SetFiles {
    static func read(_ urls: [URL]) throws -> [SetEntry] {
        var files: [SeedFile] = []
        for url in urls {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw ValidationError("no such file or folder: \(url.path)")
            }
            let members = isDirectory.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".csv") || $0.hasSuffix(".txt") }.sorted().map { url.appendingPathComponent($0) }
                : [url]
            guard !members.isEmpty else { throw ValidationError("\(url.path) holds no .csv or .txt list") }
            for member in members {
                do {
                    files.append(SeedFile(name: member.path, text: try String(contentsOf: member, encoding: .utf8)))
                } catch {
                    throw ValidationError("cannot read \(member.path) as UTF-8 text: \(error.localizedDescription)")
                }
            }
        }
        return try SeedList.parse(files)
    }
}
