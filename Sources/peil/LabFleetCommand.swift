import ArgumentParser
import Dispatch
import Foundation
import Lab
import PeilModel

extension LabCommand {
    /// `peil lab fleet`: a coordinator and agents on a running lab (``LabFleet``) until stopped.
    struct Fleet: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a coordinator and agents in the lab's vantage namespaces until SIGTERM or SIGINT.",
            discussion: """
                Makes the key pairs in --dir (the agents' allow-listed), starts the coordinator on \
                ipc://DIR/coordinator.sock and the agents inside the lab's vantage namespaces, writes \
                DIR/fleet.ready once all run, and stops them (agents first) on SIGTERM or SIGINT. Logs: DIR/<name>.log.
                """)

        @OptionGroup var options: Options

        @Option(help: "Folder for the keys, the allow-list, the coordinator's socket, the logs and fleet.ready.")
        var dir: String

        @Option(name: .customLong("agent"), help: "An agent as NAME:FAMILIES, e.g. four:ipv4 (repeatable; default four:ipv4, six:ipv6, dual:ipv4,ipv6).")
        var agents: [String] = []

        @Option(help: "Concurrent tasks per agent (default: the agent's).")
        var concurrency: Int?

        @Option(name: .customLong("database"), help: "The coordinator's database (default: its own, $PEIL_DATABASE_URL or the ops/pg cluster).")
        var database: String?

        func run() throws {
            let agents = try self.agents.isEmpty ? LabFleet.threeVantages : self.agents.map(Self.agent)
            let directory = URL(fileURLWithPath: dir, isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let ready = directory.appendingPathComponent("fleet.ready")
            try? FileManager.default.removeItem(at: ready)
            let peil = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let fleet = LabFleet(peil: peil, lab: options.lab, directory: directory, database: database)
            let stopRequested = DispatchSemaphore(value: 0)
            let sources = [SIGTERM, SIGINT].map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { stopRequested.signal() }
                source.resume()
                return source
            }
            defer { sources.forEach { $0.cancel() } }
            do {
                // The coordinator reads its allow-list when it starts: every agent key first.
                for agent in agents { try fleet.makeKey(agent.name, allowListed: true) }
                let coordinator = try fleet.startCoordinator()
                for agent in agents {
                    try fleet.startAgent(agent.name, families: agent.families, concurrency.map { ["--concurrency", "\($0)"] } ?? [])
                }
                _ = FileManager.default.createFile(atPath: ready.path, contents: Data("\(getpid())\n".utf8))
                print("fleet: coordinator on \(fleet.endpoint), agents \(agents.map(\.name).joined(separator: ", ")); logs in \(directory.path)")
                while stopRequested.wait(timeout: .now() + 0.5) == .timedOut {
                    guard coordinator.process.isRunning else {
                        throw LabError(.commandFailed, "the coordinator exited:\n\(coordinator.process.output.suffix(3000))")
                    }
                }
            } catch {
                fleet.stop()
                throw error
            }
            fleet.stop()
        }

        /// `NAME:FAMILIES`, e.g. `dual:ipv4,ipv6`.
        static func agent(_ text: String) throws -> (name: String, families: Set<AddressFamily>) {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--agent wants NAME:FAMILIES, e.g. four:ipv4, not '\(text)'") }
            return (parts[0], try FamilyList.parse(parts[1]))
        }
    }
}
