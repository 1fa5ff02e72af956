import Foundation

/// A program the lab runs, with the Debian package that installs it.
struct LabTool: Sendable, Hashable {
    let name: String
    let package: String

    static let ip = LabTool(name: "ip", package: "iproute2")
    static let knotd = LabTool(name: "knotd", package: "knot")
    static let knotc = LabTool(name: "knotc", package: "knot")
    static let setsid = LabTool(name: "setsid", package: "util-linux")
    static let nginx = LabTool(name: "nginx", package: "nginx")
    static let postfix = LabTool(name: "postfix", package: "postfix")

    /// Every tool `up` needs.
    static let required: [LabTool] = [.ip, .knotd, .knotc]

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

/// Runs the lab's programs as ``ChildProcess``es (`posix_spawn`, output to files, `waitpid`):
/// bounded in time, output captured. No Foundation `Process` and no dispatch queues, so a
/// machine whose thread pools are busy (tests in parallel) cannot make a finished command look
/// like one that hangs.
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
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("peil-command-\(UUID().uuidString)").path
        let (outputFile, errorFile) = (base + ".out", base + ".err")
        defer {
            try? FileManager.default.removeItem(atPath: outputFile)
            try? FileManager.default.removeItem(atPath: errorFile)
        }
        let child = try ChildProcess(try tool.path(), arguments, log: outputFile, errorLog: errorFile, directory: directory?.path)
        guard let status = child.wait(timeout: .seconds(timeout)) else {
            child.stop(grace: .seconds(2))
            throw LabError(.commandFailed, "`\(tool.name) \(arguments.joined(separator: " "))` did not finish within \(Int(timeout)) s")
        }
        return CommandOutput(status: status, standardOutput: child.output, standardError: child.errorOutput)
    }

    /// Starts `tool` with its output going to `logFile` and waits for it to exit: for daemons
    /// that fork (`knotd -d`), whose parent returns once the child runs. The child inherits no
    /// descriptor but 0–2 (``ChildProcess`` marks the others close-on-exec).
    func runDetached(_ tool: LabTool, _ arguments: [String], logFile: URL, timeout: TimeInterval = 15) throws -> Int32 {
        let child: ChildProcess
        do {
            child = try ChildProcess(try tool.path(), arguments, log: logFile.path)
        } catch let error as POSIXError {
            throw LabError(.commandFailed, "cannot start \(tool.name): \(error.localizedDescription)")
        }
        guard let status = child.wait(timeout: .seconds(timeout)) else {
            child.stop(grace: .zero)
            throw LabError(.commandFailed, "`\(tool.name) \(arguments.joined(separator: " "))` did not return within \(Int(timeout)) s")
        }
        return status
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
