import Foundation
import PeilTestSupport

/// A real Prometheus (Debian's `prometheus`) for a test: its configuration and database in a
/// folder of its own, listening on 127.0.0.1 only (of the host, or of `namespace` when given),
/// scraping `targets` every second. Queried through its HTTP API with curl in the same
/// namespace, so every request stays on that loopback.
final class PrometheusServer {
    static let binary = "/usr/bin/prometheus"

    let namespace: String?
    let port: Int
    private let process: TestProcess
    private let folder: URL

    /// `targets`: job name → `host:port` of a `/metrics` endpoint.
    init(namespace: String?, port: Int, targets: [String: String], folder: URL) throws {
        self.namespace = namespace
        self.port = port
        self.folder = folder
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        let jobs = targets.keys.sorted().map { job in
            "  - job_name: \(job)\n    static_configs:\n      - targets: ['\(targets[job]!)']\n"
        }.joined()
        let configuration = folder.appendingPathComponent("prometheus.yml")
        try "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n\(jobs)"
            .write(to: configuration, atomically: true, encoding: .utf8)
        let arguments = [
            "--config.file=\(configuration.path)", "--storage.tsdb.path=\(folder.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ]
        let log = folder.appendingPathComponent("prometheus.log").path
        if let namespace {
            process = try TestProcess("/usr/sbin/ip", ["netns", "exec", namespace, Self.binary] + arguments, log: log, directory: folder.path)
        } else {
            process = try TestProcess(Self.binary, arguments, log: log, directory: folder.path)
        }
    }

    var log: String { process.output }

    /// SIGTERM (Prometheus flushes and exits), SIGKILL after 10 s.
    func stop() {
        process.stop(grace: .seconds(10))
    }

    /// The value of an instant `query` (PromQL) with a single-number answer; nil when the
    /// answer is empty (no such series yet) or Prometheus does not answer.
    func value(_ query: String) throws -> Double? {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        let url = "http://127.0.0.1:\(port)/api/v1/query?query=\(encoded)"
        let curl = ["/usr/bin/curl", "-s", "--max-time", "5", url]
        let result = try namespace.map { try TestProcess.run("/usr/sbin/ip", ["netns", "exec", $0] + curl, timeout: .seconds(10)) }
            ?? TestProcess.run(curl[0], Array(curl.dropFirst()), timeout: .seconds(10))
        guard result.status == 0,
              let answer = try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
              answer["status"] as? String == "success",
              let data = answer["data"] as? [String: Any],
              let series = data["result"] as? [[String: Any]], let first = series.first,
              let sample = first["value"] as? [Any], sample.count == 2, let text = sample[1] as? String
        else { return nil }
        return Double(text)
    }

    /// `GET http://address/path` with curl in `namespace` (nil: the host): status and body.
    static func get(_ url: String, namespace: String?) throws -> (status: Int, body: String) {
        let curl = ["/usr/bin/curl", "-s", "--max-time", "5", "-w", "\n%{http_code}", url]
        let result = try namespace.map { try TestProcess.run("/usr/sbin/ip", ["netns", "exec", $0] + curl, timeout: .seconds(10)) }
            ?? TestProcess.run(curl[0], Array(curl.dropFirst()), timeout: .seconds(10))
        let lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// A TCP port free on the host's loopback now (the kernel's pick for port 0).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw IntegrationError("no socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw IntegrationError("cannot bind a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
