import ArgumentParser
import Foundation
import Wire

/// `peil keys NAME`: CURVE key pairs for a coordinator and its agents; `peil keys api …`: API keys.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make a CURVE key pair (peil keys NAME), or manage API keys (peil keys api, api-revoke, api-list).",
        subcommands: [CurveKeysCommand.self, APIKeyCommand.self, APIKeyRevokeCommand.self, APIKeyListCommand.self],
        defaultSubcommand: CurveKeysCommand.self
    )
}

/// `peil keys NAME`: make a CURVE key pair.
struct CurveKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curve",
        abstract: "Make a CURVE key pair: NAME.key (secret, mode 0600) and NAME.pub.",
        discussion: """
            Give the coordinator's NAME.pub to agents (--coordinator-key); put each agent's \
            public key, one per line with its name, in the coordinator's allow-list (--allow).
            """
    )

    @Argument(help: "Name of the key pair, e.g. coordinator or agent-v6-1.")
    var name: String

    @Option(help: "Folder to write the key files into.")
    var out: String = "."

    @Flag(help: "Also append '<public key> <name>' to this allow-list file.")
    var appendAllow = false

    @Option(help: "Allow-list file used with --append-allow.")
    var allowList: String = "agents.allow"

    func validate() throws {
        guard name.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"#, options: .regularExpression) != nil else {
            throw ValidationError("name '\(name)' must be letters, digits, '.', '_' or '-' (at most 64)")
        }
    }

    func run() throws {
        let directory = URL(fileURLWithPath: out)
        let secret = directory.appendingPathComponent("\(name).key")
        guard !FileManager.default.fileExists(atPath: secret.path) else {
            throw ValidationError("\(secret.path) exists; not overwriting a secret key")
        }
        let pair = try CurveKeyPair.generate()
        let files = try CurveKeyFile.write(pair, name: name, directory: directory)
        print("secret key: \(files.secret.path)")
        print("public key: \(files.public.path)  \(pair.publicKey)")
        if appendAllow {
            let line = "\(pair.publicKey) \(name)\n"
            let url = URL(fileURLWithPath: allowList)
            if let handle = try? FileHandle(forWritingTo: url) {
                defer { try? handle.close() }
                try handle.seekToEnd()
                try handle.write(contentsOf: Data(line.utf8))
            } else {
                try line.write(to: url, atomically: true, encoding: .utf8)
            }
            print("allow-listed in \(url.path)")
        }
    }
}
