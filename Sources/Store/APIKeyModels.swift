import Foundation

/// What an API key may do: `read` reads, `analyst` also starts measurements, rescans and
/// imports and records explanations, `admin` may do everything. Ordered by power.
public enum APIRole: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case read, analyst, admin

    public static func < (lhs: APIRole, rhs: APIRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A key's limit to one organisation's domains: those a set gives tag `name` with `value`
/// (`agency=Rijkswaterstaat`; the tag name normalised as ``PeilModel/SetTags/name(_:)`` does).
public struct TagLimit: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// `NAME=VALUE` as `peil keys api --tag` takes it; nil when either side is empty.
    public init?(parsing text: String) {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let value = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        let rawName = text[..<equals].lowercased()
        var name = ""
        var separator = false
        for character in rawName {
            if character.isASCII && (character.isLetter || character.isNumber) {
                if separator && !name.isEmpty { name.append("_") }
                separator = false
                name.append(character)
            } else {
                separator = true
            }
        }
        guard !name.isEmpty, !value.isEmpty else { return nil }
        self.init(name: name, value: value)
    }

    public var description: String { "\(name)=\(value)" }
}

/// An API key as stored: never its secret, only the secret's SHA-256.
public struct APIKey: Sendable, Hashable, Codable {
    public var id: Int64
    public var name: String
    public var role: APIRole
    /// Limited to one organisation's domains; nil sees every domain.
    public var tag: TagLimit?
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: Int64, name: String, role: APIRole, tag: TagLimit?, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.name = name
        self.role = role
        self.tag = tag
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// One write through the API: who, what, when, and how it was answered.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var keyName: String
    public var method: String
    public var path: String
    /// The object the write named (a set, a measurement id), when it named one.
    public var target: String?
    public var status: Int
    public var at: Date

    public init(keyName: String, method: String, path: String, target: String?, status: Int, at: Date) {
        self.keyName = keyName
        self.method = method
        self.path = path
        self.target = target
        self.status = status
        self.at = at
    }
}

/// Why an API key could not be made or revoked.
public enum APIKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    case badName(String)
    case nameTaken(String)
    case unknownKey(String)
    case badSecretHash

    public var description: String {
        switch self {
        case .badName(let name): "key name '\(name)' must be letters, digits, '.', '_' or '-' (at most 64)"
        case .nameTaken(let name): "an active key is named '\(name)'; revoke it first or choose another name"
        case .unknownKey(let name): "there is no active key named '\(name)' (see peil keys api-list)"
        case .badSecretHash: "a key's secret hash is 64 lowercase hex digits (SHA-256)"
        }
    }
}
