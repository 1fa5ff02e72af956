import Foundation
import Lab
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// A fleet as on separate machines: the minimal lab with two agent hosts (`lab up --hosts 2`),
/// the coordinator inside the coordinator host on TCP on its lab addresses, reaching PostgreSQL
/// through its Unix socket only, and an IPv4-only and an IPv6-only agent connecting to it over
/// the lab network with CURVE. Needs root and `ops/pg start`.
final class LabHostsFleetTests: XCTestCase {
    func testAgentsOnLabHostsMeasureOverTCPAndTheCoordinatorReachesPostgreSQLThroughItsSocket() throws {
        try TestRequirements.require(.root, .postgreSQL, .peilBinary)
        let started = ContinuousClock.now
        var configuration = LabConfiguration(prefix: "pho\(getpid() % 10_000)",
                                             stateDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("peil-hosts-\(getpid())"))
        configuration.hosts = 2
        // Web and mail addresses refuse at once: this test is about the fleet, not timeouts.
        configuration.refusesUnservedAddresses = true
        let lab = Lab(configuration: configuration)
        defer { try? lab.down() }
        try lab.up()
        print("lab hosts test: lab up after \(ContinuousClock.now - started)")
        let coordinatorHost = try XCTUnwrap(lab.hosts.first { $0.role == .coordinator })
        let agentHosts = lab.hosts.filter { $0.role == .agent }
        XCTAssertEqual(agentHosts.map(\.families), [[.ipv4], [.ipv6]])
        XCTAssertEqual(try lab.recordedHosts(), lab.hosts, "the manifest names the hosts")
        // An unserved web or mail address answers a connection with a reset, in each family
        // ("Connection refused"; an unrouted one would time out after the SYN's retries).
        for (host, address) in [(agentHosts[0], "198.18.16.1"), (agentHosts[1], "2001:2:0:25::1")] {
            let attempt = try TestProcess.run("/usr/sbin/ip", ["netns", "exec", host.namespace, "/bin/bash", "-c", "exec 3<>/dev/tcp/\(address)/443"],
                                              mergeErrors: true, timeout: .seconds(20))
            XCTAssertNotEqual(attempt.status, 0, address)
            XCTAssertTrue(attempt.standardOutput.contains("Connection refused"), "\(address): \(attempt.standardOutput)")
        }

        let backbone = try Backbone(lab: lab, onHosts: true)
        defer { backbone.tearDown() }
        let socketDatabase = try XCTUnwrap(backbone.fleet.database)
        XCTAssertTrue(socketDatabase.hasPrefix("host='/"), "the coordinator's database is named by its socket directory: \(socketDatabase)")

        // The coordinator host has no way to the machine's PostgreSQL over TCP: no default route,
        // and 127.0.0.1 there is its own loopback, where nothing listens.
        let port = try XCTUnwrap(socketDatabase.firstMatch(of: /port=(\d+)/)?.1)
        let routes = try TestProcess.run("/usr/sbin/ip", ["-n", coordinatorHost.namespace, "route", "show", "default"])
        XCTAssertEqual(routes.status, 0, routes.standardError)
        XCTAssertEqual(routes.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines), "", "a default route in \(coordinatorHost.namespace)")
        let loopback = try TestProcess.run("/usr/sbin/ip", ["netns", "exec", coordinatorHost.namespace, "/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)"],
                                           timeout: .seconds(10))
        XCTAssertNotEqual(loopback.status, 0, "PostgreSQL's TCP port answered inside \(coordinatorHost.namespace)")

        let names = agentHosts.map(LabFleet.agentName)
        XCTAssertEqual(names, ["h1-ipv4", "h2-ipv6"])
        for name in names { try backbone.makeKey(name, allowListed: true) }
        try backbone.importLabSet("lab")
        let coordinator = try backbone.startCoordinator(resolveOnly: false)
        for host in agentHosts { _ = try backbone.startAgent(on: host) }
        try backbone.waitForAgents(2)

        // The coordinator listened on its lab addresses (libzmq, with IPv6 on, names the IPv4 one
        // in its IPv4-mapped form), and each agent is connected over TCP from its own host's address.
        let ipv4 = try XCTUnwrap(coordinatorHost.ipv4), ipv6 = try XCTUnwrap(coordinatorHost.ipv6)
        let listening = try XCTUnwrap(coordinator.log.split(separator: "\n").first { $0.contains("listening") }, coordinator.log)
        XCTAssertTrue(listening.contains("tcp://\(ipv4):7710") || listening.contains("tcp://[::ffff:\(ipv4)]:7710"), String(listening))
        XCTAssertTrue(listening.contains("tcp://[\(ipv6)]:7710"), String(listening))
        let sockets = try TestProcess.run("/usr/sbin/ip", ["netns", "exec", coordinatorHost.namespace, "ss", "-Htn", "state", "established", "( sport = :7710 )"])
        XCTAssertEqual(sockets.status, 0, sockets.standardError)
        let peers = sockets.standardOutput.split(whereSeparator: \.isWhitespace).map(String.init).filter { !$0.hasSuffix(":7710") && $0.contains(":") }
        let agentIPv4 = try XCTUnwrap(agentHosts[0].ipv4), agentIPv6 = try XCTUnwrap(agentHosts[1].ipv6)
        XCTAssertTrue(peers.contains { $0.hasPrefix("\(agentIPv4):") || $0.hasPrefix("[::ffff:\(agentIPv4)]:") }, sockets.standardOutput)
        XCTAssertTrue(peers.contains { $0.hasPrefix("[\(agentIPv6)]:") }, sockets.standardOutput)
        XCTAssertEqual(peers.count, 2, sockets.standardOutput)

        print("lab hosts test: agents connected after \(ContinuousClock.now - started)")
        let id = try backbone.measure("lab")
        let progress = try backbone.waitForCompletion(id, timeout: 240)
        print("lab hosts test: measured after \(ContinuousClock.now - started)")
        print("measurement on lab hosts: \(progress.total) tasks, \(progress.done) done, \(progress.notTestable) not testable")
        XCTAssertTrue(progress.isComplete, "measurement incomplete: \(progress)\n\(backbone.logs)")
        XCTAssertGreaterThan(try backbone.count("SELECT count(*) AS count FROM tasks WHERE measurement_id = \(id) AND kind <> 'resolve'"), 0,
                             "no connect task ran")
        for name in names {
            XCTAssertGreaterThan(try backbone.count("SELECT count(*) AS count FROM results WHERE measurement_id = \(id) AND agent_id = \(name)"), 0,
                                 "\(name) stored no result\n\(backbone.logs)")
        }
        XCTAssertEqual(try backbone.count("""
            SELECT count(*) AS count FROM results r JOIN tasks t ON t.id = r.task_id
            WHERE r.measurement_id = \(id) AND r.agent_id = 'h2-ipv6' AND t.family IS DISTINCT FROM 'ipv6'
            """), 0, "the IPv6-only agent took a task that is not IPv6")
        XCTAssertEqual(try backbone.count("""
            SELECT count(*) AS count FROM results r JOIN tasks t ON t.id = r.task_id
            WHERE r.measurement_id = \(id) AND r.agent_id = 'h1-ipv4' AND t.family = 'ipv6'
            """), 0, "the IPv4-only agent took an IPv6 task")
        print("lab hosts test: \(ContinuousClock.now - started)")
    }
}
