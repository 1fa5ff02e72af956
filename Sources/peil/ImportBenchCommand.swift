import ArgumentParser
import Foundation
import Store

/// `peil bench import`: `peil import` of a generated list of `--lines` domains (one per line,
/// `d<n>.nl`) into a scratch database of its own, run as a child process: its wall time and
/// peak resident memory (``MeasuredChild``: its own rusage from `wait4`).
/// The scratch database and the list are removed afterwards.
struct ImportBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Wall time and peak memory of `peil import` of a generated list (a scratch database of its own)."
    )

    /// What one import gave.
    struct Figures: Codable {
        var lines: Int
        var fileBytes: Int
        var exitStatus: Int32
        var wallSeconds: Double
        var userSeconds: Double
        var systemSeconds: Double
        var peakResidentMegabytes: Double
        /// The child's last line of output (its summary, or its error).
        var output: String
    }

    @Option(name: .customLong("database"), help: "The PostgreSQL server (a role that may CREATE DATABASE; default: $PEIL_DATABASE_URL).")
    var server: String?

    @Option(help: "Domains in the generated list.")
    var lines = 1_000_000

    @Option(name: .customLong("import-statement-timeout"), help: "The child's --statement-timeout, seconds (peil import's default unless given).")
    var importStatementTimeout: Double?

    @Option(help: "The peil executable to run (default: this one).")
    var peil: String?

    @Option(help: "Write the figures as JSON to this file.")
    var json: String?

    func validate() throws {
        guard (1...100_000_000).contains(lines) else { throw ValidationError("--lines must be 1…100000000") }
    }

    func run() throws {
        let scratch = try ScratchDatabase(server: server)
        defer { scratch.drop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peil-bench-import-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let list = folder.appendingPathComponent("domains.txt")
        let fileBytes = try Self.writeList(to: list, lines: lines)

        let executable = peil ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
        let arguments = ["import", "--set", "bench", "--database", scratch.connectionString]
            + (importStatementTimeout.map { ["--statement-timeout", String($0)] } ?? []) + [list.path]
        let outputPath = folder.appendingPathComponent("import.out").path
        let child = try MeasuredChild.run(executable, arguments, outputPath: outputPath)
        let wall = child.wallSeconds
        let figures = Figures(lines: lines, fileBytes: fileBytes, exitStatus: child.exitStatus, wallSeconds: wall,
                              userSeconds: child.userSeconds, systemSeconds: child.systemSeconds,
                              peakResidentMegabytes: child.peakResidentMegabytes,
                              output: MeasuredChild.lastLine(ofFile: outputPath))
        print("   lines   file MB  exit  wall s  user s   sys s  peak RSS MB")
        print(String(format: "%8d  %8.1f  %4d  %6.1f  %6.1f  %6.1f  %11.1f", figures.lines, Double(fileBytes) / 1_048_576,
                     figures.exitStatus, wall, figures.userSeconds, figures.systemSeconds, figures.peakResidentMegabytes))
        print("peil import said: \(figures.output)")
        try writeBenchFigures([figures], to: json)
    }

    /// Writes `d1.nl` … `d<lines>.nl`, one a line, in blocks. - Returns: the file's size in bytes.
    private static func writeList(to url: URL, lines: Int) throws -> Int {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw BenchError("cannot create \(url.path)") }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var bytes = 0
        var block = ""
        for n in 1...lines {
            block += "d\(n).nl\n"
            if n % 100_000 == 0 || n == lines {
                let data = Data(block.utf8)
                try handle.write(contentsOf: data)
                bytes += data.count
                block = ""
            }
        }
        return bytes
    }
}
