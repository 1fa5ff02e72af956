import Foundation

/// A child process run to be measured: its own wall time, CPU and peak resident memory, from
/// `wait4` on it (so each of several children is measured alone, which
/// `getrusage(RUSAGE_CHILDREN)`, the largest child so far, cannot do).
struct MeasuredChild: Codable {
    var exitStatus: Int32
    var wallSeconds: Double
    var userSeconds: Double
    var systemSeconds: Double
    var peakResidentMegabytes: Double

    /// Runs `executable` with `arguments`, its standard output and error into `outputPath`.
    static func run(_ executable: String, _ arguments: [String], outputPath: String) throws -> MeasuredChild {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let started = ContinuousClock.now
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw BenchError("cannot start \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError("waiting for \(executable): \(String(cString: strerror(errno)))") }
        }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        // WIFEXITED/WEXITSTATUS by hand (macros are not imported): low 7 bits the signal, next 8 the code.
        let exit = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return MeasuredChild(exitStatus: exit, wallSeconds: (ContinuousClock.now - started).seconds,
                             userSeconds: seconds(usage.ru_utime), systemSeconds: seconds(usage.ru_stime),
                             // Linux reports ru_maxrss in kilobytes.
                             peakResidentMegabytes: Double(usage.ru_maxrss) / 1024)
    }

    /// The last non-empty line of the file at `path`, read from its last 64 KiB only (a
    /// child's output may be a whole measurement's CSV); "" when there is none.
    static func lastLine(ofFile path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 65_536 ? size - 65_536 : 0)
        let tail = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
        return tail.split(separator: "\n").last.map(String.init) ?? ""
    }
}
