/// Why a DNS message could not be read. The message is untrusted input, so every read is bounded.
public struct DNSWireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a small closed set.
    public enum Code: String, Sendable, Hashable {
        /// The message ends before a field it announces.
        case truncated
        /// A compression pointer points forward, to itself, or loops.
        case badPointer
        /// A name longer than 255 octets, or a label type other than a plain label.
        case badName
        /// Record data whose length does not fit its type.
        case badRData
    }

    public var code: Code
    /// Offset in the message where the problem was found.
    public var offset: Int

    public var description: String { "DNS message unreadable: \(code.rawValue) at offset \(offset)" }
}

/// A cursor over a DNS message in wire format (RFC 1035 §4), reading big-endian fields and
/// (compressed) names. Reads never go past `limit`; names may point back anywhere in the message.
struct WireReader {
    let message: [UInt8]
    private(set) var position: Int
    let limit: Int

    init(message: [UInt8], position: Int = 0, limit: Int? = nil) {
        self.message = message
        self.position = position
        self.limit = min(limit ?? message.count, message.count)
    }

    var remaining: Int { limit - position }

    mutating func u8() throws(DNSWireError) -> UInt8 {
        guard position < limit else { throw DNSWireError(code: .truncated, offset: position) }
        defer { position += 1 }
        return message[position]
    }

    mutating func u16() throws(DNSWireError) -> UInt16 {
        let high = try u8()
        return UInt16(high) << 8 | UInt16(try u8())
    }

    mutating func u32() throws(DNSWireError) -> UInt32 {
        let high = try u16()
        return UInt32(high) << 16 | UInt32(try u16())
    }

    mutating func bytes(_ count: Int) throws(DNSWireError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw DNSWireError(code: .truncated, offset: position) }
        defer { position += count }
        return message[position..<position + count]
    }

    mutating func skip(_ count: Int) throws(DNSWireError) {
        _ = try bytes(count)
    }

    /// Reads a name, following compression pointers strictly backwards, and returns its labels.
    mutating func nameLabels() throws(DNSWireError) -> [ArraySlice<UInt8>] {
        var labels: [ArraySlice<UInt8>] = []
        var wireLength = 1
        var cursor = position
        var jumped = false
        // Every pointer must go strictly below the lowest offset read so far, so the loop ends.
        var lowestOffset = position
        while true {
            let inPlace = !jumped
            guard cursor < (inPlace ? limit : message.count) else {
                throw DNSWireError(code: .truncated, offset: cursor)
            }
            let length = message[cursor]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    if inPlace { position = cursor + 1 }
                    return labels
                }
                let start = cursor + 1, end = start + Int(length)
                guard end <= (inPlace ? limit : message.count) else {
                    throw DNSWireError(code: .truncated, offset: cursor)
                }
                wireLength += Int(length) + 1
                guard wireLength <= 255 else { throw DNSWireError(code: .badName, offset: cursor) }
                labels.append(message[start..<end])
                cursor = end
            case 0xC0:
                guard cursor + 1 < (inPlace ? limit : message.count) else {
                    throw DNSWireError(code: .truncated, offset: cursor)
                }
                let target = Int(length & 0x3F) << 8 | Int(message[cursor + 1])
                guard target < lowestOffset else { throw DNSWireError(code: .badPointer, offset: cursor) }
                if inPlace { position = cursor + 2 }
                jumped = true
                lowestOffset = target
                cursor = target
            default:
                throw DNSWireError(code: .badName, offset: cursor)
            }
        }
    }

    /// Reads a name in presentation form (see ``DNSPresentation/name(_:)``).
    mutating func name() throws(DNSWireError) -> String {
        DNSPresentation.name(try nameLabels())
    }
}
