import PeilModel
import Synchronization

/// A ``MailResolver`` that answers from the raw queries of a stored resolution, so mail
/// verdicts can be re-derived (under any rule set) without probing again.
///
/// Answers follow the response code, as ``MailResolver`` expects from a live resolver:
/// NOERROR → the records, NXDOMAIN → `.nxdomain`, anything else → `.failure`. A question the
/// resolution never asked is a `.failure("not asked")` and is remembered in ``missing``: the
/// follow-up planner asks exactly those next.
public final class StoredMailResolver: MailResolver {
    private let answers: [String: DNSQueryRecord]
    private let misses = Mutex<[String]>([])

    public init(_ queries: [DNSQueryRecord]) {
        var index: [String: DNSQueryRecord] = [:]
        for query in queries { index[Self.key(query.name, query.type)] = query }
        answers = index
    }

    /// The stored answer to (name, type), or nil when it was not asked.
    public func record(_ name: String, _ type: MailRecordType) -> DNSQueryRecord? {
        answers[Self.key(name, type.rawValue)]
    }

    public func lookup(_ name: String, _ type: MailRecordType) async -> MailDNSAnswer {
        answer(name, type)
    }

    /// The same as ``lookup(_:_:)``, synchronously.
    public func answer(_ name: String, _ type: MailRecordType) -> MailDNSAnswer {
        guard let record = record(name, type) else {
            let key = Self.key(name, type.rawValue)
            misses.withLock { if !$0.contains(key) { $0.append(key) } }
            return .failure("not asked")
        }
        return MailDNSAnswer(record)
    }

    /// TXT names asked of this resolver that the stored resolution does not hold, in order.
    public var missingTXT: [String] {
        misses.withLock { $0 }.compactMap { $0.hasSuffix(" TXT") ? String($0.dropLast(4)) : nil }
    }

    private static func key(_ name: String, _ type: String) -> String {
        let lower = name.lowercased()
        return (lower.hasSuffix(".") ? String(lower.dropLast()) : lower) + " " + type.uppercased()
    }
}
