import ArgumentParser
import Foundation
import Store

/// `peil measure --sets primary,broad`: a measurement over the union of sets.
struct MeasureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure",
        abstract: "Start a measurement over the union of sets (each domain once); prints its id."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Comma-separated set names.")
    var sets: String

    @Flag(help: "Follow progress until the measurement is complete.")
    var wait = false

    @Option(help: "Validated ROAs (JSON) for the RPKI subtests; with --rpki-origins (see peil rpki load).")
    var rpkiRoas: String?

    @Option(help: "Origin table (PREFIX ORIGIN per line) for the RPKI subtests; with --rpki-roas.")
    var rpkiOrigins: String?

    func validate() throws {
        guard (rpkiRoas == nil) == (rpkiOrigins == nil) else { throw ValidationError("--rpki-roas and --rpki-origins go together") }
    }

    func run() throws {
        let names = sets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("--sets names no set") }
        let snapshot = try rpkiRoas.flatMap { roas in try rpkiOrigins.map { try RPKICommand.readSnapshot(roas: roas, origins: $0) } }
        let db = try database.open()
        let id = try db.createMeasurement(sets: names)
        if let snapshot, let rpkiRoas, let rpkiOrigins {
            try db.setRPKISnapshot(snapshot, measurementID: id, source: "\(rpkiRoas), \(rpkiOrigins)")
        }
        print(id)
        if wait {
            try ProgressDisplay(database: db, measurementID: id, live: isatty(STDERR_FILENO) != 0).follow(to: .standardError)
        }
    }
}

/// `peil status [ID]`: progress of a measurement and per-agent throughput.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a measurement's progress (a live bar on a terminal, plain lines otherwise)."
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "Measurement id (default: the latest).")
    var id: Int64?

    @Flag(help: "Keep following until complete (default on a terminal).")
    var follow = false

    @Flag(help: "Print one JSON object and exit.")
    var json = false

    @Flag(help: "Print the TLS scans' handshakes per web and mail endpoint (from the stored results) and exit.")
    var scanCosts = false

    func run() throws {
        let db = try database.open()
        guard let measurementID = try id ?? db.latestMeasurementID() else {
            throw ValidationError("no measurements yet; start one with 'peil measure --sets NAME'")
        }
        if scanCosts {
            for cost in try db.scanCosts(measurementID: measurementID) { print("measurement \(measurementID): \(cost)") }
            return
        }
        let display = ProgressDisplay(database: db, measurementID: measurementID, live: isatty(STDOUT_FILENO) != 0)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(try db.progress(measurementID: measurementID)), as: UTF8.self))
        } else if follow || isatty(STDOUT_FILENO) != 0 {
            try display.follow(to: .standardOutput)
        } else {
            print(try display.snapshot())
        }
    }
}
