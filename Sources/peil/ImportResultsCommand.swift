import ArgumentParser
import Foundation
import PeilModel
import Report

/// `peil import-results --measurement NAME --date YYYY-MM-DD DIR`: published results as a measurement.
struct ImportResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-results",
        abstract: "Load published results (the government's web.csv/mail.csv) as a measurement, to report on or use as a baseline.",
        discussion: """
            Reads a folder holding web.csv and/or mail.csv, or those files. The set they were published \
            for (--set, default primary) is imported from the same files in the same transaction, so \
            its layers are the published ones. All or nothing: a missing file, a line with the wrong \
            number of columns, an unknown layer or a word that is not a status word refuses the whole \
            import, naming every bad line as file:line. Importing the same name again replaces it.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Name of the imported measurement (not only digits).")
    var measurement: String

    @Option(help: "The day the results were measured, YYYY-MM-DD.")
    var date: String

    @Option(name: .customLong("set"), help: "The set the results were published for; imported from the same files.")
    var set: String = "primary"

    @Option(help: "The rule set the published statuses follow.")
    var ruleSet: String = "internetnl-2021"

    @Argument(help: "A folder with web.csv and/or mail.csv, or the files.")
    var paths: [String]

    func validate() throws {
        guard !measurement.isEmpty, !measurement.allSatisfy(\.isNumber) else {
            throw ValidationError("--measurement needs a name that is not only digits (ids are numbers)")
        }
        let parts = date.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isNumber) }) else { throw ValidationError("--date is YYYY-MM-DD, not '\(date)'") }
    }

    func run() throws {
        let files = try Self.read(paths)
        let rows: [PublishedRow]
        let entries: [SetEntry]
        do {
            rows = try PublishedResults.parse(files)
            entries = try SeedList.parse(files)
        } catch {
            throw ValidationError(error.description)
        }
        let store = try database.open()
        let summary = try store.importResults(name: measurement, date: date, ruleSet: ruleSet, set: set, entries: entries, rows: rows)
        let tests = Dictionary(grouping: rows, by: \.test.rawValue).mapValues(\.count).sorted { $0.key > $1.key }
            .map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        print("measurement \(summary.measurementID) '\(measurement)' (\(date), \(ruleSet), imported\(summary.replaced ? ", replacing the earlier import" : "")): "
            + "\(tests) rows; set \(set): \(summary.set.domains) domains")
    }

    /// The files named, or `web.csv` and `mail.csv` of a folder.
    static func read(_ paths: [String]) throws -> [SeedFile] {
        var files: [SeedFile] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ValidationError("no such file or folder: \(path)")
            }
            var members = [path]
            if isDirectory.boolValue {
                members = ["web.csv", "mail.csv"].map { (path as NSString).appendingPathComponent($0) }
                    .filter { FileManager.default.fileExists(atPath: $0) }
                guard !members.isEmpty else { throw ValidationError("\(path) holds neither web.csv nor mail.csv") }
            }
            for member in members {
                guard let text = try? String(contentsOfFile: member, encoding: .utf8) else {
                    throw ValidationError("cannot read \(member) as UTF-8 text")
                }
                files.append(SeedFile(name: member, text: text))
            }
        }
        return files
    }
}
