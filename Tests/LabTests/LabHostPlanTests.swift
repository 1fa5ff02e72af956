import Foundation
import PeilModel
import XCTest

@testable import Lab

/// The lab's hosts as planned, without running anything: families, addresses, links, routes.
final class LabHostPlanTests: XCTestCase {
    func testHostsCycleFamiliesAndTakeTheirOwnLinks() throws {
        var configuration = LabConfiguration(prefix: "plt", stateDirectory: URL(fileURLWithPath: "/tmp/x"))
        configuration.hosts = 4
        let lab = Lab(configuration: configuration)
        XCTAssertEqual(lab.namespaces, ["plt-core", "plt-v4", "plt-v6", "plt-ds", "plt-dns", "plt-coord", "plt-h1", "plt-h2", "plt-h3", "plt-h4"])
        XCTAssertEqual(lab.hosts.map(\.role), [.coordinator, .agent, .agent, .agent, .agent])
        XCTAssertEqual(lab.hosts.map(\.families), [[.ipv4, .ipv6], [.ipv4], [.ipv6], [.ipv4, .ipv6], [.ipv4, .ipv6]])
        XCTAssertEqual(lab.hosts.dropFirst().map(LabFleet.agentName), ["h1-ipv4", "h2-ipv6", "h3-dual", "h4-dual"])
        let coordinator = lab.hosts[0]
        XCTAssertEqual([coordinator.ipv4, coordinator.ipv6], ["198.19.32.2", "2001:2:0:120::2"])
        XCTAssertEqual([lab.hosts[1].ipv4, lab.hosts[1].ipv6], ["198.19.33.2", nil])
        XCTAssertEqual([lab.hosts[2].ipv4, lab.hosts[2].ipv6], [nil, "2001:2:0:122::2"])

        // Every member on a link of its own; host links inside the hosts' block.
        let topology = LabTopology(prefix: "plt", nameserverAddresses: [], endpointAddresses: ["198.18.16.1"], hosts: LabHost.maximumAgentHosts)
        let links = topology.members.map(\.link)
        XCTAssertEqual(Set(links).count, links.count, "\(links)")
        XCTAssertEqual(topology.hosts.map(\.link), Array(32...63))
        XCTAssertEqual(topology.hosts.last?.ipv6, "2001:2:0:13f::2")

        // An agent host reaches the targets and the coordinator host; the coordinator host the host links only.
        let h2 = try XCTUnwrap(topology.members.first { $0.suffix == "h2" })
        XCTAssertEqual(h2.routes, ["198.18.0.0/16", "2001:2::/56", "198.19.32.0/24", "2001:2:0:120::/64"])
        XCTAssertEqual(topology.members.first { $0.suffix == "coord" }?.routes, ["198.19.32.0/19", "2001:2:0:120::/59"])
        XCTAssertEqual(topology.members.first { $0.suffix == "v4" }?.routes, ["198.18.0.0/16", "2001:2::/56"])

        configuration.hosts = LabHost.maximumAgentHosts + 1
        XCTAssertThrowsError(try configuration.validate())
    }

    func testUnservedAddressesRefuseOnlyWhenAskedAndOnlyWithoutEndpoints() throws {
        let silent = LabTopology(prefix: "plt", nameserverAddresses: ["198.18.0.1"])
        XCTAssertEqual(silent.members.map(\.suffix), ["v4", "v6", "ds", "dns"])
        let refusing = LabTopology(prefix: "plt", nameserverAddresses: ["198.18.0.1"], refusesUnserved: true)
        let closed = try XCTUnwrap(refusing.members.first { $0.suffix == "closed" })
        XCTAssertEqual(closed.addresses, [])
        XCTAssertEqual(closed.pools, [.web, .mail, .host])
        XCTAssertTrue(closed.holdsPoolsWhole)
        XCTAssertEqual(Set(refusing.members.map(\.link)).count, refusing.members.count)
        // With endpoints the endpoint namespace holds its addresses; nothing refuses in bulk.
        let served = LabTopology(prefix: "plt", nameserverAddresses: [], endpointAddresses: ["198.18.16.1"], refusesUnserved: true)
        XCTAssertEqual(served.members.map(\.suffix), ["v4", "v6", "ds", "dns", "web"])
        XCTAssertFalse(served.members.contains(where: \.holdsPoolsWhole))
        var configuration = LabConfiguration(prefix: "plt", stateDirectory: URL(fileURLWithPath: "/tmp/x"))
        configuration.refusesUnservedAddresses = true
        XCTAssertEqual(Lab(configuration: configuration).namespaces.last, "plt-closed")
    }

    func testFleetOnHostsConnectsByFamily() {
        var configuration = LabConfiguration(prefix: "plt", stateDirectory: URL(fileURLWithPath: "/tmp/x"))
        configuration.hosts = 2
        let lab = Lab(configuration: configuration)
        let directory = URL(fileURLWithPath: "/tmp/fleet")
        let onHosts = LabFleet(peil: URL(fileURLWithPath: "/bin/true"), lab: lab, directory: directory, hosts: lab.hosts)
        XCTAssertEqual(onHosts.endpoints, ["tcp://198.19.32.2:7710", "tcp://[2001:2:0:120::2]:7710"])
        XCTAssertEqual(onHosts.endpoint(for: [.ipv6]), "tcp://[2001:2:0:120::2]:7710")
        XCTAssertEqual(onHosts.endpoint(for: [.ipv4]), "tcp://198.19.32.2:7710")
        XCTAssertEqual(onHosts.endpoint(for: [.ipv4, .ipv6]), "tcp://198.19.32.2:7710")
        let onVantages = LabFleet(peil: URL(fileURLWithPath: "/bin/true"), lab: lab, directory: directory)
        XCTAssertEqual(onVantages.endpoints, ["ipc:///tmp/fleet/coordinator.sock"])
        XCTAssertEqual(onVantages.endpoint(for: [.ipv6]), "ipc:///tmp/fleet/coordinator.sock")
    }
}
