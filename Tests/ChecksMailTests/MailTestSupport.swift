import Checks
import Foundation
import PeilTestSupport

/// `shared/vectors` (see ``TestPaths``).
enum Vectors {
    static let folder = TestPaths.vectors

    static func text(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }
}

/// An in-memory zone in the pyspf test driver's manner: per name a list of records of any type
/// and TIMEOUT markers. A TIMEOUT before any record of the asked type is a timeout; after one,
/// the answer ends there. A missing name is NXDOMAIN (a name under `error.` times out). CNAMEs
/// are followed, a loop fails.
struct MemoryZone: MailResolver {
    enum Entry: Sendable, Hashable {
        case record(type: String, value: String)
        case timeout
    }

    var names: [String: [Entry]]

    init(_ names: [String: [Entry]] = [:]) {
        self.names = Dictionary(names.map { (Self.key($0.key), $0.value) }, uniquingKeysWith: +)
    }

    /// A zone from `name: [(type, value)]` pairs, for hand-written tests.
    init(records: [String: [(String, String)]]) {
        self.init(records.mapValues { $0.map { Entry.record(type: $0.0, value: $0.1) } })
    }

    static func key(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }

    func lookup(_ name: String, _ type: MailRecordType) async -> MailDNSAnswer {
        answer(Self.key(name), type.rawValue, depth: 0)
    }

    private func answer(_ name: String, _ type: String, depth: Int) -> MailDNSAnswer {
        guard depth < 8 else { return .failure("CNAME loop") }
        guard let entries = names[name] else {
            return name.hasPrefix("error.") ? .failure("timeout") : .nxdomain
        }
        var found: [String] = []
        var seen = false
        for entry in entries {
            switch entry {
            case .timeout:
                if !seen { return .failure("timeout") }
                return .records(found)
            case .record(let recordType, let value):
                if recordType == type {
                    seen = true
                    found.append(value)
                } else if recordType == "CNAME", type != "CNAME" {
                    return answer(Self.key(value), type, depth: depth + 1)
                }
            }
        }
        return .records(found)
    }
}
