import Foundation

/// Looking at and ending the lab's processes, always by process id and only after checking
/// that the id still names the program the lab started.
enum LabProcesses {
    /// The program name of `pid` (`/proc/<pid>/comm`), or nil if there is no such process.
    static func name(of pid: Int32) -> String? {
        (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether `pid` runs (not a zombie), and, when `name` is given, is that program.
    static func isAlive(_ pid: Int32, named name: String? = nil) -> Bool {
        guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        if let state = stat.split(separator: ")").last?.split(separator: " ").first, state == "Z" || state == "X" { return false }
        guard let name else { return true }
        return self.name(of: pid) == name
    }

    /// Sends SIGTERM, waits up to `grace` seconds, then SIGKILL; returns whether it is gone.
    @discardableResult
    static func terminate(_ pid: Int32, grace: TimeInterval = 3) -> Bool {
        guard isAlive(pid) else { return true }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline {
            if !isAlive(pid) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(pid, SIGKILL)
        for _ in 0..<40 where isAlive(pid) { Thread.sleep(forTimeInterval: 0.05) }
        return !isAlive(pid)
    }

    /// Process ids of every process inside a network namespace (`ip netns pids`).
    static func inNamespace(_ namespace: String, runner: CommandRunner) -> [Int32] {
        guard let output = try? runner.runAllowingFailure(.ip, ["netns", "pids", namespace], timeout: 10), output.status == 0 else {
            return []
        }
        return output.standardOutput.split(whereSeparator: \.isNewline).compactMap { Int32($0) }
    }
}
