import Foundation
import PeilModel
import Store

/// `peil agents`' output, without I/O: every known agent with its families, concurrency,
/// version, registration and last contact, and whether it counts as connected (heard from
/// within `connectedWithin`; a connected coordinator writes each session's last contact every
/// ``CoordinatorConfiguration/refreshInterval``).
public struct AgentRoster: Sendable {
    /// One agent as listed.
    public struct Entry: Sendable, Hashable, Codable {
        public var id: String
        public var families: [AddressFamily]
        public var concurrency: Int
        public var version: String
        public var registeredAt: Date
        public var lastContactAt: Date
        public var secondsSinceContact: Double
        public var connected: Bool
    }

    public let entries: [Entry]

    public init(_ agents: [AgentRecord], connectedWithin: Duration) {
        let limit = Double(connectedWithin.components.seconds) + Double(connectedWithin.components.attoseconds) / 1e18
        entries = agents.sorted { $0.id < $1.id }.map {
            Entry(id: $0.id, families: $0.families.sorted(), concurrency: $0.concurrency, version: $0.version, registeredAt: $0.registeredAt,
                  lastContactAt: $0.lastSeenAt, secondsSinceContact: max(0, $0.silenceSeconds), connected: $0.silenceSeconds <= limit)
        }
    }

    /// A table: a header, one line per agent, columns padded to their widest cell; times in UTC.
    public var table: String {
        let header = ["AGENT", "STATE", "FAMILIES", "CONCURRENCY", "VERSION", "REGISTERED", "LAST CONTACT"]
        let rows = entries.map { entry in
            [entry.id, entry.connected ? "connected" : "gone", entry.families.map(\.rawValue).joined(separator: ","), "\(entry.concurrency)",
             entry.version, Self.utc(entry.registeredAt), "\(Self.utc(entry.lastContactAt)) (\(Self.ago(entry.secondsSinceContact)))"]
        }
        guard !rows.isEmpty else { return "no agents known yet\n" }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.indices.map { $0 == row.count - 1 ? row[$0] : row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// A JSON array of the entries, sorted keys, ISO 8601 times.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(entries), as: UTF8.self) + "\n"
    }

    static func utc(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate, .withSpaceBetweenDateAndTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date) + " UTC"
    }

    /// "4 s ago", "3 min ago", "2 h ago", "5 d ago".
    static func ago(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.down))
        switch whole {
        case ..<120: return "\(whole) s ago"
        case ..<7200: return "\(whole / 60) min ago"
        case ..<172_800: return "\(whole / 3600) h ago"
        default: return "\(whole / 86_400) d ago"
        }
    }
}
