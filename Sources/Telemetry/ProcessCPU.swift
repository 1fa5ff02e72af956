import Foundation

/// The CPU time of processes on this machine, as Linux counts it in `/proc/PID/stat` (user plus
/// system, in clock ticks). The benches use it to say where a run's cores went: their own
/// process, and a local PostgreSQL server's processes (its postmaster and every child of it).
public enum ProcessCPU {
    /// One process's line of `/proc/PID/stat`, the fields the benches need.
    public struct Stat: Sendable, Equatable {
        public var pid: Int32
        /// The program's name (`comm`), at most 15 bytes; it may hold spaces and parentheses.
        public var command: String
        public var parentPID: Int32
        /// User plus system time, in clock ticks (`sysconf(_SC_CLK_TCK)` a second).
        public var ticks: Int64
        /// The same of the children it has waited for (`cutime` plus `cstime`): the time of
        /// those that ended.
        public var childrenTicks: Int64

        /// Parses a line of `/proc/PID/stat`; nil when it is not one. The name is in
        /// parentheses and may hold any byte, so the fields after it are found from its last
        /// `)`: state, ppid, …, utime (the 14th field of the line), stime, cutime and cstime (the
        /// 17th).
        public init?(line: String) {
            guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")"), open < close,
                  let pid = Int32(line[..<open].trimmingCharacters(in: .whitespaces)) else { return nil }
            let after = line[line.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
            // after[0] is the state (field 3): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
            guard after.count >= 15, let parent = Int32(after[1]) else { return nil }
            let times = after[11...14].compactMap { Int64($0) }
            guard times.count == 4, times.allSatisfy({ $0 >= 0 }) else { return nil }
            self.pid = pid
            self.command = String(line[line.index(after: open)..<close])
            self.parentPID = parent
            self.ticks = times[0] + times[1]
            self.childrenTicks = times[2] + times[3]
        }
    }

    /// Clock ticks a second.
    public static let ticksPerSecond = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))

    /// The stat of one process; nil when it is gone or unreadable.
    public static func stat(of pid: Int32) -> Stat? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        return Stat(line: text.trimmingCharacters(in: .newlines))
    }

    /// Every process's stat that could be read.
    public static func all() -> [Stat] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.compactMap { stat(of: $0) }
    }

    /// This process's CPU time so far, in seconds.
    public static func ownSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The calling thread's CPU time so far, in seconds (`CLOCK_THREAD_CPUTIME_ID`): what that
    /// thread alone used, whatever the process's other threads did.
    public static func threadSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
    }

    /// The CPU seconds so far of a PostgreSQL server on this machine, found from one of its
    /// backends' pid (`pg_backend_pid()`): its postmaster, every child of it still running
    /// (backends, WAL writer, checkpointer, autovacuum) and those it has reaped (an ended
    /// autovacuum worker or connection), less the running processes in `excluding`. Nil when
    /// the backend is not a local `postgres` process whose parent is one (a server elsewhere).
    public static func postgresSeconds(backend: Int32, excluding: Set<Int32> = []) -> Double? {
        guard let backendStat = stat(of: backend), backendStat.command.hasPrefix("postgres") else { return nil }
        let parent = backendStat.parentPID
        let children = all().filter { $0.parentPID == parent && !excluding.contains($0.pid) }.map(\.ticks).reduce(0, +)
        // Read after the children: a child that ended in between is then in the reaped time.
        guard let postmaster = stat(of: parent), postmaster.command.hasPrefix("postgres") else { return nil }
        return Double(children + postmaster.ticks + postmaster.childrenTicks) / ticksPerSecond
    }
}
