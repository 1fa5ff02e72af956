import Foundation
import PeilModel
import XCTest

@testable import Lab

extension EndpointLiveTests {
    /// DNS answers come through the relay about one RTT late (printed; asserted only ≥ half the
    /// RTT), over UDP and TCP, byte for byte what knotd answers on its loopback port (DNSSEC
    /// included); silent nameserver AAAA stays unanswered.
    func checkDNSDelay(_ checks: EndpointChecks, rtt: Int) throws {
        let lab = checks.lab
        let index = WorldIndex(lab.world)
        let root = try XCTUnwrap(lab.world.serverGroups.first { group in lab.world.zones.contains { $0.name.isEmpty && $0.servers == group.id } })
        let position = try XCTUnwrap(lab.world.serverGroups.firstIndex(of: root))
        let server = try XCTUnwrap(root.nameservers.first?.ipv4)
        let v4 = lab.vantageNamespace(for: [.ipv4])
        let sockets = checks.run(lab.dnsNamespace, ["ss", "-Hlunpt"]).text.split(separator: "\n")
        let published = sockets.filter { $0.contains(" \(server):53 ") }
        XCTAssertEqual(published.count, 2, "UDP and TCP on \(server):53")
        XCTAssertTrue(published.allSatisfy { $0.contains("((\"peil\"") }, "the relay, not knotd, holds \(server):53: \(published)")
        var udp: [Int] = [], tcp: [Int] = []
        for _ in 0..<7 {
            if let (time, _) = checks.digTime(v4, server, ".", "SOA") { udp.append(time) }
            if let (time, _) = checks.digTime(v4, server, ".", "SOA", options: ["+tcp"]) { tcp.append(time) }
        }
        let direct = (0..<7).compactMap { _ in checks.digTime(lab.dnsNamespace, "127.0.0.1", ".", "SOA", options: ["-p", "\(Lab.backendPort(position))"])?.0 }
        func median(_ values: [Int]) -> Int { values.sorted()[values.count / 2] }
        XCTAssertEqual(udp.count, 7, "UDP answers through the relay")
        XCTAssertEqual(tcp.count, 7, "TCP answers through the relay")
        XCTAssertFalse(direct.isEmpty, "knotd answers on its backend port")
        guard !udp.isEmpty, !tcp.isEmpty, !direct.isEmpty else { return }
        print("DNS delay (rtt \(rtt) ms): UDP median \(median(udp)) ms \(udp), TCP median \(median(tcp)) ms \(tcp), knotd direct \(median(direct)) ms")
        XCTAssertGreaterThanOrEqual(median(udp), rtt / 2, "UDP answers are delayed")
        XCTAssertGreaterThanOrEqual(median(tcp), rtt / 2, "TCP answers are delayed")

        let signed = try XCTUnwrap(lab.world.zones.first { $0.dnssec == .signed && !$0.name.isEmpty && index.group($0.servers) != nil })
        let group = try XCTUnwrap(index.group(signed.servers))
        let backend = Lab.backendPort(try XCTUnwrap(lab.world.serverGroups.firstIndex(of: group)))
        let relayed = checks.digTime(v4, try XCTUnwrap(group.nameservers.first?.ipv4), signed.name, "DNSKEY", options: ["+dnssec"])?.1 ?? ""
        let straight = checks.digTime(lab.dnsNamespace, "127.0.0.1", signed.name, "DNSKEY", options: ["+dnssec", "-p", "\(backend)"])?.1 ?? ""
        let answer = EndpointChecks.answerSection(relayed)
        XCTAssertTrue(answer.contains { $0.contains("RRSIG") }, "signed answer through the relay: \(relayed.prefix(400))")
        XCTAssertEqual(answer, EndpointChecks.answerSection(straight), "the relay passes answers unchanged")

        let v6 = lab.vantageNamespace(for: [.ipv6])
        for nameserver in lab.world.serverGroups.flatMap(\.nameservers) {
            guard let address = nameserver.ipv6 else { continue }
            let answered = checks.digTime(v6, address, ".", "SOA") != nil
            if answered == (nameserver.ipv6Silent == true) { XCTFail("\(nameserver.host) \(address): answered \(answered), silent \(nameserver.ipv6Silent == true)") }
        }
    }
}
