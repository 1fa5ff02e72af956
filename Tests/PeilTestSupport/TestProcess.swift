import Foundation
import Lab

/// The one way tests start programs: Lab's ``ChildProcess`` (`posix_spawn`, output to files).
public typealias TestProcess = ChildProcess

extension ChildProcess {
    /// A finished program: its exit status and what it printed.
    public struct Result: Sendable {
        public var status: Int32
        public var standardOutput: String
        /// Empty when standard error was merged into standard output.
        public var standardError: String
        public var timedOut: Bool
    }

    /// Runs `program` to completion, stopped after `timeout`; output in a scratch folder that is
    /// removed afterwards. `mergeErrors` puts standard error into `standardOutput`, in order.
    public static func run(_ program: String, _ arguments: [String], directory: String? = nil, environment: [String: String] = [:],
                           mergeErrors: Bool = false, timeout: Duration = .seconds(120)) throws -> Result {
        let folder = try scratchFolder("run")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let process = try TestProcess(program, arguments, log: folder + "/out", errorLog: mergeErrors ? nil : folder + "/err",
                                      directory: directory, environment: environment)
        let status = process.wait(timeout: timeout)
        if status == nil { process.stop() }
        return Result(status: status ?? process.poll() ?? -1, standardOutput: process.output,
                      standardError: process.errorOutput, timedOut: status == nil)
    }

    /// A new empty folder in the temporary directory, `peil-<prefix>-<random>`.
    public static func scratchFolder(_ prefix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("peil-\(prefix)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The `peil` executable built beside the test bundle (the build products folder), if any.
    public static var peil: String? {
        let candidates = [
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
        ]
        return candidates.map { $0.appendingPathComponent("peil").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The absolute path of `program`, searched in `PATH` and the sbin folders (root's sbin may
    /// be missing from a CI `PATH`); nil when it is not installed.
    public static func which(_ program: String) -> String? {
        if program.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let folders = path + ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        return folders.map { $0 + "/" + program }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
