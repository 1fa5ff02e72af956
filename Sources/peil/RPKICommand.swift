import ArgumentParser
import Foundation
import PeilModel
import Store

/// `peil rpki load --measurement ID --roas FILE --origins FILE`: the routing a measurement's
/// RPKI subtests are judged on.
struct RPKICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpki",
        abstract: "Give a measurement the ROAs and routes its RPKI subtests are judged on.",
        subcommands: [Load.self]
    )

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a relying party's ROA export and an origin table and keep them with a measurement.",
            discussion: """
                --roas: the validated ROAs as JSON, as `rpki-client -j` or `routinator vrps --format json` \
                write them ({"roas": [{"asn", "prefix", "maxLength", "ta"}]}).
                --origins: the routes that cover the measured addresses, one `PREFIX ORIGIN` per line \
                (`198.18.0.0/16 64500` or `… AS64500`; `#` starts a comment).
                Without them the RPKI subtests are not_tested. Loading again replaces the snapshot.
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The measurement (id or name).")
        var measurement: String

        @Option(help: "Validated ROAs, JSON.")
        var roas: String

        @Option(help: "Origin table: PREFIX ORIGIN per line.")
        var origins: String

        func run() throws {
            let snapshot = try RPKICommand.readSnapshot(roas: roas, origins: origins)
            let db = try database.open()
            let info = try db.measurementInfo(measurement)
            let replaced = try db.setRPKISnapshot(snapshot, measurementID: info.id, source: "\(roas), \(origins)")
            print("measurement \(info.id): \(snapshot.roas.count) ROAs, \(snapshot.routes.count) routes\(replaced ? " (replaced the earlier snapshot)" : "")")
        }
    }

    /// Both files read and parsed, or a clear error naming the file and the entry.
    static func readSnapshot(roas: String, origins: String) throws -> RPKISnapshot {
        func contents(_ path: String) throws -> Data {
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            return data
        }
        do {
            let roaList = try RPKISnapshot.parseROAs(try contents(roas))
            let routeList = try RPKISnapshot.parseRoutes(String(decoding: try contents(origins), as: UTF8.self))
            return RPKISnapshot(roas: roaList, routes: routeList)
        } catch let error as RPKIInputError {
            throw ValidationError("\(error)")
        }
    }
}
