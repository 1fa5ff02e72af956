import Foundation

/// A program the lab runs, with the Debian package that installs it.
struct LabTool: Sendable, Hashable {
    let name: String
    let package: String

    static let ip = LabTool(name: "ip", package: "iproute2")
    static let knotd = LabTool(name: "knotd", package: "knot")
    static let knotc = LabTool(name: "knotc", package: "knot")
    static let keygen = LabTool(name: "ldns-keygen", package: "ldnsutils")
    static let signzone = LabTool(name: "ldns-signzone", package: "ldnsutils")
    static let key2ds = LabTool(name: "ldns-key2ds", package: "ldnsutils")
    static let setsid = LabTool(name: "setsid", package: "util-linux")
    static let nginx = LabTool(name: "nginx", package: "nginx")
    static let postfix = LabTool(name: "postfix", package: "postfix")

    /// Every tool `up` needs.
    static let required: [LabTool] = [.ip, .knotd, .knotc, .keygen, .signzone, .key2ds]

    /// Directories searched besides `PATH` (root's sbin may be missing from a CI `PATH`).
    private static let extraDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// The absolute path of the program, or `missingTool` naming the package to install.
    func path() throws -> String {
        let fromEnvironment = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in fromEnvironment + Self.extraDirectories where !directory.isEmpty {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw LabError(.missingTool, "\(name) not found: install the Debian package \(package) (apt-get install \(package))")
    }
}

/// What a finished command printed.
struct CommandOutput: Sendable {
    let status: Int32
    let standardOutput: String
    let standardError: String
}

/// Runs the lab's programs with Foundation `Process`: bounded in time, output captured.
struct CommandRunner: Sendable {
    /// Runs `tool` and fails with `commandFailed` unless it exits 0.
    @discardableResult
    func run(_ tool: LabTool, _ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 30) throws -> CommandOutput {
        let output = try runAllowingFailure(tool, arguments, in: directory, timeout: timeout)
        guard output.status == 0 else {
            let shown = ([tool.name] + arguments).joined(separator: " ")
            let message = output.standardError.isEmpty ? output.standardOutput : output.standardError
            throw LabError(.commandFailed, "`\(shown)` exited \(output.status): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return output
    }

    /// Runs `tool` and returns whatever it exited with; throws only when it cannot run or times out.
    func runAllowingFailure(_ tool: LabTool, _ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 30) throws -> CommandOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try tool.path())
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try ProcessLaunch.run(process)
        let collected = OutputCollector()
        let readers = DispatchGroup()
        for (pipe, isError) in [(outPipe, false), (errPipe, true)] {
            readers.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                // Close now: a test or a twin runs thousands of commands, and Foundation's
                // Process misbehaves once the descriptor numbers run past a thousand.
                try? pipe.fileHandleForReading.close()
                collected.store(data, isError: isError)
                readers.leave()
            }
        }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            if finished.wait(timeout: .now() + 2) == .timedOut { kill(process.processIdentifier, SIGKILL) }
            _ = readers.wait(timeout: .now() + 2)
            throw LabError(.commandFailed, "`\(tool.name) \(arguments.joined(separator: " "))` did not finish within \(Int(timeout)) s")
        }
        _ = readers.wait(timeout: .now() + 5)
        return CommandOutput(status: process.terminationStatus, standardOutput: collected.text(isError: false), standardError: collected.text(isError: true))
    }

    /// Starts `tool` with its output going to `logFile` and waits for it to exit: for daemons
    /// that fork (`knotd -d`), whose parent returns once the child runs. Uses `posix_spawn`
    /// and lets the child inherit no descriptor but 0–2, because Foundation's `Process` waits
    /// until every holder of its internal descriptor exits, and a daemon would hold it forever.
    func runDetached(_ tool: LabTool, _ arguments: [String], logFile: URL, timeout: TimeInterval = 15) throws -> Int32 {
        let path = try tool.path()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        Self.markDescriptorsCloseOnExec()
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw LabError(.commandFailed, "cannot start \(tool.name): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while waitpid(pid, &status, WNOHANG) == 0 {
            guard Date() < deadline else {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw LabError(.commandFailed, "`\(tool.name) \(arguments.joined(separator: " "))` did not return within \(Int(timeout)) s")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import as functions.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}

extension CommandRunner {
    /// Sets close-on-exec on every open descriptor above 2 (glibc's posix_spawn has no
    /// `closefrom` action that Swift imports), so a spawned daemon inherits none of them.
    static func markDescriptorsCloseOnExec() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for descriptor in entries.compactMap({ Int32($0) }) where descriptor > 2 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}

/// Collects a child's stdout and stderr read on two queues.
private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var output = Data()
    private var error = Data()

    func store(_ data: Data, isError: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if isError { error = data } else { output = data }
    }

    func text(isError: Bool) -> String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: isError ? error : output, as: UTF8.self)
    }
}
