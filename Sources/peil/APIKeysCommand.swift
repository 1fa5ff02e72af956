import ArgumentParser
import Foundation
import Serve
import Store

/// `peil keys api NAME --role read|analyst|admin [--tag NAME=VALUE]`: a new API key for `peil serve`.
struct APIKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Make an API key for peil serve; prints its secret once (only its SHA-256 is stored).",
        discussion: """
            Roles: read (reads only), analyst (also imports sets, starts, cancels and rescans measurements, \
            records explanations), admin. --tag agency=Rijkswaterstaat limits the key to the domains a set gives \
            that tag value: it sees nothing of other organisations, and may not import sets or start measurements.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The key's name (letters, digits, '.', '_', '-').")
    var name: String

    @Option(help: "read, analyst or admin.")
    var role: String

    @Option(help: "Limit the key to one organisation's domains: TAG=VALUE.")
    var tag: String?

    func validate() throws {
        guard APIRole(rawValue: role) != nil else { throw ValidationError("--role is read, analyst or admin") }
        if let tag, TagLimit(parsing: tag) == nil { throw ValidationError("--tag is TAG=VALUE, not '\(tag)'") }
    }

    func run() throws {
        let secret = APISecret.generate()
        do {
            let key = try database.open().createAPIKey(name: name, role: APIRole(rawValue: role) ?? .read,
                                                       tag: tag.flatMap(TagLimit.init(parsing:)), secretSHA256: APISecret.sha256(secret))
            FileHandle.standardError.write(Data("API key \(key.name) (\(key.role.rawValue)\(key.tag.map { ", limited to \($0)" } ?? "")); the secret is shown only now:\n".utf8))
            print(secret)
        } catch let error as APIKeyError {
            throw ValidationError(error.description)
        }
    }
}

/// `peil keys api-revoke NAME`.
struct APIKeyRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api-revoke", abstract: "Revoke an API key: it is refused from the next request on.")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The key's name.")
    var name: String

    func run() throws {
        do {
            let key = try database.open().revokeAPIKey(name: name)
            print("revoked \(key.name)")
        } catch let error as APIKeyError {
            throw ValidationError(error.description)
        }
    }
}

/// `peil keys api-list`.
struct APIKeyListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api-list", abstract: "List the API keys, revoked ones too.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let keys = try database.open().apiKeys()
        if keys.isEmpty { print("no API keys; make one with 'peil keys api NAME --role read'") }
        let formatter = ISO8601DateFormatter()
        for key in keys {
            let state = key.revokedAt.map { "revoked \(formatter.string(from: $0))" } ?? "active"
            print("\(key.name)  \(key.role.rawValue)  \(key.tag.map { "tag \($0)" } ?? "all domains")  created \(formatter.string(from: key.createdAt))  \(state)")
        }
    }
}
