import Foundation
import PeilModel

/// Writes the bodies of the messages a coordinator sends most (TASKS, ACK, READY) as JSON
/// without `JSONEncoder`, which costs a dictionary and a boxed value per member: 2.9 % of all
/// CPU samples of a twin ingest run (docs/SCALE.md, session 26). The text is what
/// `JSONEncoder` writes up to member order and the escaping of `/` (`WireBodyWriterTests`
/// decode both with both decoders).
struct WireBodyWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    var data: Data { Data(bytes) }

    mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func integer(_ value: some BinaryInteger) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// `text` as a JSON string: `"` and `\` escaped, control characters as `\u00XX` (or their
    /// short escapes), everything else as its UTF-8.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw(#"\""#)
            case UInt8(ascii: "\\"): raw(#"\\"#)
            case 0x0A: raw(#"\n"#)
            case 0x0D: raw(#"\r"#)
            case 0x09: raw(#"\t"#)
            case 0x08: raw(#"\b"#)
            case 0x0C: raw(#"\f"#)
            case 0x00..<0x20:
                raw(#"\u00"#)
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A TASKS body: the assignments as `[TaskAssignment]` encodes them (a nil family or target left out).
    static func tasks(_ tasks: [TaskAssignment]) -> Data {
        var writer = WireBodyWriter(capacity: 64 + tasks.count * 256)
        writer.raw("[")
        for (index, task) in tasks.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.raw(#"{"taskID":"#)
            writer.integer(task.taskID)
            writer.raw(#","attempt":"#)
            writer.integer(task.attempt)
            writer.raw(#","measurementID":"#)
            writer.integer(task.measurementID)
            writer.raw(#","kind":"#)
            writer.string(task.kind.rawValue)
            writer.raw(#","domain":"#)
            writer.string(task.domain)
            writer.raw(#","webHost":"#)
            writer.string(task.webHost)
            if let family = task.family {
                writer.raw(#","family":"#)
                writer.string(family.rawValue)
            }
            if let target = task.target {
                writer.raw(#","target":{"address":"#)
                writer.string(target.address)
                writer.raw(#","family":"#)
                writer.string(target.family.rawValue)
                writer.raw(#","host":"#)
                writer.string(target.host)
                writer.raw("}")
            }
            writer.raw(#","freeAttempts":"#)
            writer.integer(task.freeAttempts)
            writer.raw("}")
        }
        writer.raw("]")
        return writer.data
    }

    /// An ACK body.
    static func ack(taskID: Int64, attempt: Int) -> Data {
        var writer = WireBodyWriter()
        writer.raw(#"{"taskID":"#)
        writer.integer(taskID)
        writer.raw(#","attempt":"#)
        writer.integer(attempt)
        writer.raw("}")
        return writer.data
    }

    /// An ACKS body: `{"acks":[{"taskID":…,"attempt":…},…]}`.
    static func acks(_ acks: [WireMessage.Acknowledgement]) -> Data {
        var writer = WireBodyWriter()
        writer.raw(#"{"acks":["#)
        for (index, ack) in acks.enumerated() {
            writer.raw(index == 0 ? #"{"taskID":"# : #",{"taskID":"#)
            writer.integer(ack.taskID)
            writer.raw(#","attempt":"#)
            writer.integer(ack.attempt)
            writer.raw("}")
        }
        writer.raw("]}")
        return writer.data
    }

    /// A READY body.
    static func ready(credits: Int) -> Data {
        var writer = WireBodyWriter()
        writer.raw(#"{"credits":"#)
        writer.integer(credits)
        writer.raw("}")
        return writer.data
    }
}
