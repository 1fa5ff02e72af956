import Foundation

/// The one way tests start programs: a child started with `posix_spawn` (no Foundation
/// `Process`, so no launch races between suites), stdin from /dev/null (or a pipe held open),
/// stdout and stderr to files, so a large output never blocks it and a failing test can show it.
/// The test that starts a process stops it (`stop()`, also on deinit).
public final class TestProcess: @unchecked Sendable {
    public let pid: pid_t
    /// The file with the child's standard output (and standard error, unless `errorLog` was given).
    public let logFile: String
    /// The file with the child's standard error when it is kept apart.
    public let errorLogFile: String?
    private let lock = NSLock()
    private var exitStatus: Int32?
    private var stdinWriter: Int32 = -1

    /// Starts `program` (an absolute path) with `arguments`.
    /// - Parameters:
    ///   - log: file for standard output, and standard error unless `errorLog` is given.
    ///   - directory: working directory of the child (else the test's).
    ///   - environment: variables added to (or replacing) the test's own.
    ///   - holdStdinOpen: stdin is a pipe left open (never written) until `stop()`:
    ///     `openssl s_server` ends a connection when its stdin reaches end of file.
    public init(_ program: String, _ arguments: [String], log: String, errorLog: String? = nil, directory: String? = nil,
                environment: [String: String] = [:], holdStdinOpen: Bool = false) throws {
        var program = program, arguments = arguments
        if let directory {
            arguments = ["-c", "cd \"$0\" && exec \"$@\"", directory, program] + arguments
            program = "/bin/sh"
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipeEnds: [Int32] = [-1, -1]
        if holdStdinOpen, pipe(&pipeEnds) == 0 {
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[0], 0)
            posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
            posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        defer { if pipeEnds[0] >= 0 { close(pipeEnds[0]) } }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let errorLog {
            posix_spawn_file_actions_addopen(&actions, 2, errorLog, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        Self.markDescriptorsCloseOnExec()
        var pid: pid_t = 0
        let status = posix_spawn(&pid, program, &actions, nil, argv, envp)
        guard status == 0 else {
            if pipeEnds[1] >= 0 { close(pipeEnds[1]) }
            throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO)
        }
        stdinWriter = pipeEnds[1]
        self.pid = pid
        self.logFile = log
        self.errorLogFile = errorLog
    }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { poll() == nil }

    /// Its exit status (128 + signal when killed) once it exited, else nil.
    public func poll() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        // WIFEXITED / WEXITSTATUS, which Swift does not import as functions.
        exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return exitStatus
    }

    /// Waits for exit up to `timeout`; its status, or nil when still running.
    @discardableResult
    public func wait(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        repeat {
            if let status = poll() { return status }
            Thread.sleep(forTimeInterval: 0.02)
        } while ContinuousClock.now < deadline
        return poll()
    }

    /// Sends `signal` unless the child has exited.
    public func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// SIGTERM, then SIGKILL when it lingers past `grace`; reaps the child.
    public func stop(grace: Duration = .seconds(1)) {
        if stdinWriter >= 0 {
            close(stdinWriter)
            stdinWriter = -1
        }
        guard isRunning else { return }
        kill(pid, SIGTERM)
        if wait(timeout: grace) == nil {
            kill(pid, SIGKILL)
            wait(timeout: .seconds(5))
        }
    }

    /// What it wrote to `log` so far.
    public var output: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }
    /// What it wrote to `errorLog` so far ("" when standard error went to `log`).
    public var errorOutput: String { errorLogFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "" }

    /// Its exit status once it exited (128 + signal when killed), -1 while it runs.
    public var terminationStatus: Int32 { poll() ?? -1 }

    deinit { stop() }

    /// Sets close-on-exec on every open descriptor above 2, so a child (a long-running `peil`)
    /// holds none of the test's pipes or sockets open.
    static func markDescriptorsCloseOnExec() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for descriptor in entries.compactMap({ Int32($0) }) where descriptor > 2 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}

extension TestProcess {
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
