import Foundation
import Store

/// Where a twin measurement's time went, printed by `TwinMeasurementTests`: the CPU the
/// machine and each kind of process used while it ran, per task kind the time its probes took
/// (the agents' debug lines), the addresses that held the most probe time (the per-address
/// cap serialises them), and the handshakes per web and mail endpoint (stored observations,
/// ``PeilStore/scanCosts(measurementID:)``).
enum TwinMeasurementFigures {
    /// CPU seconds (user + system) so far: the whole machine's busy time and per process
    /// group (`peil agent`, `peil coordinator`, `peil lab serve`, knotd, postgres, nginx…).
    struct CPUSnapshot {
        var busy: Double
        var idle: Double
        var byGroup: [String: Double]

        static func now() -> CPUSnapshot {
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            let stat = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8)) ?? ""
            let cpu = stat.split(separator: "\n").first { $0.hasPrefix("cpu ") }?.split(separator: " ").dropFirst().compactMap { Double($0) } ?? []
            let idle = cpu.count > 4 ? (cpu[3] + cpu[4]) / ticks : 0
            let busy = cpu.reduce(0, +) / ticks - idle
            var groups: [String: Double] = [:]
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(entry) != nil {
                guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
                let commandLine = ((try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry)/cmdline"))) ?? Data())
                    .split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                groups[group(commandLine), default: 0] += (user + system) / ticks
            }
            return CPUSnapshot(busy: busy, idle: idle, byGroup: groups)
        }

        static func group(_ commandLine: [String]) -> String {
            guard let program = commandLine.first.map({ ($0 as NSString).lastPathComponent }) else { return "other" }
            if program == "peil" || commandLine.contains(where: { $0.hasSuffix("/peil") }) {
                for role in ["agent", "coordinator", "serve"] where commandLine.contains(role) { return "peil \(role)" }
                return "peil (other)"
            }
            if ["knotd", "postgres", "nginx", "swift-build", "swift-frontend", "swift-test"].contains(program) { return program }
            if program.hasPrefix("postgres") { return "postgres" }
            if program.hasPrefix("xctest") || program.hasSuffix(".xctest") || commandLine.contains(where: { $0.hasSuffix(".xctest") }) { return "test runner" }
            return "other"
        }
    }

    /// One probe's time from an agent's debug line "task N attempt A KIND DOMAIN: OUTCOME in X s of Y s".
    struct ProbeTime {
        var task: Int64
        var kind: String
        var seconds: Double
    }

    static func probeTimes(_ log: String) -> [ProbeTime] {
        log.split(separator: "\n").compactMap { line -> ProbeTime? in
            guard let range = line.range(of: #"task \d+ attempt \d+ \S+ \S+: \S+ in [0-9.]+ s of"#, options: .regularExpression) else { return nil }
            let words = line[range].split(separator: " ")
            guard words.count == 11, let task = Int64(words[1]), let seconds = Double(words[8]) else { return nil }
            return ProbeTime(task: task, kind: String(words[4]), seconds: seconds)
        }
    }

    /// Nearest rank.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[max(0, min(sorted.count, Int((Double(sorted.count) * p).rounded(.up))) - 1)]
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    /// The printed figures of measurement `id`, measured in `wall` seconds between `before` and `after`.
    static func report(store: PeilStore, measurement id: Int64, agentLogs: [String], wall: Double, slots: Int,
                       before: CPUSnapshot, after: CPUSnapshot) throws -> String {
        var lines: [String] = []
        let busy = after.busy - before.busy, idle = after.idle - before.idle
        lines.append("CPU while measuring: \(format(busy)) s busy, \(format(idle)) s idle of \(format(busy + idle)) s "
                     + "(\(format(100 * busy / max(busy + idle, 1)))% busy)")
        let groups = after.byGroup.map { ($0.key, $0.value - (before.byGroup[$0.key] ?? 0)) }.filter { $0.1 > 0.05 }.sorted { $0.1 > $1.1 }
        lines.append("  by process: " + groups.map { "\($0.0) \(format($0.1)) s" }.joined(separator: ", "))

        let times = agentLogs.flatMap(probeTimes)
        let slotSeconds = wall * Double(slots)
        lines.append("probe time: \(times.count) probes, \(format(times.map(\.seconds).reduce(0, +))) s of \(format(slotSeconds)) slot-seconds "
                     + "(\(slots) slots × \(format(wall)) s)")
        for kind in Set(times.map(\.kind)).sorted() {
            let sorted = times.filter { $0.kind == kind }.map(\.seconds).sorted()
            lines.append("  \(kind): \(sorted.count) tasks, \(format(sorted.reduce(0, +))) s, p50 \(String(format: "%.2f", percentile(sorted, 0.5))) s, "
                         + "p90 \(String(format: "%.2f", percentile(sorted, 0.9))) s, max \(String(format: "%.2f", sorted.last ?? 0)) s")
        }

        // The addresses that held the most probe time: at the per-address cap their tasks run
        // at most `cap` at a time, so their time / cap is a floor under the wall time.
        let addresses = try store.database.query("""
            SELECT id, address FROM tasks WHERE measurement_id = \(id) AND address IS NOT NULL
            """).rows
        var addressOf: [Int64: String] = [:]
        for row in addresses { addressOf[try row.decode("id")] = try row.decode("address") }
        var byAddress: [String: (tasks: Int, seconds: Double)] = [:]
        for time in times { if let address = addressOf[time.task] { byAddress[address, default: (0, 0)].tasks += 1; byAddress[address, default: (0, 0)].seconds += time.seconds } }
        let top = byAddress.sorted { $0.value.seconds > $1.value.seconds }.prefix(5)
        lines.append("addresses with the most probe time: " + top.map { "\($0.key) \($0.value.tasks) tasks \(format($0.value.seconds)) s" }.joined(separator: ", "))
        let most = byAddress.sorted { $0.value.tasks > $1.value.tasks }.prefix(5)
        lines.append("addresses with the most tasks: " + most.map { "\($0.key) \($0.value.tasks) tasks \(format($0.value.seconds)) s" }.joined(separator: ", "))

        let completions = try store.database.query("""
            SELECT extract(epoch FROM r.recorded_at - m.created_at)::float8 AS at FROM results r JOIN measurements m ON m.id = r.measurement_id
            WHERE r.measurement_id = \(id) ORDER BY at
            """).rows.map { try $0.decode("at", as: Double.self) }
        lines.append("results stored by: " + [0.25, 0.5, 0.75, 0.9, 0.99, 1.0].map { "\(Int($0 * 100))% \(format(percentile(completions, $0))) s" }.joined(separator: ", "))

        for cost in try store.scanCosts(measurementID: id) { lines.append(cost.description) }
        return lines.joined(separator: "\n")
    }
}
