import Foundation

/// A child process started with `posix_spawn` (no Foundation `Process`, so no launch races),
/// stdin from /dev/null (or a pipe held open), stdout and stderr to files, so a large output
/// never blocks it and its log can be shown. Whoever starts one stops it (`stop()`, also on
/// deinit). The lab's fleet (``LabFleet``) and the tests (as `TestProcess`) start programs so.
public final class ChildProcess: @unchecked Sendable {
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
        // A long-running child (a `peil` agent) must hold none of our pipes or sockets open.
        CommandRunner.markDescriptorsCloseOnExec()
        // Signals the parent ignores or blocks (`peil lab fleet` ignores SIGTERM to handle it)
        // are the default again in the child.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var reset = sigset_t(), unblocked = sigset_t()
        sigemptyset(&reset)
        for number in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&reset, number) }
        sigemptyset(&unblocked)
        posix_spawnattr_setsigdefault(&attributes, &reset)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let status = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
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
        // Short commands (thousands of them while a twin comes up) are seen to end within a
        // millisecond or two; long waits poll every 20 ms.
        var pause = 0.001
        repeat {
            if let status = poll() { return status }
            Thread.sleep(forTimeInterval: pause)
            pause = min(pause * 2, 0.02)
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

}
