import Foundation

/// One validated ROA payload (VRP): an origin AS may announce `prefix` and more specifics of it
/// up to `maxLength` (RFC 6482, RFC 6811).
public struct ValidatedROA: Codable, Sendable, Hashable {
    public var prefix: IPNetwork
    public var maxLength: Int
    public var asn: UInt32
    /// The trust anchor it came from ("ripe", "lab"); "" when the file does not say.
    public var trustAnchor: String

    public init(prefix: IPNetwork, maxLength: Int, asn: UInt32, trustAnchor: String = "") {
        self.prefix = prefix
        self.maxLength = maxLength
        self.asn = asn
        self.trustAnchor = trustAnchor
    }
}

/// One route as a BGP table shows it: a prefix and the AS that originates it.
public struct OriginRoute: Codable, Sendable, Hashable {
    public var prefix: IPNetwork
    public var origin: UInt32

    public init(prefix: IPNetwork, origin: UInt32) {
        self.prefix = prefix
        self.origin = origin
    }

    /// Longer prefixes first; of one length, the lower origin AS first.
    public static func mostSpecificFirst(_ left: OriginRoute, _ right: OriginRoute) -> Bool {
        (left.prefix.prefixLength, right.origin) > (right.prefix.prefixLength, left.origin)
    }
}

/// What route origin validation needs, taken at one moment: the validated ROAs a relying party
/// (rpki-client, Routinator) exported, and the routes that cover the measured addresses. Kept
/// with a measurement, so that a report of it is judged on the routing of its day.
///
/// Looked up through prefix tables built once: what covers an address costs a few hash lookups,
/// not a pass over every ROA and route.
public struct RPKISnapshot: Codable, Sendable, Hashable {
    public let roas: [ValidatedROA]
    public let routes: [OriginRoute]
    private let roaTable: PrefixTable<ValidatedROA>
    private let routeTable: PrefixTable<OriginRoute>

    public init(roas: [ValidatedROA], routes: [OriginRoute]) {
        self.roas = roas
        self.routes = routes
        roaTable = PrefixTable(roas.lazy.map { (network: $0.prefix, element: $0) })
        routeTable = PrefixTable(routes.lazy.map { (network: $0.prefix, element: $0) })
    }

    /// The ROAs whose prefix contains `network` (RFC 6811's covering ROAs of a route).
    public func roas(covering network: IPNetwork) -> [ValidatedROA] {
        roaTable.containing(network)
    }

    /// The routes that contain `address` (4 or 16 octets), most specific first.
    public func routes(containing address: [UInt8]) -> [OriginRoute] {
        routeTable.containing(address: address).sorted(by: OriginRoute.mostSpecificFirst)
    }

    private enum CodingKeys: String, CodingKey { case roas, routes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(roas: try container.decode([ValidatedROA].self, forKey: .roas),
                  routes: try container.decode([OriginRoute].self, forKey: .routes))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(roas, forKey: .roas)
        try container.encode(routes, forKey: .routes)
    }

    public static func == (left: RPKISnapshot, right: RPKISnapshot) -> Bool {
        left.roas == right.roas && left.routes == right.routes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(roas)
        hasher.combine(routes)
    }
}

/// Why an RPKI input file could not be read; `line` or `entry` counts from 1.
public enum RPKIInputError: Error, Equatable, CustomStringConvertible {
    case notJSON(String)
    case noROAList
    case badROA(entry: Int, reason: String)
    case badRoute(line: Int, reason: String)

    public var description: String {
        switch self {
        case .notJSON(let why): "the ROA file is not JSON: \(why)"
        case .noROAList: "the ROA file has no \"roas\" list (expected rpki-client's or Routinator's JSON export)"
        case .badROA(let entry, let reason): "ROA \(entry): \(reason)"
        case .badRoute(let line, let reason): "origin table line \(line): \(reason)"
        }
    }
}

extension RPKISnapshot {
    /// The validated ROAs of a relying party's JSON export: `{"roas": [{"asn", "prefix",
    /// "maxLength", "ta"}]}`, as rpki-client (`-j`, asn a number) and Routinator (`--format
    /// json`, asn "AS64496") write it; other keys are ignored. Every entry must be valid, or
    /// nothing is read.
    public static func parseROAs(_ data: Data) throws -> [ValidatedROA] {
        let export: RelyingPartyExport
        do {
            export = try JSONDecoder().decode(RelyingPartyExport.self, from: data)
        } catch DecodingError.keyNotFound(let key, let context) where context.codingPath.isEmpty && key.stringValue == "roas" {
            throw RPKIInputError.noROAList
        } catch let error as DecodingError {
            throw RPKIInputError.notJSON(Self.describe(error))
        }
        return try export.roas.enumerated().map { index, entry in
            let number = index + 1
            guard entry.prefix.contains("/"), let prefix = IPNetwork(entry.prefix) else {
                throw RPKIInputError.badROA(entry: number, reason: "\(entry.prefix) is not a prefix in CIDR form")
            }
            guard let asn = asNumber(entry.asn) else { throw RPKIInputError.badROA(entry: number, reason: "\(entry.asn) is not an AS number") }
            let bits = prefix.isIPv6 ? 128 : 32
            let maxLength = entry.maxLength ?? prefix.prefixLength
            guard maxLength >= prefix.prefixLength, maxLength <= bits else {
                throw RPKIInputError.badROA(entry: number, reason: "maxLength \(maxLength) outside \(prefix.prefixLength)–\(bits)")
            }
            return ValidatedROA(prefix: prefix, maxLength: maxLength, asn: asn, trustAnchor: entry.ta ?? "")
        }
    }

    /// An origin table: one route per line, `PREFIX ORIGIN` (the origin as `64496` or
    /// `AS64496`), separated by spaces, tabs, `,` or `|`; `#` starts a comment. Every line must
    /// be valid, or nothing is read.
    public static func parseRoutes(_ text: String) throws -> [OriginRoute] {
        var routes: [OriginRoute] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let fields = line.split(whereSeparator: { " \t,|\r".contains($0) }).map(String.init)
            if fields.isEmpty { continue }
            guard fields.count == 2 else { throw RPKIInputError.badRoute(line: index + 1, reason: "expected PREFIX ORIGIN, found \(fields.count) fields") }
            guard fields[0].contains("/"), let prefix = IPNetwork(fields[0]) else {
                throw RPKIInputError.badRoute(line: index + 1, reason: "\(fields[0]) is not a prefix in CIDR form")
            }
            guard let origin = asNumber(fields[1]) else { throw RPKIInputError.badRoute(line: index + 1, reason: "\(fields[1]) is not an AS number") }
            routes.append(OriginRoute(prefix: prefix, origin: origin))
        }
        return routes
    }

    /// `64496` or `AS64496` (any case); nil for anything else or past 32 bits.
    static func asNumber(_ text: String) -> UInt32? {
        var digits = Substring(text)
        if digits.lowercased().hasPrefix("as") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt32(digits)
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context): context.underlyingError.map { "\($0)" } ?? context.debugDescription
        case .keyNotFound(let key, let context): "\(path(context)) has no \"\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context): "\(path(context)): \(context.debugDescription)"
        @unknown default: "\(error)"
        }
    }

    static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map { "[\($0 + 1)]" } ?? $0.stringValue }.joined(separator: " ")
    }
}

/// The part of a relying party's JSON export Peil reads.
struct RelyingPartyExport: Decodable {
    struct Entry: Decodable {
        var prefix: String
        /// A number (rpki-client) or "AS64496" (Routinator), kept as text.
        var asn: String
        var maxLength: Int?
        var ta: String?

        enum CodingKeys: String, CodingKey { case prefix, asn, maxLength, ta }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            prefix = try container.decode(String.self, forKey: .prefix)
            if let number = try? container.decode(UInt64.self, forKey: .asn) {
                asn = String(number)
            } else {
                asn = try container.decode(String.self, forKey: .asn)
            }
            maxLength = try container.decodeIfPresent(Int.self, forKey: .maxLength)
            ta = try container.decodeIfPresent(String.self, forKey: .ta)
        }
    }

    var roas: [Entry]
}
