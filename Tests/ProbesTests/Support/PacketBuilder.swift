@testable import Probes

/// Builds DNS messages in wire format by hand, for feeding the parser. Names are written
/// uncompressed unless a pointer is asked for.
struct PacketBuilder {
    private(set) var bytes: [UInt8] = []
    private var answerCount: UInt16 = 0

    /// A response header (QR set, RD/RA) with one question.
    init(id: UInt16 = 0x1234, rcode: UInt8 = 0, question: String, type: UInt16, authoritative: Bool = false) {
        bytes = Self.u16(id) + [0x81, 0x80 | rcode] + Self.u16(1) + Self.u16(0) + Self.u16(0) + Self.u16(0)
        if authoritative { bytes[2] |= 0x04 }
        bytes += Self.name(question) + Self.u16(type) + Self.u16(1)
    }

    /// Offset of the question name, for compression pointers.
    static let questionOffset = 12

    /// Appends an answer record; `owner` may be a full name or raw bytes (e.g. a pointer).
    mutating func answer(owner: [UInt8], type: UInt16, ttl: UInt32 = 300, rdata: [UInt8]) {
        bytes += owner + Self.u16(type) + Self.u16(1) + Self.u32(ttl) + Self.u16(UInt16(rdata.count)) + rdata
        answerCount += 1
        bytes[6] = UInt8(answerCount >> 8)
        bytes[7] = UInt8(answerCount & 0xFF)
    }

    mutating func answer(_ owner: String, type: UInt16, rdata: [UInt8]) {
        answer(owner: Self.name(owner), type: type, rdata: rdata)
    }

    /// A pointer to `offset`.
    static func pointer(_ offset: Int) -> [UInt8] { [0xC0 | UInt8(offset >> 8), UInt8(offset & 0xFF)] }

    static func name(_ text: String) -> [UInt8] {
        var result: [UInt8] = []
        for label in text.split(separator: ".") {
            result.append(UInt8(label.utf8.count))
            result += Array(label.utf8)
        }
        return result + [0]
    }

    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    static func u32(_ value: UInt32) -> [UInt8] { u16(UInt16(value >> 16)) + u16(UInt16(value & 0xFFFF)) }

    /// TXT rdata from character-strings.
    static func txt(_ strings: [[UInt8]]) -> [UInt8] {
        strings.flatMap { [UInt8($0.count)] + $0 }
    }

    static func txt(_ strings: String...) -> [UInt8] { txt(strings.map { Array($0.utf8) }) }
}
