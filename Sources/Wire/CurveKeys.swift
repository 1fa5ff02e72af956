import CZeroMQ
import Foundation

/// A CURVE key pair in Z85 text form (40 characters each).
public struct CurveKeyPair: Sendable, Hashable {
    public let publicKey: String
    public let secretKey: String

    public init(publicKey: String, secretKey: String) throws {
        guard CurveKeyPair.isValidKey(publicKey), CurveKeyPair.isValidKey(secretKey) else {
            throw CurveKeyError.malformed("a key is not 40 characters of Z85")
        }
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Makes a fresh key pair with libzmq (libsodium underneath).
    public static func generate() throws -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZMQError("zmq_curve_keypair") }
        return try CurveKeyPair(publicKey: String(nulTerminated: publicKey), secretKey: String(nulTerminated: secretKey))
    }

    /// True for a 40-character string that decodes as Z85 to 32 bytes.
    public static func isValidKey(_ key: String) -> Bool {
        guard key.utf8.count == 40 else { return false }
        var bytes = [UInt8](repeating: 0, count: 32)
        return key.withCString { zmq_z85_decode(&bytes, $0) } != nil
    }
}

/// Reading and writing Peil's key files.
///
/// A secret key file (`NAME.key`, mode 0600) holds `public-key = "…"` and `secret-key = "…"`;
/// a public key file (`NAME.pub`) holds only the public line. An allow-list file holds one
/// public key per line, optionally followed by a name; `#` starts a comment.
public enum CurveKeyFile {
    /// Writes `NAME.key` (the pair, mode 0600 from the moment it exists) and `NAME.pub` into
    /// `directory`, creating the folder when missing.
    /// - Throws: ``CurveKeyError/unwritable(_:_:)`` when `NAME.key` exists (a secret key is never
    ///   overwritten), is a symbolic link, or cannot be written.
    public static func write(_ pair: CurveKeyPair, name: String, directory: URL) throws -> (secret: URL, public: URL) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let secretURL = directory.appendingPathComponent("\(name).key")
        let publicURL = directory.appendingPathComponent("\(name).pub")
        let secretText = "# Peil CURVE secret key for \(name): keep private\npublic-key = \"\(pair.publicKey)\"\nsecret-key = \"\(pair.secretKey)\"\n"
        try SecretFile.create(at: secretURL.path, contents: Array(secretText.utf8))
        try "# Peil CURVE public key for \(name)\npublic-key = \"\(pair.publicKey)\"\n".write(to: publicURL, atomically: true, encoding: .utf8)
        return (secretURL, publicURL)
    }

    /// Reads a secret key file into a key pair.
    /// - Throws: ``CurveKeyError/exposed(_:mode:)`` when group or others may read or write the
    ///   file (as ssh does), so a leaked key is noticed instead of used.
    public static func readPair(_ url: URL) throws -> CurveKeyPair {
        let fields = try fields(of: SecretFile.read(at: url.path), path: url.path)
        guard let publicKey = fields["public-key"], let secretKey = fields["secret-key"] else {
            throw CurveKeyError.malformed("\(url.path) lacks public-key or secret-key")
        }
        return try CurveKeyPair(publicKey: publicKey, secretKey: secretKey)
    }

    /// Reads the public key from a `.pub` or `.key` file.
    public static func readPublicKey(_ url: URL) throws -> String {
        guard let key = try readFields(url)["public-key"], CurveKeyPair.isValidKey(key) else {
            throw CurveKeyError.malformed("\(url.path) has no valid public-key")
        }
        return key
    }

    /// Reads an allow-list: one Z85 public key per line, an optional name after it.
    /// Every bad line is named; none is skipped silently.
    public static func readAllowList(_ url: URL) throws -> [String: String] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw CurveKeyError.unreadable(url.path, "\(error)")
        }
        var keys: [String: String] = [:]
        var bad: [String] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // '#' is a Z85 character, so a comment is a word that starts with '#' and is not a key.
            let words = rawLine.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let key = words.first, !(key.hasPrefix("#") && !CurveKeyPair.isValidKey(key)) else { continue }
            guard CurveKeyPair.isValidKey(key) else {
                bad.append("line \(index + 1): '\(key)' is not a 40-character Z85 key")
                continue
            }
            let name = words.dropFirst().prefix { !$0.hasPrefix("#") }.joined(separator: " ")
            keys[key] = name.nonEmpty ?? "agent-\(key.prefix(8))"
        }
        guard bad.isEmpty else { throw CurveKeyError.malformed("\(url.path): " + bad.joined(separator: "; ")) }
        return keys
    }

    private static func readFields(_ url: URL) throws -> [String: String] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw CurveKeyError.unreadable(url.path, "\(error)")
        }
        return fields(of: text)
    }

    private static func fields(of bytes: [UInt8], path: String) throws -> [String: String] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CurveKeyError.malformed("\(path) is not UTF-8 text")
        }
        return fields(of: text)
    }

    private static func fields(of text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            let value = parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            fields[key] = value
        }
        return fields
    }
}

/// A key file that could not be read or did not hold what it should.
public enum CurveKeyError: Error, CustomStringConvertible, Sendable {
    case unreadable(String, String)
    case unwritable(String, String)
    case malformed(String)
    /// A secret key file that group or others may read or write: the path and its mode.
    case exposed(String, mode: UInt32)

    public var description: String {
        switch self {
        case .unreadable(let path, let why): "cannot read key file \(path): \(why)"
        case .unwritable(let path, let why): "cannot write key file \(path): \(why)"
        case .malformed(let why): "bad key file: \(why)"
        case .exposed(let path, let mode):
            "secret key file \(path) has mode \(String(format: "%04o", mode)), so group or others may read or write it: "
                + "refusing to use it (a key others could read may be known to them; make a new key pair, or if it was never exposed: chmod 600 \(path))"
        }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

extension String {
    /// Decodes a NUL-terminated C buffer.
    init(nulTerminated buffer: [CChar]) {
        self = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
