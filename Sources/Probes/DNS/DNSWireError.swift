/// Why a DNS message could not be read: ldns's refusal (see ``LDNSWireMessage``) or a record
/// whose data does not fit its type.
public struct DNSWireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a small closed set.
    public enum Code: String, Sendable, Hashable {
        /// The message ends before a field it announces.
        case truncated
        /// A compression pointer points to offset 0 or outside the message, or pointers loop.
        case badPointer
        /// A name longer than 255 octets, a label type other than a plain label, or a label
        /// running past the end of the message.
        case badName
        /// Record data whose length does not fit its type.
        case badRData
    }

    public var code: Code
    /// Offset in the message of the record (or header) that could not be read; for `badRData`,
    /// of the record's data.
    public var offset: Int

    public var description: String { "DNS message unreadable: \(code.rawValue) at offset \(offset)" }
}
