import Foundation
import PeilModel
import PeilTestSupport
import XCTest

@testable import Lab

/// Brings a real lab up (prefix `plt`, its own state directory), checks it with standard
/// clients from each vantage namespace against the ground truth, and takes it down. Runs as
/// root (CI does); needs dig (bind9-dnsutils), ldns-verify-zone (ldnsutils) and unbound-host.
final class LabLiveTests: XCTestCase {
    func testUpServeValidateDown() throws {
        try TestRequirements.require(.root)
        for (program, package) in [("dig", "bind9-dnsutils"), ("unbound-host", "unbound-host"), ("ldns-verify-zone", "ldnsutils")] {
            XCTAssertTrue(StandardClients.has(program), "\(program) missing: apt-get install \(package)")
        }
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("peil-labtests-\(getpid())")
        let lab = Lab(prefix: "plt", stateDirectory: state)
        defer { try? lab.down() }

        let first = try lab.up()
        let started = Date()
        let manifest = try lab.up()
        print("lab up (replacing a running lab) took \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        XCTAssertTrue(manifest.complete)
        XCTAssertEqual(manifest.namespaces.sorted(), lab.namespaces.sorted())
        XCTAssertEqual(manifest.processes.count, lab.world.serverGroups.count)
        XCTAssertTrue(Set(first.processes.map(\.pid)).isDisjoint(with: manifest.processes.map(\.pid)), "up replaced the old servers")
        XCTAssertFalse(first.processes.contains { LabProcesses.isAlive($0.pid, named: "knotd") }, "old servers are gone")
        XCTAssertTrue(try lab.status().isUp)

        try checkFamilies(lab)
        try checkAuthoritativeData(lab)
        try checkValidation(lab)
        try checkSignedZoneFiles(lab, state: state)
        try checkHostNamespaceUntouched()

        let downStarted = Date()
        try lab.down()
        print("lab down took \(String(format: "%.2f", Date().timeIntervalSince(downStarted))) s")
        let namespaces = try StandardClients.run(["ip", "netns", "list"]).text.split(separator: "\n")
        XCTAssertEqual(namespaces.filter { $0.hasPrefix("plt-") }, [], "namespaces left")
        XCTAssertEqual(try Self.knotdProcesses(mentioning: state.path), [], "knotd processes left")
        XCTAssertNil(try LabManifest.load(from: LabPaths(state)), "manifest left")
        XCTAssertFalse(FileManager.default.fileExists(atPath: state.path), "state directory left")
        try lab.down()
    }

    /// A zone knotd cannot load fails `up` with knotd's log tail, and leaves nothing running.
    func testServerThatCannotLoadItsZoneIsReportedAndCleanedUp() throws {
        try TestRequirements.require(.root)
        var world = LabWorld.minimal
        let mailZone = try XCTUnwrap(world.zones.firstIndex { $0.name == "mailhost.nl" })
        world.zones[mailZone].records.append(.a("broken.mailhost.nl", "not-an-address"))
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("peil-labtests-broken-\(getpid())")
        let lab = Lab(configuration: LabConfiguration(prefix: "pltf", stateDirectory: state), world: world)
        defer { try? lab.down() }
        XCTAssertThrowsError(try lab.up()) { error in
            XCTAssertEqual((error as? LabError)?.code, .serverFailedToStart)
            let text = String(describing: error)
            XCTAssertTrue(text.contains("server group alfa") && text.contains("mailhost.nl"), text)
        }
        let namespaces = LabTopology.existingNamespaces(runner: CommandRunner())
        XCTAssertTrue(Set(namespaces).isDisjoint(with: lab.namespaces), "namespaces left: \(namespaces)")
        XCTAssertEqual(try Self.knotdProcesses(mentioning: state.path), [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: state.appendingPathComponent("knot/alfa/knot.log").path), "logs kept")
        try lab.down()
        XCTAssertFalse(FileManager.default.fileExists(atPath: state.path))
    }

    /// The v4 vantage reaches the root over IPv4 only, the v6 vantage over IPv6 only, the dual
    /// stack over both; the single-family vantages have no address or route of the other.
    func checkFamilies(_ lab: Lab) throws {
        let root = try XCTUnwrap(lab.world.serverGroups.first { $0.id == "root" }?.nameservers.first)
        let ipv4 = try XCTUnwrap(root.ipv4), ipv6 = try XCTUnwrap(root.ipv6)
        let v4 = lab.vantageNamespace(for: [.ipv4]), v6 = lab.vantageNamespace(for: [.ipv6]), ds = lab.vantageNamespace(for: [.ipv4, .ipv6])
        XCTAssertEqual([v4, v6, ds], ["plt-v4", "plt-v6", "plt-ds"])
        for (namespace, server, reachable) in [(v4, ipv4, true), (v4, ipv6, false), (v6, ipv6, true), (v6, ipv4, false), (ds, ipv4, true), (ds, ipv6, true)] {
            let answer = try StandardClients.dig(namespace, server: server, ".", "SOA")
            XCTAssertEqual(answer != nil, reachable, "root \(server) from \(namespace)")
            if let answer {
                XCTAssertEqual(answer.rcode, "NOERROR")
                XCTAssertTrue(answer.authoritative)
            }
        }
        for (namespace, family) in [(v4, "-6"), (v6, "-4")] {
            let routes = try StandardClients.run(["ip", "-n", namespace, family, "route", "show"])
            XCTAssertEqual(routes.text.trimmingCharacters(in: .whitespacesAndNewlines), "", "\(namespace) \(family) routes")
            let addresses = try StandardClients.run(["ip", "-n", namespace, family, "-brief", "address", "show"])
            let foreign = addresses.text.split(separator: "\n").filter { !$0.hasPrefix("lo ") }
            XCTAssertEqual(foreign, [], "\(namespace) \(family) addresses")
        }
    }

    /// Every truth record is what the domain's authoritative server answers (from dual stack),
    /// and every nameserver answers over each family it has, from that family's vantage.
    func checkAuthoritativeData(_ lab: Lab) throws {
        let index = WorldIndex(lab.world)
        let failures = FailureLog()
        let ds = lab.vantageNamespace(for: [.ipv4, .ipv6])
        @Sendable func server(for name: String) -> String {
            let zone = index.zoneContaining(name)!
            return index.group(zone.servers)!.nameservers.compactMap(\.ipv4).first!
        }
        @Sendable func ask(_ name: String, _ type: String) -> StandardClients.DigAnswer? {
            do {
                let answer = try StandardClients.dig(ds, server: server(for: name), name, type)
                if answer?.authoritative != true { failures.add("\(name) \(type): no authoritative answer") }
                return answer
            } catch {
                failures.add("\(name) \(type): \(error)")
                return nil
            }
        }
        let facts = lab.expectedFacts()
        DispatchQueue.concurrentPerform(iterations: facts.count) { position in
            let truth = facts[position]
            let domain = truth.domain
            failures.expect(ask(domain, "A")?.records, truth.domainAddresses.ipv4, "\(domain) A")
            failures.expect(ask(domain, "AAAA")?.records, truth.domainAddresses.ipv6, "\(domain) AAAA")
            failures.expect(ask(truth.web.host, "A")?.records, truth.web.ipv4, "\(truth.web.host) A")
            failures.expect(ask(truth.web.host, "AAAA")?.records, truth.web.ipv6, "\(truth.web.host) AAAA")
            failures.expect(ask(domain, "MX")?.records, truth.mx.map { "\($0.preference) \($0.host)" }.sorted(), "\(domain) MX")
            failures.expect(ask(domain, "TXT")?.records, truth.txt, "\(domain) TXT")
            failures.expect(ask("_dmarc." + domain, "TXT")?.records, truth.dmarc, "_dmarc.\(domain) TXT")
            let domainKey = ask("_domainkey." + domain, "TXT")?.rcode
            failures.expect(domainKey, truth.domainKey == .exists ? "NOERROR" : "NXDOMAIN", "_domainkey.\(domain)")
            failures.expect(ask("_443._tcp." + truth.web.host, "TLSA")?.records, truth.webTLSA, "\(truth.web.host) TLSA")
            failures.expect(ask(truth.caaFoundAt ?? domain, "CAA")?.records, truth.caa, "CAA at \(truth.caaFoundAt ?? domain)")
            if let foundAt = truth.caaFoundAt, foundAt != truth.web.host {
                failures.expect(ask(truth.web.host, "CAA")?.records, [], "no CAA at \(truth.web.host)")
            }
            failures.expect(ask(truth.nsZone ?? "", "NS")?.records, truth.nameservers.map(\.host), "\(truth.nsZone ?? "") NS")
            for exchanger in truth.mx where !exchanger.host.isEmpty {
                failures.expect(ask(exchanger.host, "A")?.records, exchanger.ipv4, "\(exchanger.host) A")
                failures.expect(ask(exchanger.host, "AAAA")?.records, exchanger.ipv6, "\(exchanger.host) AAAA")
                failures.expect(ask("_25._tcp." + exchanger.host, "TLSA")?.records, exchanger.tlsa, "\(exchanger.host) TLSA")
            }
            for nameserver in truth.nameservers {
                for (address, families) in nameserver.ipv4.map({ ($0, Set([AddressFamily.ipv4])) }) + nameserver.ipv6.map({ ($0, Set([AddressFamily.ipv6])) }) {
                    let answer = try? StandardClients.dig(lab.vantageNamespace(for: families), server: address, domain, "SOA")
                    if answer?.rcode != "NOERROR" || answer?.authoritative != true {
                        failures.add("\(nameserver.host) \(address) does not answer for \(domain)")
                    }
                }
            }
        }
        for failure in failures.all { XCTFail(failure) }
    }

    /// unbound-host, validating from the lab's root with its trust anchor, reports for every
    /// domain, web host and MX host the status the truth says; the IPv6-only vantage reaches
    /// exactly the domains with a nameserver that has AAAA.
    func checkValidation(_ lab: Lab) throws {
        let failures = FailureLog()
        let facts = lab.expectedFacts()
        let vantages: [Set<AddressFamily>] = [[.ipv4, .ipv6], [.ipv4], [.ipv6]]
        DispatchQueue.concurrentPerform(iterations: facts.count) { position in
            let truth = facts[position]
            for families in vantages {
                let namespace = lab.vantageNamespace(for: families)
                let config = lab.resolverConfigurationFile(for: families)
                let reachable = families.contains(.ipv4) || truth.nameservers.contains { !$0.ipv6.isEmpty }
                var questions = [(truth.domain, "SOA", reachable ? truth.dnssec : .error)]
                if families == [.ipv4, .ipv6] {
                    questions.append((truth.web.host, "A", truth.webDNSSEC))
                    questions += truth.mx.filter { !$0.host.isEmpty }.map { ($0.host, "A", $0.dnssec) }
                }
                for (name, type, expected) in questions {
                    do {
                        let (status, text) = try StandardClients.validate(namespace, config: config, name, type)
                        if status != expected { failures.add("\(name) \(type) from \(namespace): \(status), expected \(expected): \(text)") }
                    } catch {
                        failures.add("\(name) \(type) from \(namespace): \(error)")
                    }
                }
            }
        }
        for failure in failures.all { XCTFail(failure) }

        let ds = lab.vantageNamespace(for: [.ipv4, .ipv6])
        let nl = try XCTUnwrap(lab.world.serverGroups.first { $0.id == "nl" }?.nameservers.first?.ipv4)
        let signed = try XCTUnwrap(StandardClients.dig(ds, server: nl, "nl", "SOA", dnssec: true))
        XCTAssertTrue(signed.records.contains { $0.hasPrefix("RRSIG SOA") }, "nl is signed: \(signed.records)")
        let trustAnchor = try String(contentsOf: lab.trustAnchorFile, encoding: .utf8)
        XCTAssertTrue(trustAnchor.hasPrefix(".\t3600\tIN\tDS\t"), trustAnchor)
        let hints = try String(contentsOf: lab.rootHintsFile, encoding: .utf8)
        XCTAssertTrue(hints.contains("ns.root-servers.lab.\t3600000\tIN\tAAAA\t2001:2:0:53::1"), hints)
    }

    /// ldns-verify-zone accepts every correctly signed zone file and rejects the expired ones.
    func checkSignedZoneFiles(_ lab: Lab, state: URL) throws {
        for zone in lab.world.zones where zone.dnssec.isSigned {
            let file = state.appendingPathComponent("zones/\(zone.name.isEmpty ? "root" : zone.name).zone.signed")
            let result = try StandardClients.run(["ldns-verify-zone", file.path])
            XCTAssertEqual(result.status == 0, zone.dnssec != .bogusExpiredSignatures, "\(zone.name): \(result.text.suffix(300))")
        }
    }

    /// The host's own namespace has no lab address or interface.
    func checkHostNamespaceUntouched() throws {
        let addresses = try StandardClients.run(["ip", "-brief", "address", "show"]).text
        XCTAssertFalse(addresses.contains("198.18.") || addresses.contains("198.19.") || addresses.contains("2001:2:"), addresses)
        XCTAssertFalse(try StandardClients.run(["ip", "-brief", "link", "show"]).text.contains("to-core"))
    }

    /// Live (non-zombie) knotd processes whose command line mentions `text`.
    static func knotdProcesses(mentioning text: String) throws -> [Int32] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(Int32.init).filter { pid in
            guard LabProcesses.isAlive(pid, named: "knotd"),
                  let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(text)
        }
    }
}
