import Foundation
import PeilModel

/// The seed data the twin is generated from (`../shared/data`): the primary set's web and mail
/// rows (the March 2021 statuses) and the broad list.
public struct TwinSeedData: Sendable {
    /// One primary row: the domain it belongs to, its layer, and its status columns.
    public struct Row: Sendable, Hashable {
        public var host: String
        public var layer: String
        public var statuses: [String: Status]
    }

    /// Primary web rows by domain (the bare domain of `www.<domain>`, else the host itself).
    public var web: [String: Row]
    /// Primary mail rows by domain.
    public var mail: [String: Row]
    /// The broad list, as `SeedList` parses it.
    public var broad: [SetEntry]

    public init(web: [String: Row], mail: [String: Row], broad: [SetEntry]) {
        self.web = web
        self.mail = mail
        self.broad = broad
    }

    /// Reads `primary-2021-03/{web,mail}.csv` and `broad-2021-03/domains.csv` under `directory`.
    public static func load(from directory: URL) throws -> TwinSeedData {
        func text(_ path: String) throws -> String {
            try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
        }
        let web = try rows(text("primary-2021-03/web.csv"), file: "web.csv")
        let mail = try rows(text("primary-2021-03/mail.csv"), file: "mail.csv")
        let broad = try SeedList.parse(text("broad-2021-03/domains.csv"), fileName: "domains.csv")
        return TwinSeedData(web: web, mail: mail, broad: broad)
    }

    /// The primary CSV's rows by domain; names are checked with `SeedList`, statuses read by column.
    static func rows(_ text: String, file: String) throws -> [String: Row] {
        let entries = try SeedList.parse(text, fileName: file)
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        var byHost: [String: Row] = [:]
        for (index, line) in lines.enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == header.count else { continue }
            let host = try DomainName(parsing: fields[0]).value
            var statuses: [String: Status] = [:]
            for (column, value) in zip(header, fields).dropFirst(3) {
                guard let status = Status(rawValue: value) else {
                    throw SeedListError(problems: [.init(file: file, line: index + 1, why: "\(column): '\(value)' is not a status word")])
                }
                statuses[column] = status
            }
            byHost[host] = Row(host: host, layer: fields[1].lowercased(), statuses: statuses)
        }
        var result: [String: Row] = [:]
        for entry in entries {
            let host = entry.webHost?.value ?? entry.domain.value
            if let row = byHost[host] { result[entry.domain.value] = row }
        }
        return result
    }
}

/// The twin's draws: ``SplitMix64``, so a seed gives the same twin on every platform, with the
/// shapes of draw the generator needs.
struct TwinRandom: RandomNumberGenerator {
    private var source: SplitMix64

    init(seed: UInt64) { source = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { source.next() }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }

    /// One of `items`, uniformly.
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    /// One key of `weights`, with probability proportional to its weight (keys in the order given).
    mutating func weighted<Key>(_ weights: [(Key, Double)]) -> Key {
        let total = weights.reduce(0) { $0 + $1.1 }
        var point = Double(next() >> 11) / Double(1 << 53) * total
        for (key, weight) in weights {
            if point < weight { return key }
            point -= weight
        }
        return weights.last!.0
    }
}
