import Checks
import Foundation
import PeilModel
import PeilTestSupport

/// What one scanner saw on one endpoint: the accepted versions and, per version, the accepted
/// cipher suites by IANA name; with what the run cost.
struct ScannerView: Equatable {
    var suites: [TLSVersion: Set<String>] = [:]
    var versions: Set<TLSVersion> { Set(suites.keys) }
    /// "1.2 (3), 1.3 (3)": versions with their number of suites.
    var summary: String {
        suites.keys.sorted().map { "\($0.displayName.split(separator: " ").last ?? "") (\(suites[$0]?.count ?? 0))" }.joined(separator: ", ")
    }

    /// Each difference as "version: only Peil … / only sslyze …", empty when equal.
    static func differences(peil: ScannerView, sslyze: ScannerView) -> [String] {
        TLSVersion.allCases.compactMap { version in
            let mine = peil.suites[version], theirs = sslyze.suites[version]
            guard mine != theirs else { return nil }
            func side(_ name: String, _ suites: Set<String>?, _ other: Set<String>?) -> String {
                guard let suites else { return "\(name) refused" }
                let only = suites.subtracting(other ?? []).sorted()
                return "only \(name) [\(only.joined(separator: " "))]"
            }
            return "\(version.displayName): " + side("Peil", mine, theirs) + ", " + side("sslyze", theirs, mine)
        }
    }
}

/// Child process figures: wall seconds and user plus system CPU seconds (`getrusage`
/// of the reaped children, so runs must not overlap).
struct RunCost {
    var wall: Double
    var cpu: Double

    static func measure<T>(_ body: () throws -> T) rethrows -> (T, RunCost) {
        let cpuBefore = childrenCPU(), started = Date()
        let value = try body()
        return (value, RunCost(wall: Date().timeIntervalSince(started), cpu: childrenCPU() - cpuBefore))
    }

    static func childrenCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

/// `peil scan --json` and sslyze's `--json_out`, read into ``ScannerView``s.
enum SslyzeScan {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static let repository = TestPaths.repository.path

    /// The sslyze executable, installed from PyPI by `ops/sslyze` (idempotent) when needed.
    static func executable() throws -> String {
        let output = try StandardClients.run([repository + "/ops/sslyze"], timeout: 600)
        let path = output.text.split(separator: "\n").last.map(String.init) ?? ""
        guard output.status == 0, path.hasSuffix("/sslyze"), FileManager.default.isExecutableFile(atPath: path) else {
            throw Failure(description: "sslyze (PyPI) could not be installed by ops/sslyze, so Peil cannot be compared with it:\n\(output.text)")
        }
        return path
    }

    /// Peil's view from `peil scan --json` (no versions when the scan did not complete), and its handshakes.
    static func peilView(_ json: String) throws -> (ScannerView, Int) {
        guard let start = json.firstIndex(of: "{") else { throw Failure(description: "peil scan printed no JSON: \(json)") }
        let result = try JSONDecoder().decode(TLSScanResult.self, from: Data(json[start...].utf8))
        var view = ScannerView()
        for entry in result.observation?.ciphers ?? [] {
            view.suites[entry.version] = Set(entry.ciphers.map { CipherSuiteRegistry.names[$0] ?? String(format: "0x%04X", $0) })
        }
        return (view, result.handshakes)
    }

    /// sslyze's view from its JSON file: per version scanned, the accepted suites' IANA names
    /// (versions with none accepted are refused). Nil with the reason when it could not connect.
    static func sslyzeView(_ file: URL) throws -> (ScannerView, String?) {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let report = try decoder.decode(Report.self, from: Data(contentsOf: file))
        guard let server = report.serverScanResults.first else { throw Failure(description: "sslyze scanned no server") }
        guard server.connectivityStatus == "COMPLETED", let results = server.scanResult else {
            let trace = server.connectivityErrorTrace?.split(separator: "\n").last.map(String.init)
            return (ScannerView(), trace ?? server.connectivityStatus)
        }
        var view = ScannerView()
        for (version, attempt) in results.byVersion {
            guard let attempt else { throw Failure(description: "sslyze did not run the \(version.displayName) suites") }
            guard attempt.status == "COMPLETED", let result = attempt.result else {
                throw Failure(description: "sslyze's \(version.displayName) scan: \(attempt.status) \(attempt.errorTrace ?? "")")
            }
            let names = Set(result.acceptedCipherSuites.map(\.cipherSuite.name))
            if !names.isEmpty { view.suites[version] = names }
        }
        return (view, nil)
    }

    // sslyze 6's JSON (`SslyzeOutputAsJson`, snake case), only what the comparison reads.
    struct Report: Decodable {
        var serverScanResults: [Server]
    }

    struct Server: Decodable {
        var connectivityStatus: String
        var connectivityErrorTrace: String?
        var scanResult: Results?
    }

    struct Results: Decodable {
        var ssl20CipherSuites: Attempt?
        var ssl30CipherSuites: Attempt?
        var tls10CipherSuites: Attempt?
        var tls11CipherSuites: Attempt?
        var tls12CipherSuites: Attempt?
        var tls13CipherSuites: Attempt?

        var byVersion: [(TLSVersion, Attempt?)] {
            [(.ssl2, ssl20CipherSuites), (.ssl3, ssl30CipherSuites), (.tls10, tls10CipherSuites),
             (.tls11, tls11CipherSuites), (.tls12, tls12CipherSuites), (.tls13, tls13CipherSuites)]
        }
    }

    struct Attempt: Decodable {
        var status: String
        var errorTrace: String?
        var result: Suites?
    }

    struct Suites: Decodable {
        var acceptedCipherSuites: [Accepted]
    }

    struct Accepted: Decodable {
        var cipherSuite: Suite
    }

    struct Suite: Decodable {
        var name: String
    }
}
