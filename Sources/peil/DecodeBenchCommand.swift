import ArgumentParser
import Foundation
import PeilModel
import Wire

/// `peil bench decode`: what the coordinator spends decoding one RESULT (docs/SCALE.md), per
/// task kind, with the twin's observations of `--observations-from` (each kind's median-sized
/// one, as `peil bench ingest` sends them): `WireMessage.received(frames:)`, the coordinator's
/// decoder, and Foundation's `JSONDecoder` of the same body for comparison. One thread, no
/// database work after the observations are read.
struct DecodeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Time the coordinator's decoding of one RESULT per task kind, with the twin's observations."
    )

    @Option(name: .customLong("observations-from"), help: "Database whose stored observations are decoded (libpq connection string; default: $PEIL_DATABASE_URL).")
    var observationsFrom: String?

    @Option(help: "Times each kind's RESULT is decoded per decoder.")
    var reports = 20_000

    @Option(help: "Which task kinds, comma-separated (default: every kind the observations have).")
    var kinds: String?

    @Option(help: "Also time Foundation's JSONDecoder (false: the coordinator's decoder alone, for a profile of it).")
    var foundation = true

    @Option(help: "Write the figures as JSON to this file.")
    var json: String?

    var parsedKinds: [TaskKind]? {
        get throws {
            try kinds.map { list in
                try list.split(separator: ",").map { name in
                    guard let kind = TaskKind(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                        throw ValidationError("--kinds takes \(TaskKind.allCases.map(\.rawValue).joined(separator: ", ")); not \(name)")
                    }
                    return kind
                }
            }
        }
    }

    func validate() throws {
        guard (1...10_000_000).contains(reports) else { throw ValidationError("--reports must be 1…10000000") }
        _ = try parsedKinds
    }

    /// One kind's figures: nanoseconds per RESULT with each decoder.
    struct Figures: Codable {
        var kind: String
        var bytes: Int
        var reports: Int
        var wireNanoseconds: Double
        var foundationNanoseconds: Double?

        static let header = "  kind         bytes    reports   wire µs/result   JSONDecoder µs/result"
        var row: String {
            func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
            return "  " + kind.padding(toLength: 10, withPad: " ", startingAt: 0) + pad("\(bytes)", 8) + pad("\(reports)", 11)
                + pad(String(format: "%.2f", wireNanoseconds / 1000), 17) + pad(foundationNanoseconds.map { String(format: "%.2f", $0 / 1000) } ?? "not run", 24)
        }
    }

    func run() throws {
        let twin = try TwinObservations.load(from: observationsFrom)
        print(Figures.header)
        var figures: [Figures] = []
        let asked = try parsedKinds ?? TaskKind.allCases
        for kind in TaskKind.allCases where twin.answers.kinds.contains(kind) && asked.contains(kind) {
            let task = TaskAssignment(taskID: 123_456_789, attempt: 1, measurementID: 1, kind: kind, domain: "d.test", webHost: "d.test")
            let frames = twin.answers.frames(for: [task])[0]
            let body = frames[1]
            let wire = try Self.nanoseconds(reports) {
                guard case .result = try WireMessage.received(frames: frames).message else { throw BenchError("not a RESULT") }
            }
            let decoder = JSONDecoder()
            let foundation = try self.foundation ? Self.nanoseconds(reports) { _ = try decoder.decode(TaskReport.self, from: body) } : nil
            let row = Figures(kind: kind.rawValue, bytes: body.count, reports: reports, wireNanoseconds: wire, foundationNanoseconds: foundation)
            figures.append(row)
            print(row.row)
        }
        try writeBenchFigures(figures, to: json)
    }

    /// Nanoseconds of one run of `body`: the median of five rounds' means of `count / 5` runs
    /// each (the machine's speed wanders), after a tenth as many runs to warm up.
    static func nanoseconds(_ count: Int, _ body: () throws -> Void) throws -> Double {
        for _ in 0..<max(1, count / 10) { try body() }
        let clock = ContinuousClock()
        let perRound = max(1, count / 5)
        var means: [Double] = []
        for _ in 0..<5 {
            let start = clock.now
            for _ in 0..<perRound { try body() }
            let (seconds, attoseconds) = (clock.now - start).components
            means.append((Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(perRound))
        }
        return means.sorted()[2]
    }
}
