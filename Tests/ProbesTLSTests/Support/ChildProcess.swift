import Foundation

/// A child process started with `posix_spawn` (no Foundation `Process`, so no launch races with
/// other suites), output to a log file, always stopped by the test that started it.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    let log: String
    private var stopped = false

    /// The write end of the child's stdin pipe, when it is held open.
    private var stdinWriter: Int32 = -1

    /// Runs `program` with `arguments`; in `directory` (through `/bin/sh`) when given. Stdin is
    /// /dev/null, or with `holdStdinOpen` a pipe that stays open (never written) until `stop()`:
    /// `openssl s_server` ends a connection when its stdin reaches end of file.
    init(_ program: String, _ arguments: [String], log: String, directory: String? = nil, holdStdinOpen: Bool = false) throws {
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
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard status == 0 else {
            if pipeEnds[1] >= 0 { close(pipeEnds[1]) }
            throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO)
        }
        stdinWriter = pipeEnds[1]
        self.pid = pid
        self.log = log
    }

    /// Waits for exit up to `timeout`; nil when still running.
    func wait(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            if waitpid(pid, &status, WNOHANG) == pid {
                stopped = true
                return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return nil
    }

    /// SIGTERM, then SIGKILL after a second; reaps the child.
    func stop() {
        if stdinWriter >= 0 {
            close(stdinWriter)
            stdinWriter = -1
        }
        guard !stopped else { return }
        kill(pid, SIGTERM)
        if wait(timeout: .seconds(1)) == nil {
            kill(pid, SIGKILL)
            _ = wait(timeout: .seconds(2))
        }
        stopped = true
    }

    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    deinit { stop() }
}
