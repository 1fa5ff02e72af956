import ArgumentParser
import Foundation
import PeilModel
import Store
import Wire

/// `peil bench dispatch`: the coordinator's memory while it hands out a whole queue (docs/SCALE.md).
///
/// Queues `--tasks` tiny reach tasks in a scratch database of its own on the server of
/// `--database`, runs `peil coordinator` (this binary) as a child process on
/// `tcp://127.0.0.1:*` with a key pair and an allow-list made for the run, and `--agents` fake
/// agents (threads of this process, as `peil bench ingest`'s) that answer every task at once.
/// Every second it reads the child's resident memory (`VmRSS` in `/proc/PID/status`) and the
/// results stored; it prints the memory at every tenth of the queue done, the rate between
/// them, and the child's peak (`VmHWM`). It stops when every task has its result, or at
/// `--timeout`.
struct DispatchBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch",
        abstract: "A coordinator's resident memory (a child process) while fake agents work through a queue of --tasks tasks (a scratch database of its own)."
    )

    @Option(name: .customLong("database"), help: "The PostgreSQL server (libpq connection string of a role that may CREATE DATABASE; default: $PEIL_DATABASE_URL). The bench makes a database of its own there and drops it.")
    var server: String?

    @Option(help: "Tasks queued, all before the coordinator starts.")
    var tasks = 1_000_000

    @Option(help: "Fake agents (threads of this process).")
    var agents = 50

    @Option(help: "Results each fake agent keeps in flight.")
    var concurrency = 64

    @Option(help: "Seconds after which the bench stops, done or not.")
    var timeout = 1800.0

    @Option(help: "Write the figures as JSON to this file.")
    var json: String?

    func validate() throws {
        guard (1...50_000_000).contains(tasks) else { throw ValidationError("--tasks must be 1…50000000") }
        guard (1...256).contains(agents), (1...4096).contains(concurrency) else {
            throw ValidationError("--agents must be 1…256 and --concurrency 1…4096")
        }
        guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout must be in (0, 86400] seconds") }
    }

    /// What the bench saw at one moment.
    struct Sample: Codable {
        var seconds: Double
        var stored: Int
        var residentMegabytes: Double
    }

    struct Figures: Codable {
        var tasks: Int
        var agents: Int
        var concurrency: Int
        var queueSeconds: Double
        var samples: [Sample]
        var peakResidentMegabytes: Double
        var stored: Int
        var finished: Bool
        var rejections: [String]
    }

    func run() async throws {
        let scratch = try ScratchDatabase(server: server)
        defer { scratch.drop() }
        let monitor = try scratch.connect(statementTimeout: .seconds(3600))
        let measurement: Int64 = try monitor.query(
            "INSERT INTO measurements (sets) VALUES ('{peil-bench-dispatch}') RETURNING id").single().decode("id")
        let queueStarted = ContinuousClock.now
        let slice = 500_000
        for from in stride(from: 1, through: tasks, by: slice) {
            try IngestBench.queue(monitor, measurement: measurement, pattern: [.reach], from: from, count: min(slice, tasks - from + 1))
        }
        try monitor.execute("VACUUM ANALYZE tasks")
        let queueSeconds = (ContinuousClock.now - queueStarted).seconds
        print("queued \(tasks) tasks in \(String(format: "%.1f", queueSeconds)) s")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peil-bench-dispatch-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        let coordinatorKey = try CurveKeyPair.generate()
        _ = try CurveKeyFile.write(coordinatorKey, name: "coordinator", directory: folder)
        let agentKeys = try (0..<agents).map { _ in try CurveKeyPair.generate() }
        let allowList = folder.appendingPathComponent("agents.allow")
        try agentKeys.enumerated().map { "\($1.publicKey) bench-agent-\($0 + 1)\n" }.joined()
            .write(to: allowList, atomically: true, encoding: .utf8)
        let readyFile = folder.appendingPathComponent("ready")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0])
        child.arguments = ["coordinator", "--database", scratch.connectionString, "--bind", "tcp://127.0.0.1:*",
                           "--key", folder.appendingPathComponent("coordinator.key").path, "--allow", allowList.path,
                           "--lease-seconds", "3600", "--resolve-only", "--ready-file", readyFile.path, "--log-level", "warning"]
        child.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try child.run()
        defer { if child.isRunning { child.terminate(); child.waitUntilExit() } }
        let endpoint = try await Self.endpoint(in: readyFile, of: child)

        let context = try ZMQContext()
        defer { context.terminate() }
        let started = ContinuousClock.now
        let stopAt = started + .milliseconds(Int64(timeout * 1000))
        let stop = StopSignal()
        let answers = try CannedAnswers(resolution: nil, connect: [.reach: ConnectObservation(reach: ReachObservation(ports: []))])
        let fakes = agentKeys.enumerated().map { index, key in
            BenchAgent(context: context, endpoint: endpoint, serverPublicKey: coordinatorKey.publicKey, keyPair: key,
                       name: "bench-agent-\(index + 1)", concurrency: concurrency, creditBatch: 1, answers: answers,
                       window: started...stopAt, stopAt: stopAt, stop: stop)
        }
        fakes.forEach { $0.start() }
        var samples: [Sample] = []
        print(Self.header)
        var nextTenth = 1
        var lastPrinted = Sample(seconds: 0, stored: 0, residentMegabytes: 0)
        while ContinuousClock.now < stopAt, child.isRunning {
            try await Task.sleep(for: .seconds(1))
            let stored: Int = try monitor.query("SELECT count(*)::integer AS n FROM results").single().decode("n")
            let sample = Sample(seconds: (ContinuousClock.now - started).seconds, stored: stored,
                                residentMegabytes: Self.status(of: child.processIdentifier, field: "VmRSS") ?? 0)
            samples.append(sample)
            while nextTenth <= 10, stored * 10 >= tasks * nextTenth {
                if sample.stored != lastPrinted.stored { print(Self.row(sample, previous: lastPrinted, tasks: tasks)) }
                lastPrinted = sample
                nextTenth += 1
            }
            if stored >= tasks { break }
        }
        let peak = Self.status(of: child.processIdentifier, field: "VmHWM") ?? 0
        stop.stop()
        let tallies = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: fakes.map { $0.result() }) }.start()
        }
        child.terminate()
        child.waitUntilExit()
        let stored = samples.last?.stored ?? 0
        print("coordinator peak resident memory (VmHWM): \(String(format: "%.1f", peak)) MB; \(stored) of \(tasks) results stored"
              + (stored < tasks ? " (stopped before the end)" : ""))
        let figures = Figures(tasks: tasks, agents: agents, concurrency: concurrency, queueSeconds: queueSeconds, samples: samples,
                              peakResidentMegabytes: peak, stored: stored, finished: stored >= tasks,
                              rejections: tallies.flatMap(\.rejected) + tallies.filter { !$0.welcomed }.map { _ in "an agent was never welcomed" })
        for rejection in figures.rejections.prefix(5) { print("agent: \(rejection)") }
        try writeBenchFigures(figures, to: json)
    }

    static let header = "  stored   share  seconds  results/s  coordinator RSS MB"

    /// A line of the table: `sample`, and the rate since `previous`.
    static func row(_ sample: Sample, previous: Sample, tasks: Int) -> String {
        let rate = sample.seconds > previous.seconds ? Double(sample.stored - previous.stored) / (sample.seconds - previous.seconds) : 0
        return String(format: "%8d  %5.1f%%  %7.1f  %9.1f  %18.1f", sample.stored, 100 * Double(sample.stored) / Double(tasks),
                      sample.seconds, rate, sample.residentMegabytes)
    }

    /// A `kB` field of `/proc/PID/status`, in megabytes; nil when the process is gone.
    static func status(of pid: Int32, field: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { return nil }
        return kilobytes / 1024
    }

    /// The first endpoint the child wrote to its ready file (10 s at most).
    static func endpoint(in file: URL, of child: Process) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, child.isRunning {
            if let text = try? String(contentsOf: file, encoding: .utf8),
               let first = text.split(whereSeparator: \.isWhitespace).first { return String(first) }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("the coordinator did not write its endpoints to \(file.path) within 10 s")
    }
}
