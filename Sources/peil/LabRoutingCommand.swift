import ArgumentParser
import Foundation
import Lab

extension LabCommand {
    /// `peil lab routing --world FILE --roas OUT --origins OUT`: the twin's ROA export and origin
    /// table, for `peil measure --rpki-roas/--rpki-origins` or `peil rpki load`.
    struct Routing: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the twin's ROAs (rpki-client JSON) and origin table for the RPKI subtests.")

        @OptionGroup var world: WorldOption

        @Option(help: "Where to write the ROA export.")
        var roas: String

        @Option(help: "Where to write the origin table.")
        var origins: String

        func run() throws {
            guard let twin = try world.twin() else { throw ValidationError("--world must name a twin world file (peil lab world writes one)") }
            let routing = TwinRouting(twin)
            try routing.roaExport().write(to: URL(fileURLWithPath: roas))
            try Data(routing.originTable().utf8).write(to: URL(fileURLWithPath: origins))
            let counts = Dictionary(grouping: routing.causes.values, by: { $0 }).mapValues(\.count)
            let summary = TwinRouting.Cause.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
            print("routing: \(routing.snapshot.roas.count) ROAs → \(roas), \(routing.snapshot.routes.count) routes → \(origins); server groups: \(summary)")
        }
    }
}
