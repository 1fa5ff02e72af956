import Foundation
import PeilModel

/// A Peil fleet on a lab: key pairs, a coordinator, and agents, each a `peil` process
/// (``ChildProcess``) with its log `<name>.log` in `directory`. Two placements:
///
/// - vantages (no `hosts`): the coordinator runs in the machine's namespace on
///   `ipc://<directory>/coordinator.sock`, which crosses network namespaces without any link
///   between a namespace and the machine; the agents run in the lab's vantage namespaces.
/// - hosts (the lab's ``LabHost``s): the coordinator runs in the coordinator host and binds
///   `tcp://<its IPv4>:7710` and `tcp://[<its IPv6>]:7710`; each agent runs in an agent host
///   and connects with CURVE over the lab network (an IPv6-only host to the IPv6 address,
///   the others to the IPv4 one). The coordinator host has no route out of the lab, so its
///   database must be reached through PostgreSQL's Unix socket (`host=/socket/directory`).
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
    /// The coordinator host, when the fleet runs on the lab's hosts.
    public let coordinatorHost: LabHost?
    public private(set) var members: [Member] = []

    /// The port the coordinator listens on in its host.
    public static let coordinatorPort = 7710

    /// A fleet on the lab's vantages (`hosts` empty) or on its hosts (`hosts` from
    /// ``Lab/hosts`` or ``Lab/recordedHosts()``, which always include the coordinator host).
    public init(peil: URL, lab: Lab, directory: URL, database: String? = nil, hosts: [LabHost] = []) {
        self.peil = peil
        self.lab = lab
        self.directory = directory
        self.database = database
        coordinatorHost = hosts.first { $0.role == .coordinator }
        precondition(hosts.isEmpty || coordinatorHost != nil, "the lab's hosts have no coordinator host")
    }

    /// Where the coordinator listens: `ipc://<directory>/coordinator.sock`, or on hosts its
    /// TCP endpoints on the coordinator host's lab addresses.
    public var endpoints: [String] {
        guard let host = coordinatorHost else { return ["ipc://\(directory.path)/coordinator.sock"] }
        return [host.ipv4.map { "tcp://\($0):\(Self.coordinatorPort)" }, host.ipv6.map { "tcp://[\($0)]:\(Self.coordinatorPort)" }].compactMap { $0 }
    }

    /// The coordinator's first endpoint (the `ipc://` socket of a fleet on vantages).
    public var endpoint: String { endpoints[0] }

    /// The endpoint an agent with these families connects to: over IPv6 only when it has no IPv4.
    public func endpoint(for families: Set<AddressFamily>) -> String {
        guard let host = coordinatorHost else { return endpoint }
        if !families.contains(.ipv4), let ipv6 = host.ipv6 { return "tcp://[\(ipv6)]:\(Self.coordinatorPort)" }
        return host.ipv4.map { "tcp://\($0):\(Self.coordinatorPort)" } ?? endpoint
    }

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
        let coordinator = ["coordinator"] + endpoints.flatMap { ["--bind", $0] } + [
            "--key", path("coordinator.key"), "--allow", allowList.path, "--ready-file", ready.path,
        ] + (database.map { ["--database", $0] } ?? []) + arguments
        let member = try coordinatorHost.map { host in
            try start(name, try LabTool.ip.path(), ["netns", "exec", host.namespace, peil.path] + coordinator)
        } ?? start(name, peil.path, coordinator)
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
        try startAgent(name, in: lab.vantageNamespace(for: families), families: families, arguments)
    }

    /// Starts agent `name` (its key must exist) in an agent host, with the host's families,
    /// connecting to the coordinator host over TCP; otherwise as ``startAgent(_:families:_:)``.
    @discardableResult
    public func startAgent(_ name: String, on host: LabHost, _ arguments: [String] = []) throws -> Member {
        guard host.role == .agent else { throw LabError(.invalidConfiguration, "\(host.namespace) is not an agent host") }
        return try startAgent(name, in: host.namespace, families: Set(host.families), arguments)
    }

    /// The name of the agent a fleet runs on `host`: `<host>-<ipv4|ipv6|dual>`, e.g. `h2-ipv6`.
    public static func agentName(on host: LabHost) -> String { "\(host.name)-\(host.familyWord)" }

    private func startAgent(_ name: String, in namespace: String, families: Set<AddressFamily>, _ arguments: [String]) throws -> Member {
        let trust = FileManager.default.fileExists(atPath: lab.certificateAuthorityFile.path) && !arguments.contains("--trust-store")
            ? ["--trust-store", lab.certificateAuthorityFile.path] : []
        return try start(name, try LabTool.ip.path(), [
            "netns", "exec", namespace, peil.path,
            "agent", "--name", name, "--coordinator", endpoint(for: families), "--coordinator-key", path("coordinator.pub"),
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
