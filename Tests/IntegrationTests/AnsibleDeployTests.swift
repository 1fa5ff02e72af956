import Foundation
import Lab
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// `deploy/ansible/site.yml` deploys the `peil` package to two lab hosts (IPv4-only h1 and
/// IPv6-only h2), each a root filesystem of its own (``ChrootLabHost``) with sshd in its
/// namespace. Ansible runs in the coordinator host, where the coordinator listens on TCP and
/// reaches PostgreSQL through its socket; its allow-list is the playbook's `localhost`. The
/// agents join with the right families and measure the minimal world together; a second run
/// changes nothing; with h2 taken out of the inventory, a third run retires its key: the
/// coordinator reads the allow-list again, refuses h2, and h2 gets no task of a new measurement.
///
/// Needs root, PostgreSQL, ansible-playbook and the Debian root `ops/lab-root` makes (once,
/// with debootstrap; skipped when no mirror answers). The package holds the release `peil`
/// (`PEIL_PACKAGE_BINARY`, else `.build-release/release/peil`) or else the debug build, with the
/// Swift toolchain's libraries mounted read-only into each host.
final class AnsibleDeployTests: XCTestCase {
    static let ansiblePlaybook = "/usr/bin/ansible-playbook"

    func testThePlaybookDeploysTwoLabHostsChangesNothingTheSecondTimeAndRetiresARemovedHost() throws {
        try TestRequirements.require(.root, .postgreSQL, .peilBinary, .program(Self.ansiblePlaybook), .program("/usr/sbin/debootstrap"),
                                     .program("/usr/bin/ssh-keygen"), .program("/usr/sbin/chroot"), .program("/usr/bin/dpkg-shlibdeps"),
                                     .program("/usr/bin/systemd-analyze"))
        let started = ContinuousClock.now
        let base = try Self.baseRoot()
        let work = URL(fileURLWithPath: try TestProcess.scratchFolder("peil-ansible"))
        defer { try? FileManager.default.removeItem(at: work) }
        let (package, binds) = try Self.package(into: work)

        var configuration = LabConfiguration(prefix: "pan\(getpid() % 10_000)", stateDirectory: work.appendingPathComponent("lab"))
        configuration.hosts = 2
        // Web and mail addresses refuse at once: this test is about the deployment, not timeouts.
        configuration.refusesUnservedAddresses = true
        let lab = Lab(configuration: configuration)
        defer { try? lab.down() }
        try lab.up()
        let coordinatorHost = try XCTUnwrap(lab.hosts.first { $0.role == .coordinator })
        let agentHosts = lab.hosts.filter { $0.role == .agent }
        XCTAssertEqual(agentHosts.map(\.families), [[.ipv4], [.ipv6]])

        let backbone = try Backbone(lab: lab, onHosts: true)
        defer { backbone.tearDown() }
        try ChrootLabHost.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "peil-ansible-test", "-f", work.appendingPathComponent("id_ed25519").path])
        let clientKey = try String(contentsOf: work.appendingPathComponent("id_ed25519.pub"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var hosts: [ChrootLabHost] = []
        defer {
            for host in hosts { XCTAssertEqual(host.tearDown(), [], "cleaning up \(host.host.namespace)") }
            for host in hosts { XCTAssertEqual(try ChrootLabHost.mounts(under: host.root.path), [], "mounts left in \(host.root.path)") }
        }
        for host in agentHosts {
            hosts.append(try ChrootLabHost(host: host, base: base, rootsDirectory: TestPaths.inRepository("var/lab-roots/hosts"),
                                           authorizedKey: clientKey, readOnlyBinds: binds, logDirectory: work))
        }
        for host in hosts { try host.waitForSSH(from: coordinatorHost.namespace) }
        try hosts.map { "\($0.address) \(try $0.hostPublicKey)" }.joined(separator: "\n").appending("\n")
            .write(to: work.appendingPathComponent("known_hosts"), atomically: true, encoding: .utf8)

        try backbone.importLabSet("lab")
        let coordinator = try backbone.startCoordinator(resolveOnly: false)
        let playbook = AnsibleRun(work: work, namespace: coordinatorHost.namespace)
        let inventory = Inventory(hosts: hosts, lab: lab, fleet: backbone.fleet, coordinatorHost: coordinatorHost, package: package)

        // First run: installs, makes keys, allow-lists both agents, starts them.
        let first = try playbook.run(inventory.text(agents: hosts))
        XCTAssertEqual(first.failedHosts, [], first.output)
        XCTAssertGreaterThan(first.changed["h1"] ?? 0, 0, first.output)
        do { try backbone.waitForAgents(2, timeout: 60) } catch {
            throw IntegrationError("\(error)\n\(Self.agentLogs(hosts))\n--- first playbook run\n\(first.output)")
        }
        for (name, families) in [("h1-ipv4", "ipv4"), ("h2-ipv6", "ipv6")] {
            let row = try backbone.store.database.query("SELECT array_to_string(families, ',') AS families, concurrency FROM agents WHERE id = \(name)").single()
            XCTAssertEqual(try row.decode("families") as String, families, name)
            XCTAssertEqual(try row.decode("concurrency") as Int, 16, name)
        }
        let allowList = try String(contentsOf: backbone.fleet.allowList, encoding: .utf8)
        let h2Key = try XCTUnwrap(Self.publicKey(in: hosts[1].file("/etc/peil/agent.pub")))
        XCTAssertTrue(allowList.contains("\(try XCTUnwrap(Self.publicKey(in: hosts[0].file("/etc/peil/agent.pub")))) h1-ipv4\n"), allowList)
        XCTAssertTrue(allowList.contains("\(h2Key) h2-ipv6\n"), allowList)
        for host in hosts {
            let secret = try FileManager.default.attributesOfItem(atPath: host.file("/etc/peil/agent.key").path)
            XCTAssertEqual((secret[.posixPermissions] as? NSNumber)?.intValue, 0o600, "\(host.host.name)'s secret key")
            XCTAssertNotEqual((secret[.ownerAccountID] as? NSNumber)?.intValue, 0, "\(host.host.name)'s secret key belongs to root, not peil")
        }

        // Both measure over TCP, each within its family.
        let id = try backbone.measure("lab")
        let progress = try backbone.waitForCompletion(id, timeout: 240)
        XCTAssertTrue(progress.isComplete, "measurement incomplete: \(progress)\n\(backbone.logs)\n\(Self.agentLogs(hosts))")
        for name in ["h1-ipv4", "h2-ipv6"] {
            XCTAssertGreaterThan(try backbone.count("SELECT count(*) AS count FROM results WHERE measurement_id = \(id) AND agent_id = \(name)"), 0,
                                 "\(name) stored no result\n\(Self.agentLogs(hosts))")
        }
        XCTAssertEqual(try backbone.count("""
            SELECT count(*) AS count FROM results r JOIN tasks t ON t.id = r.task_id
            WHERE r.measurement_id = \(id) AND r.agent_id = 'h2-ipv6' AND t.family IS DISTINCT FROM 'ipv6'
            """), 0, "the IPv6-only agent took a task that is not IPv6")

        // Second run: nothing changes anywhere.
        let second = try playbook.run(inventory.text(agents: hosts))
        XCTAssertEqual(second.failedHosts, [], second.output)
        XCTAssertEqual(Set(second.changed.keys), ["h1", "h2", "localhost"], second.output)
        XCTAssertEqual(second.changed.values.reduce(0, +), 0, "the second run changed something:\n\(second.output)")

        // h2 out of the inventory: its line leaves the allow-list, the coordinator refuses it.
        let third = try playbook.run(inventory.text(agents: [hosts[0]]))
        XCTAssertEqual(third.failedHosts, [], third.output)
        XCTAssertEqual(third.changed["h1"], 0, third.output)
        XCTAssertEqual(third.changed["localhost"], 1, third.output)
        let shortened = try String(contentsOf: backbone.fleet.allowList, encoding: .utf8)
        XCTAssertFalse(shortened.contains(h2Key), shortened)
        XCTAssertTrue(shortened.contains(" h1-ipv4\n"), shortened)
        XCTAssertTrue(eventually(timeout: 10) { coordinator.log.contains("allow-list read again: 1 agents") }, coordinator.log)
        XCTAssertTrue(eventually(timeout: 10) {
            coordinator.log.split(separator: "\n").contains { $0.contains("agent left: its key was taken off the allow-list") && $0.contains("h2-ipv6") }
        }, coordinator.log)
        // h2's agent started again as the playbook starts it, in the foreground: its handshake is refused.
        let retired = try TestProcess.run("/usr/sbin/ip", ["netns", "exec", hosts[1].host.namespace, "/usr/sbin/chroot", hosts[1].root.path,
                                                           "/usr/sbin/runuser", "-u", "peil", "--", "/bin/sh", "-c",
                                                           ". /etc/default/peil-agent; exec /usr/bin/peil agent $PEIL_AGENT_ARGS"],
                                          mergeErrors: true, timeout: .seconds(60))
        XCTAssertNotEqual(retired.status, 0, retired.standardOutput)
        XCTAssertTrue(retired.standardOutput.contains("not on the allow-list"), retired.standardOutput)
        XCTAssertTrue(eventually(timeout: 10) { coordinator.log.split(separator: "\n").contains { $0.contains(h2Key) && $0.contains("not allow-listed") } },
                      "no refusal of h2's key \(h2Key):\n\(coordinator.log)")

        // A new measurement: h1 does all it can, the retired h2 gets nothing (its IPv6 tasks wait).
        let next = try backbone.measure("lab")
        let h1Done = try eventually(timeout: 180) {
            try backbone.count("""
                SELECT count(*) AS count FROM tasks WHERE measurement_id = \(next) AND family IS DISTINCT FROM 'ipv6' AND state IN ('queued', 'leased')
                """) == 0
        }
        XCTAssertTrue(h1Done, "h1 did not finish the tasks it can take\n\(backbone.logs)")
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM tasks WHERE measurement_id = \(next) AND leased_by = 'h2-ipv6'"), 0)
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM results WHERE measurement_id = \(next) AND agent_id = 'h2-ipv6'"), 0)
        XCTAssertGreaterThan(try backbone.count("SELECT count(*) AS count FROM results WHERE measurement_id = \(next) AND agent_id = 'h1-ipv4'"), 0)
        print("ansible deploy test: \(ContinuousClock.now - started) (playbook runs: \(first.duration), \(second.duration), \(third.duration))")
    }

    /// The Debian root of the lab hosts (`ops/lab-root`: made once, then reused).
    private static func baseRoot() throws -> URL {
        let made = try TestProcess.run(TestPaths.inRepository("ops/lab-root").path, ["--timeout", "900"], timeout: .seconds(960))
        if made.status == 2 { throw XCTSkip("needs a Debian root for the lab hosts: debootstrap could not reach a mirror:\n\(made.standardError)") }
        guard made.status == 0, let path = made.standardOutput.split(separator: "\n").last else {
            throw IntegrationError("ops/lab-root failed: \(made.standardError)")
        }
        if made.standardError.contains("made in") { print(made.standardError) }
        return URL(fileURLWithPath: String(path))
    }

    /// The `peil` package for the hosts, and the directories to mount into them for it to run.
    private static func package(into work: URL) throws -> (URL, [String]) {
        let release = ProcessInfo.processInfo.environment["PEIL_PACKAGE_BINARY"] ?? TestPaths.inRepository(".build-release/release/peil").path
        var arguments = ["--compression", "none", "--version", "0.0.1", "--out", work.path]
        var binds: [String] = []
        if FileManager.default.isExecutableFile(atPath: release) {
            arguments += ["--binary", release]
        } else {
            let debug = try XCTUnwrap(TestProcess.peil)
            arguments += ["--binary", debug, "--allow-unpackaged-libraries"]
            binds = try toolchainLibraryDirectories(of: debug)
        }
        let built = try TestProcess.run(TestPaths.inRepository("ops/package").path, arguments, timeout: .seconds(600))
        guard built.status == 0, let path = built.standardOutput.split(separator: "\n").last else {
            throw IntegrationError("ops/package failed: \(built.standardError)")
        }
        return (URL(fileURLWithPath: String(path)), binds)
    }

    /// The directories of the libraries of `binary` that are not the system's (the toolchain's).
    private static func toolchainLibraryDirectories(of binary: String) throws -> [String] {
        let ldd = try TestProcess.run("/usr/bin/ldd", [binary]).standardOutput
        let libraries = ldd.split(separator: "\n").compactMap { line in line.firstMatch(of: /=> (\/\S+)/).map { String($0.1) } }
        let system = ["/lib/", "/lib64/", "/usr/lib/x86_64-linux-gnu/", "/usr/lib/aarch64-linux-gnu/"]
        return Array(Set(libraries.filter { path in !system.contains { path.hasPrefix($0) } }.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })).sorted()
    }

    private static func publicKey(in file: URL) throws -> String? {
        try String(contentsOf: file, encoding: .utf8).firstMatch(of: /public-key = "([^"]+)"/).map { String($0.1) }
    }

    private static func agentLogs(_ hosts: [ChrootLabHost]) -> String {
        hosts.map { "--- \($0.host.name) agent\n" + ((try? String(contentsOf: $0.file("/var/log/peil/agent.log"), encoding: .utf8))?.suffix(3000) ?? "") }
            .joined(separator: "\n")
    }
}

/// The test's inventory: agent hosts by their lab addresses, the coordinator's allow-list on
/// `localhost` (the coordinator host runs on the machine's own files).
private struct Inventory {
    let hosts: [ChrootLabHost]
    let lab: Lab
    let fleet: LabFleet
    let coordinatorHost: LabHost
    let package: URL

    func text(agents: [ChrootLabHost]) -> String {
        let trustStore = FileManager.default.fileExists(atPath: lab.certificateAuthorityFile.path) ? lab.certificateAuthorityFile.path : ""
        let agentLines = agents.map { host in
            """
                    \(host.host.name):
                      ansible_host: "\(host.address)"
                      peil_agent_name: \(LabFleet.agentName(on: host.host))
                      peil_families: [\(host.host.families.map(\.rawValue).joined(separator: ", "))]

            """
        }.joined()
        return """
            all:
              vars:
                ansible_user: root
                ansible_python_interpreter: /usr/bin/python3
              children:
                peil_agents:
                  vars:
                    peil_package: "\(package.path)"
                    peil_coordinator_ipv4: "\(coordinatorHost.ipv4 ?? "")"
                    peil_coordinator_ipv6: "\(coordinatorHost.ipv6 ?? "")"
                    peil_coordinator_public_key: "\(fleet.directory.appendingPathComponent("coordinator.pub").path)"
                    peil_root_hints: "\(lab.rootHintsFile.path)"
                    peil_trust_anchor: "\(lab.trustAnchorFile.path)"
                    peil_trust_store: "\(trustStore)"
                    peil_any_upstream: false
                    peil_concurrency: 16
                    peil_service_manager: start-stop-daemon
                  hosts:
            \(agentLines)
                peil_coordinator:
                  hosts:
                    localhost:
                      ansible_connection: local
                      peil_allow_list: "\(fleet.allowList.path)"
                      peil_allow_list_owner: root
                      peil_allow_list_group: root

            """
    }
}

/// `ansible-playbook deploy/ansible/site.yml` inside the coordinator host, with a configuration
/// of the test's own (its SSH key and known hosts, no persistent SSH connections), and its PLAY RECAP.
private struct AnsibleRun {
    let work: URL
    let namespace: String

    struct Outcome {
        let output: String
        /// `changed=` per host of the PLAY RECAP.
        let changed: [String: Int]
        let failedHosts: [String]
        let duration: Duration
    }

    func run(_ inventory: String) throws -> Outcome {
        let inventoryFile = work.appendingPathComponent("inventory.yml")
        try inventory.write(to: inventoryFile, atomically: true, encoding: .utf8)
        let configuration = work.appendingPathComponent("ansible.cfg")
        // One SSH connection per host for all of a run's tasks (a socket path short enough for
        // sun_path); the masters run in the coordinator host's namespace, which `down` empties.
        let controlPath = "/tmp/pan\(getpid())-%C"
        try """
            [defaults]
            nocolor = True
            retry_files_enabled = False
            private_key_file = \(work.appendingPathComponent("id_ed25519").path)
            [ssh_connection]
            pipelining = True
            ssh_args = -o ControlMaster=auto -o ControlPersist=30s -o ControlPath=\(controlPath) -o UserKnownHostsFile=\(work.appendingPathComponent("known_hosts").path) -o StrictHostKeyChecking=yes -o ConnectTimeout=10

            """.write(to: configuration, atomically: true, encoding: .utf8)
        let environment = ["ANSIBLE_CONFIG": configuration.path, "ANSIBLE_HOME": work.appendingPathComponent("ansible-home").path,
                           "ANSIBLE_LOCAL_TEMP": work.appendingPathComponent("ansible-tmp").path, "ANSIBLE_NOCOLOR": "1"]
        let started = ContinuousClock.now
        let result = try TestProcess.run("/usr/sbin/ip", ["netns", "exec", namespace, AnsibleDeployTests.ansiblePlaybook, "-i", inventoryFile.path,
                                                          TestPaths.inRepository("deploy/ansible/site.yml").path],
                                         directory: work.path, environment: environment, mergeErrors: true, timeout: .seconds(600))
        let duration = ContinuousClock.now - started
        var changed: [String: Int] = [:], failed: [String] = []
        for line in result.standardOutput.split(separator: "\n") {
            guard let match = line.firstMatch(of: /^(\S+)\s+:\s+ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/) else { continue }
            changed[String(match.1)] = Int(match.2)
            if match.3 != "0" || match.4 != "0" { failed.append(String(match.1)) }
        }
        if result.status != 0 { failed.append("ansible-playbook exited with \(result.status)") }
        if changed.isEmpty { failed.append("no PLAY RECAP") }
        return Outcome(output: result.standardOutput, changed: changed, failedHosts: failed, duration: duration)
    }
}
