import Foundation
import PeilModel
import PeilTestSupport
import XCTest

@testable import Lab

/// Peil's TLS versions and cipher suites against sslyze's (PyPI, `ops/sslyze`) on the twin's
/// real-nginx web hosts: a slice with only those domains (prefix `pss`), both scanners run
/// from the vantage namespace of each address family a host serves. Per host it prints
/// Peil's handshakes, CPU and wall time next to sslyze's wall time (never asserted).
final class SslyzeComparisonTests: XCTestCase {
    func testPeilSeesTheVersionsAndSuitesSslyzeSees() throws {
        try TestRequirements.require(.root)
        let sslyze = try SslyzeScan.executable()
        let twin = Self.nginxSlice(try TwinWorldTests.twin.get())
        let hosts = Self.endpoints(twin)
        XCTAssertGreaterThanOrEqual(hosts.count, 10, "nginx endpoints")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("peil-sslyze-\(getpid())")
        var configuration = LabConfiguration(prefix: "pss", stateDirectory: state)
        configuration.endpointServer = EndpointLiveTests.peilExecutable
        let lab = Lab(configuration: configuration, world: TwinCompiler.labWorld(twin), endpoints: TwinEndpoints.plan(twin))
        defer { try? lab.down() }
        _ = try lab.up()
        let ca = lab.certificateAuthorityFile.path
        let output = state.appendingPathComponent("sslyze")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)

        var rows = [
            "| host | address | profile | versions (suites) | Peil handshakes | Peil CPU s | Peil wall s | sslyze wall s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for host in hosts {
            let namespace = lab.vantageNamespace(for: [host.address.contains(":") ? .ipv6 : .ipv4])
            let (scan, peilCost) = RunCost.measure {
                try? StandardClients.run(["ip", "netns", "exec", namespace, EndpointLiveTests.peilExecutable.path, "scan", host.name,
                                          "--address", host.address, "--trust-store", ca, "--json"], timeout: 300)
            }
            guard let scan, scan.status == 0 else { XCTFail("peil scan \(host.name) \(host.address): \(scan?.text ?? "timeout")"); continue }
            let (peil, handshakes) = try SslyzeScan.peilView(scan.text)

            let file = output.appendingPathComponent("\(host.name)-\(host.address).json")
            let target = "\(host.name):443{\(host.address.contains(":") ? "[\(host.address)]" : host.address)}"
            let (run, sslyzeCost) = RunCost.measure {
                try? StandardClients.run(["ip", "netns", "exec", namespace, sslyze, "--quiet", "--json_out=\(file.path)",
                                          "--certinfo_ca_file", ca] + Self.sslyzeCommands + [target], timeout: 600)
            }
            guard run != nil, FileManager.default.fileExists(atPath: file.path) else {
                XCTFail("sslyze \(target): \(run?.text ?? "timeout")")
                continue
            }
            let (theirs, unreachable) = try SslyzeScan.sslyzeView(file)
            for difference in ScannerView.differences(peil: peil, sslyze: theirs) {
                XCTFail("\(host.name) \(host.address) (\(host.profile)) \(difference)")
            }
            XCTAssertEqual(peil.versions.isEmpty, host.profile.hasPrefix("https "), "\(host.name) \(host.address): Peil's versions \(peil.versions)")
            let seen = peil.summary.isEmpty ? "no TLS" : peil.summary
            print("\(host.name) \(host.address): Peil \(seen); sslyze " + (unreachable.map { "could not connect (\($0))" } ?? theirs.summary))
            rows.append(String(format: "| %@ | %@ | %@ | %@ | %d | %.2f | %.2f | %.2f |", host.name, host.address, host.profile, seen,
                               handshakes, peilCost.cpu, peilCost.wall, sslyzeCost.wall))
        }
        print(rows.joined(separator: "\n"))
    }

    /// A difference names the version and the suites only one side saw (no lab needed).
    func testDifferencesNameTheVersionAndTheOneSidedSuites() {
        let peil = ScannerView(suites: [.tls12: ["TLS_A", "TLS_B"], .tls13: ["TLS_C"]])
        let sslyze = ScannerView(suites: [.tls12: ["TLS_B", "TLS_D"], .tls11: ["TLS_E"], .tls13: ["TLS_C"]])
        XCTAssertEqual(ScannerView.differences(peil: peil, sslyze: sslyze), [
            "TLS 1.1: Peil refused, only sslyze [TLS_E]",
            "TLS 1.2: only Peil [TLS_A], only sslyze [TLS_D]",
        ])
        XCTAssertEqual(ScannerView.differences(peil: peil, sslyze: peil), [])
        XCTAssertEqual(sslyze.summary, "1.1 (1), 1.2 (2), 1.3 (1)")
    }

    /// sslyze's scan commands for what Peil's web probe also measures: every version's suites,
    /// certificate (with OCSP), groups, renegotiation, compression, 0-RTT, EMS. Not ROBOT,
    /// Heartbleed, CCS injection, fallback SCSV, resumption or HTTP headers (no TLS subtest).
    static let sslyzeCommands = ["--sslv2", "--sslv3", "--tlsv1", "--tlsv1_1", "--tlsv1_2", "--tlsv1_3", "--certinfo",
                                 "--elliptic_curves", "--reneg", "--compression", "--early_data", "--ems"]

    /// One web endpoint of an nginx platform: host name, address, TLS profile (or `https
    /// refused`).
    struct Endpoint {
        var name: String
        var address: String
        var profile: String
    }

    /// Every address on which an nginx platform serves (or refuses) port 443, per web host:
    /// IPv4, and IPv6 unless the platform has no IPv6 service.
    static func endpoints(_ twin: TwinWorld) -> [Endpoint] {
        let platforms = Dictionary(twin.webPlatforms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return twin.domains.flatMap { domain -> [Endpoint] in
            guard let platform = platforms[domain.web.platform], platform.server == .nginx else { return [] }
            let profile = platform.https == .tls ? platform.tlsProfile : "https \(platform.https)"
            let addresses = platform.ipv4 + (platform.ipv6Service == .none ? [] : platform.ipv6)
            return addresses.map { Endpoint(name: domain.web.host, address: $0, profile: profile) }
        }
    }

    /// The twin with only the domains whose web platform nginx serves, their platforms and
    /// the mail platforms of their MX hosts.
    static func nginxSlice(_ twin: TwinWorld) -> TwinWorld {
        let nginx = Set(twin.webPlatforms.filter { $0.server == .nginx }.map(\.id))
        var slice = twin
        slice.domains = twin.domains.filter { nginx.contains($0.web.platform) }
        slice.webPlatforms = twin.webPlatforms.filter { nginx.contains($0.id) }
        let mxHosts = Set(slice.domains.flatMap(\.mail.mx).map(\.host))
        slice.mailPlatforms = twin.mailPlatforms.compactMap { platform in
            var platform = platform
            platform.hostNames = platform.hostNames.filter(mxHosts.contains)
            return platform.hostNames.isEmpty ? nil : platform
        }
        return slice
    }
}
