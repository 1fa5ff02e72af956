import ArgumentParser
import Dispatch
import Foundation
import Lab
import PeilModel

extension LabCommand {
    /// `peil lab fleet`: a coordinator and agents on a running lab (``LabFleet``) until stopped.
    struct Fleet: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a coordinator and agents in the lab's namespaces until SIGTERM or SIGINT.",
            discussion: """
                Makes the key pairs in --dir (the agents' allow-listed), starts the coordinator on \
                ipc://DIR/coordinator.sock and the agents inside the lab's vantage namespaces, writes \
                DIR/fleet.ready once all run, and stops them (agents first) on SIGTERM or SIGINT. Logs: DIR/<name>.log.

                With --on-hosts (a lab brought up with `lab up --hosts N`), the coordinator runs in \
                <prefix>-coord on tcp://<its IPv4>:7710 and tcp://[<its IPv6>]:7710, and one agent per \
                agent host (h1-ipv4, h2-ipv6, h3-dual, …) connects to it over TCP with CURVE. The \
                coordinator host has no route out of the lab: give --database a connection string over \
                PostgreSQL's Unix socket (host=/socket/directory; `ops/pg socket-url`).
                """)

        @OptionGroup var options: Options

        @Option(help: "Folder for the keys, the allow-list, the coordinator's socket, the logs and fleet.ready.")
        var dir: String

        @Option(name: .customLong("agent"), help: "An agent as NAME:FAMILIES, e.g. four:ipv4 (repeatable; default four:ipv4, six:ipv6, dual:ipv4,ipv6).")
        var agents: [String] = []

        @Option(help: "Concurrent tasks per agent (default: the agent's).")
        var concurrency: Int?

        @Flag(help: "The agents scan every host's TLS server in full (peil agent --no-shared-server-scans).")
        var noSharedServerScans = false

        @Option(name: .customLong("database"), help: "The coordinator's database (default: its own, $PEIL_DATABASE_URL or the ops/pg cluster).")
        var database: String?

        @Flag(help: "Run the coordinator and the agents on the lab's hosts (`lab up --hosts N`), over TCP on lab addresses.")
        var onHosts = false

        func validate() throws {
            if onHosts && !agents.isEmpty {
                throw ValidationError("--on-hosts runs one agent per agent host; it takes no --agent")
            }
        }

        func run() throws {
            let hosts = onHosts ? try options.lab.recordedHosts() : []
            if onHosts && hosts.isEmpty {
                throw ValidationError("the lab \(options.prefix) has no hosts: bring it up with `peil lab up --prefix \(options.prefix) --hosts N`")
            }
            let agents = try onHosts ? [] : self.agents.isEmpty ? LabFleet.threeVantages : self.agents.map(Self.agent)
            let agentHosts = hosts.filter { $0.role == .agent }
            let names = onHosts ? agentHosts.map(LabFleet.agentName) : agents.map(\.name)
            let directory = URL(fileURLWithPath: dir, isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let ready = directory.appendingPathComponent("fleet.ready")
            try? FileManager.default.removeItem(at: ready)
            let peil = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let fleet = LabFleet(peil: peil, lab: options.lab, directory: directory, database: database, hosts: hosts)
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
                for name in names { try fleet.makeKey(name, allowListed: true) }
                let coordinator = try fleet.startCoordinator()
                let extra = (concurrency.map { ["--concurrency", "\($0)"] } ?? []) + (noSharedServerScans ? ["--no-shared-server-scans"] : [])
                for agent in agents { try fleet.startAgent(agent.name, families: agent.families, extra) }
                for host in agentHosts { try fleet.startAgent(LabFleet.agentName(on: host), on: host, extra) }
                _ = FileManager.default.createFile(atPath: ready.path, contents: Data("\(getpid())\n".utf8))
                let place = fleet.coordinatorHost.map { " in \($0.namespace)" } ?? ""
                print("fleet: coordinator\(place) on \(fleet.endpoints.joined(separator: " ")), agents \(names.joined(separator: ", ")); logs in \(directory.path)")
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
