import Foundation
import Store

/// Shows a measurement's progress: a bar redrawn in place on a terminal, plain lines otherwise.
struct ProgressDisplay {
    let store: PeilStore
    let measurementID: Int64
    let live: Bool

    init(database: PeilStore, measurementID: Int64, live: Bool) {
        self.store = database
        self.measurementID = measurementID
        self.live = live
    }

    /// One line of text for the current state, followed by per-agent throughput lines.
    func snapshot() throws -> String {
        Self.render(try store.progress(measurementID: measurementID), barWidth: live ? 30 : 0)
    }

    /// Prints progress until the measurement is complete.
    func follow(to output: FileHandle) throws {
        var lastPlain = ""
        while true {
            let progress = try store.progress(measurementID: measurementID)
            let text = Self.render(progress, barWidth: live ? 30 : 0)
            if live {
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
                output.write(Data(("\u{1B}[J" + text + "\n" + "\u{1B}[\(lines)A").utf8))
            } else if text != lastPlain {
                output.write(Data((text + "\n").utf8))
                lastPlain = text
            }
            if progress.isComplete {
                if live { output.write(Data((text + "\n").utf8)) }
                return
            }
            Thread.sleep(forTimeInterval: live ? 0.25 : 2)
        }
    }

    static func render(_ progress: MeasurementProgress, barWidth: Int) -> String {
        let fraction = progress.total == 0 ? 1 : Double(progress.finished) / Double(progress.total)
        var line = "measurement \(progress.measurementID): \(progress.finished)/\(progress.total) (\(String(format: "%.1f", fraction * 100))%)"
        if barWidth > 0 {
            let filled = Int((fraction * Double(barWidth)).rounded(.down))
            line = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "] " + line
        }
        line += "  queued \(progress.queued), leased \(progress.leased), done \(progress.done), not_testable \(progress.notTestable)"
        let agents = progress.agents.map { agent in
            let rate = agent.tasksPerSecond.map { String(format: "%.1f tasks/s", $0) } ?? "-"
            return "  agent \(agent.agentID): \(agent.tasksDone) done, \(rate)"
        }
        return ([line] + agents).joined(separator: "\n")
    }
}
