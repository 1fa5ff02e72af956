import Foundation
import PeilModel

/// A connect task's target as a claim reads it back (`tasks.target::text`).
///
/// PostgreSQL prints a stored `jsonb` target as one flat object of three strings,
/// `{"host": "…", "family": "…", "address": "…"}`. Foundation's `JSONDecoder` took about a
/// seventh of the coordinator's process to read them at full ingest (docs/SCALE.md, "Session
/// 32"): it builds a dictionary of every object. This reads that shape in place and hands
/// anything else (an escape, another key, a key twice, a value that is no string, an unknown
/// family, text that is no JSON) to `JSONDecoder`, so the value or the error is always the one
/// `JSONDecoder` gives (`StoredTargetTests` compares the two).
enum StoredTarget {
    static func decode(_ text: String) throws -> ConnectTarget {
        if let target = flatObject(text) { return target }
        return try JSONDecoder().decode(ConnectTarget.self, from: Data(text.utf8))
    }

    /// The target when `text` is a flat object of exactly the keys `address`, `family` and
    /// `host`, each once, with string values without escapes; nil otherwise.
    static func flatObject(_ text: String) -> ConnectTarget? {
        var text = text
        return text.withUTF8 { bytes -> ConnectTarget? in
            var reader = FlatObjectReader(bytes: bytes)
            return reader.target()
        }
    }
}

/// Steps through a flat JSON object of string members; any byte it does not expect ends the read.
private struct FlatObjectReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func target() -> ConnectTarget? {
        var address: String?, family: AddressFamily?, host: String?
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return nil }
        repeat {
            skipSpace()
            guard let key = string() else { return nil }
            skipSpace()
            guard take(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            guard let value = string() else { return nil }
            switch key {
            case "address" where address == nil: address = value
            case "family" where family == nil:
                guard let known = AddressFamily(rawValue: value) else { return nil }
                family = known
            case "host" where host == nil: host = value
            default: return nil
            }
            skipSpace()
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")) else { return nil }
        skipSpace()
        guard at == bytes.count, let address, let family, let host else { return nil }
        return ConnectTarget(address: address, family: family, host: host)
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    private mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x09, 0x0A, 0x0D: at += 1
            default: return
            }
        }
    }

    /// A string without escapes or control characters (which JSON forbids unescaped).
    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = at
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                at += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(at - 1)]), as: UTF8.self)
            }
            guard byte != UInt8(ascii: "\\"), byte >= 0x20 else { return nil }
            at += 1
        }
        return nil
    }
}
