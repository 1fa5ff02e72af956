import Foundation

/// A process's answer to `GET /health`: healthy or not, the checks behind it, and its uptime.
/// Rendered as one line of JSON, e.g.
/// `{"checks":{"database":true},"status":"ok","uptime_seconds":12.5}`.
public struct Health: Sendable, Equatable {
    /// Each check by name (`database`, `coordinator`): whether it holds.
    public var checks: [String: Bool]
    /// Seconds since the process started serving.
    public var uptimeSeconds: Double

    public init(checks: [String: Bool], uptimeSeconds: Double) {
        self.checks = checks
        self.uptimeSeconds = uptimeSeconds
    }

    /// Healthy when every check holds.
    public var isHealthy: Bool { checks.values.allSatisfy { $0 } }

    /// The HTTP status: 200 when healthy, 503 when not.
    public var httpStatus: Int { isHealthy ? 200 : 503 }

    /// One line of JSON with sorted keys, uptime to a tenth of a second.
    public var json: String {
        let checks = self.checks.keys.sorted().map { "\"\(Self.escaped($0))\":\(self.checks[$0]! ? "true" : "false")" }
        let uptime = String(format: "%.1f", max(0, uptimeSeconds))
        return "{\"checks\":{\(checks.joined(separator: ","))},\"status\":\"\(isHealthy ? "ok" : "unhealthy")\",\"uptime_seconds\":\(uptime)}"
    }

    /// A check name as a JSON string's content (names are ours, but never trust that).
    private static func escaped(_ text: String) -> String {
        text.unicodeScalars.map { scalar -> String in
            switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case _ where scalar.value < 0x20: String(format: "\\u%04x", scalar.value)
            default: String(scalar)
            }
        }.joined()
    }
}
