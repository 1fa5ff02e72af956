import Foundation
import PeilModel

/// A Peil fleet on a lab: key pairs, a coordinator, and agents inside the lab's vantage
/// namespaces, each a `peil` process (``ChildProcess``) with its log `<name>.log` in
/// `directory`. The agents reach the coordinator over `ipc://<directory>/coordinator.sock`, which
/// crosses network namespaces without any link between a namespace and the host.
///
/// `peil lab fleet` (for `ops/demo` and `ops/twin-measure`) and the integration tests start
/// their fleets with it. Not thread-safe: one caller drives it.
public final class LabFleet {
    /// One `peil` process of the fleet.
    public struct Member {
        public let name: String
        public let process: ChildProcess
    }

    public let peil: URL
    public let lab: Lab
    /// Keys, the allow-list, the socket, the ready file and the logs.
    public let directory: URL
    /// `--database` for the coordinator; nil: its default (`PEIL_DATABASE_URL`).
    public let database: String?
    public private(set) var members: [Member] = []

    public init(peil: URL, lab: Lab, directory: URL, database: String? = nil) {
        self.peil = peil
        self.lab = lab
        self.directory = directory
        self.database = database
    }

    /// Where the coordinator listens.
    public var endpoint: String { "ipc://\(directory.path)/coordinator.sock" }
    /// The coordinator's allow-list of agent keys.
    public var allowList: URL { directory.appendingPathComponent("agents.allow") }

    /// The agents of a full fleet: IPv4-only, IPv6-only and dual-stack vantages.
    public static let threeVantages: [(name: String, families: Set<AddressFamily>)] = [
        ("four", [.ipv4]), ("six", [.ipv6]), ("dual", [.ipv4, .ipv6]),
    ]

    /// Makes key pair `name` in `directory` (`peil keys`); an allow-listed one goes into
    /// ``allowList``, which the coordinator reads when it starts.
    public func makeKey(_ name: String, allowListed: Bool) throws {
        var arguments = ["keys", name, "--out", directory.path]
        if allowListed { arguments += ["--append-allow", "--allow-list", allowList.path] }
        let log = directory.appendingPathComponent("keys-\(name).log").path
        let process = try ChildProcess(peil.path, arguments, log: log)
        guard process.wait(timeout: .seconds(30)) == 0 else {
            throw LabError(.commandFailed, "peil keys \(name) failed: \(process.output)")
        }
        try? FileManager.default.removeItem(atPath: log)
    }

    /// Starts the coordinator (making its key when missing) and waits until it listens.
    /// - Parameter arguments: more `peil coordinator` options, e.g. `--agent-timeout 10`.
    @discardableResult
    public func startCoordinator(_ arguments: [String] = [], timeout: Duration = .seconds(20)) throws -> Member {
        if !FileManager.default.fileExists(atPath: directory.appendingPathComponent("coordinator.key").path) {
            try makeKey("coordinator", allowListed: false)
        }
        if !FileManager.default.fileExists(atPath: allowList.path) {
            _ = FileManager.default.createFile(atPath: allowList.path, contents: nil)
        }
        let ready = directory.appendingPathComponent("coordinator.ready")
        try? FileManager.default.removeItem(at: ready)
        let name = "coordinator" + (members.contains { $0.name.hasPrefix("coordinator") } ? "-\(members.count)" : "")
        let member = try start(name, peil.path, [
            "coordinator", "--bind", endpoint, "--key", path("coordinator.key"), "--allow", allowList.path, "--ready-file", ready.path,
        ] + (database.map { ["--database", $0] } ?? []) + arguments)
        let deadline = ContinuousClock.now + timeout
        while !FileManager.default.fileExists(atPath: ready.path) && member.process.isRunning && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard member.process.isRunning, FileManager.default.fileExists(atPath: ready.path) else {
            throw LabError(.commandFailed, "the coordinator did not start:\n\(member.process.output)")
        }
        return member
    }

    /// Starts agent `name` (its key must exist) in the lab's vantage namespace for `families`,
    /// with the lab's root hints and trust anchor, and the lab's CA when it serves endpoints.
    /// - Parameter arguments: more `peil agent` options, e.g. `--concurrency 48`.
    @discardableResult
    public func startAgent(_ name: String, families: Set<AddressFamily>, _ arguments: [String] = []) throws -> Member {
        let trust = FileManager.default.fileExists(atPath: lab.certificateAuthorityFile.path) && !arguments.contains("--trust-store")
            ? ["--trust-store", lab.certificateAuthorityFile.path] : []
        return try start(name, try LabTool.ip.path(), [
            "netns", "exec", lab.vantageNamespace(for: families), peil.path,
            "agent", "--name", name, "--coordinator", endpoint, "--coordinator-key", path("coordinator.pub"),
            "--key", path("\(name).key"), "--root-hints", lab.rootHintsFile.path, "--trust-anchor", lab.trustAnchorFile.path,
            "--families", families.map(\.rawValue).sorted().joined(separator: ","),
        ] + trust + arguments)
    }

    /// Stops every member: the agents first (SIGTERM; they finish, report and say BYE), then
    /// the coordinator; SIGKILL for any that lingers past `grace`.
    public func stop(grace: Duration = .seconds(10)) {
        let coordinators = members.filter { $0.name.hasPrefix("coordinator") }
        let agents = members.filter { !$0.name.hasPrefix("coordinator") }
        for member in agents { member.process.signal(SIGTERM) }
        for member in agents where member.process.wait(timeout: grace) == nil { member.process.stop(grace: .seconds(1)) }
        for member in coordinators { member.process.stop(grace: grace) }
    }

    /// The last lines of every member's log, for a failure message.
    public var logs: String {
        members.map { "--- \($0.name)\n\($0.process.output.suffix(3000))" }.joined(separator: "\n")
    }

    private func start(_ name: String, _ program: String, _ arguments: [String]) throws -> Member {
        let member = Member(name: name, process: try ChildProcess(program, arguments, log: path("\(name).log")))
        members.append(member)
        return member
    }

    private func path(_ file: String) -> String { directory.appendingPathComponent(file).path }
}
