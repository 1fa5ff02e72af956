import ArgumentParser
import Foundation
import PeilModel
import Store

/// `peil import --set NAME FILE…`: read seed lists into a named set, all or nothing.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a domain list into a named set (replacing its members); a file with bad lines is refused whole.",
        discussion: "Reads the primary web.csv/mail.csv (or their folder), the broad domains.csv, or a plain list (one domain per line, # comments)."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("set"), help: "Name of the set.")
    var set: String

    @Argument(help: "Files or folders to read.")
    var files: [String]

    func run() throws {
        let started = ContinuousClock.now
        let entries = try SetFiles.read(files.map { URL(fileURLWithPath: $0) })
        let db = try database.open()
        let summary = try db.importSet(name: set, entries: entries)
        print("set \(set): \(summary)  (\(ContinuousClock.now - started))")
    }
}

/// `peil sets`: the sets with their sizes per layer.
struct SetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sets", abstract: "List the sets with counts per government layer.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let db = try database.open()
        let sets = try db.listSets()
        if sets.isEmpty { print("no sets; import one with 'peil import --set NAME FILE'") }
        for set in sets { print(set) }
    }
}
