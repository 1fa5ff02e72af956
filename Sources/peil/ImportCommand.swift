import ArgumentParser
import Foundation
import PeilModel
import Store

/// `peil import --set NAME FILE…`: read seed lists into a named set, all or nothing.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a domain list into a named set (replacing its members); a file with bad lines is refused whole.",
        discussion: """
            Reads the primary web.csv/mail.csv (or their folder), the broad domains.csv, a CSV list whose header starts \
            with domain (layer, web_host, any other column), or a plain list (one domain per line, # comments). \
            Extra columns (the broad list's Agency, or supplier, contract …) become tags, named lowercase with \
            other characters as _ (peil report --by TAG).
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("set"), help: "Name of the set.")
    var set: String

    @Argument(help: "Files or folders to read.")
    var files: [String]

    func run() throws {
        let started = ContinuousClock.now
        let lists = try SetFiles.files(files.map { URL(fileURLWithPath: $0) })
        let db = try database.open()
        let summary = try db.importSet(name: set, streaming: { members in
            try SetFiles.stream(lists) { try members.append($0) }
        })
        let elapsed = (ContinuousClock.now - started).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        print("set \(set): \(summary.domains) domains (\(summary.added) added, \(summary.removed) removed, \(summary.newDomains) new to the store) in \(String(format: "%.2f", seconds)) s")
    }
}

/// `peil sets`: the sets with their sizes per layer.
struct SetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sets", abstract: "List the sets with counts per government layer and per tag.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let db = try database.open()
        let sets = try db.listSets()
        if sets.isEmpty { print("no sets; import one with 'peil import --set NAME FILE'") }
        let width = sets.map(\.name.count).max() ?? 0
        for set in sets {
            var layers = Layer.allCases.compactMap { layer in set.layers[layer].map { "\(layer.rawValue) \($0)" } }
            if set.withoutLayer > 0 { layers.append("no layer \(set.withoutLayer)") }
            let name = set.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let tags = set.tags.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            print("\(name)  \(set.domains) domains  \(layers.joined(separator: ", "))" + (tags.isEmpty ? "" : "  tags: " + tags.joined(separator: ", ")))
        }
    }
}
