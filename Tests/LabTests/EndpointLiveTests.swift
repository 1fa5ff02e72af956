import Foundation
import PeilModel
import PeilTestSupport
import XCTest

@testable import Lab

/// A slice of the twin (domains covering every web platform kind, mail platform kind,
/// redirect and HSTS variant, and every nginx and Postfix platform) brought up with the
/// endpoint server, nginx, Postfix and the DNS delay relay (prefix `pep`), then `openssl
/// s_client`, `curl` and `dig` from the vantage namespaces against every host of the slice,
/// each behaving as the world file says; then `lab down` leaves no process or address.
final class EndpointLiveTests: XCTestCase {
    func testEndpointsBehaveAsTheWorldSays() throws {
        try TestRequirements.require(.root)
        let twin = Self.slice(try TwinWorldTests.twin.get())
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("peil-eptests-\(getpid())")
        var configuration = LabConfiguration(prefix: "pep", stateDirectory: state)
        configuration.endpointServer = Self.peilExecutable
        configuration.rttMilliseconds = 20
        let lab = Lab(configuration: configuration, world: TwinCompiler.labWorld(twin), endpoints: TwinEndpoints.plan(twin))
        defer { try? lab.down() }
        let started = Date()
        let manifest = try lab.up()
        print("endpoint slice up: \(String(format: "%.1f", Date().timeIntervalSince(started))) s, \(twin.domains.count) domains, \(twin.webPlatforms.count) web and \(twin.mailPlatforms.count) mail platforms")
        let server = try XCTUnwrap(manifest.processes.first { $0.role == "endpoints" })
        for role in ["endpoints", "nginx", "postfix", "dns-relay"] {
            let process = try XCTUnwrap(manifest.processes.first { $0.role == role }, "no \(role) process")
            let family = Self.processTree(process.pid)
            print("\(role) pid \(process.pid): \(family.map(Self.residentKiB).reduce(0, +)) KiB resident in \(family.count) processes")
        }

        let checks = EndpointChecks(lab: lab, twin: twin)
        let listeners = FailureLog()
        checks.checkListeners(listeners)
        for failure in listeners.all { XCTFail(failure) }
        try checkDNSDelay(checks, rtt: configuration.rttMilliseconds)
        let hosts = checks.hosts()
        print("hosts checked: \(hosts.count)")
        XCTAssertGreaterThanOrEqual(hosts.count, 50)
        let failures = FailureLog()
        // Clients mostly wait (latency, timeouts): 16 worker threads, not one per core, and not
        // on Dispatch's pool, which StandardClients needs for reading the clients' output.
        let checked = Date()
        let queue = HostQueue(hosts)
        let done = DispatchGroup()
        for _ in 0..<16 {
            done.enter()
            Thread {
                while let host = queue.next() { checks.check(host, failures: failures) }
                done.leave()
            }.start()
        }
        done.wait()
        print("checks: \(String(format: "%.1f", Date().timeIntervalSince(checked))) s")
        for failure in failures.all.prefix(80) { XCTFail(failure) }

        let labProcesses = lab.namespaces.flatMap { LabProcesses.inNamespace($0, runner: CommandRunner()) }
        print("processes in the lab's namespaces before down: \(labProcesses.count)")
        // `lab down` from a fresh process, as a user runs it: all it has is the manifest.
        let downStarted = Date()
        let down = try StandardClients.run([Self.peilExecutable.path, "lab", "down", "--prefix", "pep", "--state", state.path], timeout: 60)
        XCTAssertEqual(down.status, 0, down.text)
        print("down: \(String(format: "%.1f", Date().timeIntervalSince(downStarted))) s")
        XCTAssertFalse(LabProcesses.isAlive(server.pid), "endpoint server left")
        XCTAssertEqual(labProcesses.filter { LabProcesses.isAlive($0) }, [], "processes of the lab left (nginx, Postfix, relay, knotd)")
        let namespaces = try StandardClients.run(["ip", "netns", "list"]).text.split(separator: "\n")
        XCTAssertEqual(namespaces.filter { $0.hasPrefix("pep-") }, [], "namespaces left")
        let addresses = try StandardClients.run(["ip", "-brief", "address", "show"]).text
        XCTAssertFalse(addresses.contains("198.18.") || addresses.contains("2001:2:"), "host namespace untouched")
        XCTAssertFalse(FileManager.default.fileExists(atPath: state.path), "state directory left")
    }

    /// `peil` next to the test bundle (built by `swift build`/`swift test`).
    static var peilExecutable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("peil")
    }

    /// `pid` and its descendants (nginx workers, Postfix's daemons), from `/proc`.
    static func processTree(_ pid: Int32) -> [Int32] {
        var parents: [Int32: [Int32]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let fields = stat.split(separator: ")").last?.split(separator: " "), fields.count > 2, let parent = Int32(fields[1]) else { continue }
            parents[parent, default: []].append(child)
        }
        var tree = [pid]
        var index = 0
        while index < tree.count && index < 10_000 {
            tree += parents[tree[index]] ?? []
            index += 1
        }
        return tree
    }

    static func residentKiB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    /// Domains until every web platform kind (profile, https, IPv6), mail platform kind (smtp,
    /// IPv6, TLSA), redirect and HSTS value is covered; platforms and service zones they use;
    /// mail host names of other domains dropped.
    static func slice(_ twin: TwinWorld) -> TwinWorld {
        let web = Dictionary(twin.webPlatforms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let mailByHost = Dictionary(twin.mailPlatforms.flatMap { platform in platform.hostNames.map { ($0, platform) } }, uniquingKeysWith: { first, _ in first })
        func kinds(_ domain: TwinDomain) -> Set<String> {
            var kinds: Set<String> = ["redirect \(domain.web.redirect)", "hsts \(domain.web.hsts ?? "-")", "ipv6content \(domain.web.differentContentOverIPv6)",
                                     "nonce \(domain.web.scriptNonce)"]
            if let platform = web[domain.web.platform] {
                kinds.insert("web \(platform.tlsProfile) \(platform.https)")
                kinds.insert("web6 \(platform.https) \(platform.ipv6Service)")
                if platform.server != nil { kinds.insert("real \(platform.id)") }
            }
            for mx in domain.mail.mx {
                guard let platform = mailByHost[mx.host] else { continue }
                kinds.insert("mail \(platform.smtp) \(platform.ipv6Service) \(platform.tlsa)")
                kinds.insert("mailtls \(platform.tlsProfile)")
                if platform.server != nil { kinds.insert("real \(platform.id)") }
            }
            return kinds
        }
        let all = twin.domains.filter { $0.web.zone == nil && $0.dnssec == .signed }
        var uncovered = all.reduce(into: Set<String>()) { $0.formUnion(kinds($1)) }
        var chosen: [TwinDomain] = []
        while !uncovered.isEmpty, let best = all.max(by: { kinds($0).intersection(uncovered).count < kinds($1).intersection(uncovered).count }),
              !kinds(best).intersection(uncovered).isEmpty {
            chosen.append(best)
            uncovered.subtract(kinds(best))
        }
        var slice = twin
        slice.domains = chosen.sorted { $0.name < $1.name }
        let mxHosts = Set(chosen.flatMap(\.mail.mx).map(\.host))
        slice.mailPlatforms = twin.mailPlatforms.compactMap { platform in
            var platform = platform
            platform.hostNames = platform.hostNames.filter(mxHosts.contains)
            return platform.hostNames.isEmpty ? nil : platform
        }
        let webIDs = Set(chosen.map(\.web.platform))
        slice.webPlatforms = twin.webPlatforms.filter { webIDs.contains($0.id) }
        return slice
    }
}

/// Hands out hosts to worker threads.
final class HostQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var hosts: [EndpointChecks.Host]

    init(_ hosts: [EndpointChecks.Host]) { self.hosts = hosts.reversed() }

    func next() -> EndpointChecks.Host? {
        lock.lock()
        defer { lock.unlock() }
        return hosts.popLast()
    }
}
