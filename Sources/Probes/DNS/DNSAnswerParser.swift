import CLDNS

/// What Peil keeps of a DNS response: its response code and the answer records of the
/// queried type in presentation format, sorted.
public struct DNSAnswer: Sendable, Hashable {
    /// The 4-bit header RCODE.
    public var responseCode: Int
    /// Presentation rdata of the answer-section records of the queried type (any owner, so
    /// the target of a CNAME chain counts), sorted, duplicates removed.
    public var records: [String]

    public init(responseCode: Int, records: [String]) {
        self.responseCode = responseCode
        self.records = records
    }
}

/// Reads a response in wire format with ldns (``LDNSWireMessage``) and presents the answers
/// of one type from ldns's typed record fields.
public enum DNSAnswerParser {
    /// Parses `message` and keeps the answer records of `type`.
    public static func parse(_ message: [UInt8], type: DNSRecordType) throws(DNSWireError) -> DNSAnswer {
        let read = message.withUnsafeBufferPointer { buffer -> Result<DNSAnswer, DNSWireError> in
            guard let wire = buffer.baseAddress, buffer.count >= Int(LDNS_HEADER_SIZE) else {
                return .failure(DNSWireError(code: .truncated, offset: 0))
            }
            return Result { () throws(DNSWireError) -> DNSAnswer in
                let packet = LDNSWireMessage(wire: wire, count: buffer.count)
                var records = Set<String>()
                try packet.forEachAnswer(keep: { $0.rawValue == UInt32(type.rawValue) }) { record, offset throws(DNSWireError) in
                    records.insert(try present(LDNSRecordFields(record), type: type, offset: offset))
                }
                return DNSAnswer(responseCode: packet.responseCode, records: records.sorted())
            }
        }
        return try read.get()
    }

    /// The presentation form of one record's data (``DNSPresentation``), from the fields ldns
    /// read by the type's layout; `offset` is the data's, for errors.
    static func present(_ fields: LDNSRecordFields, type: DNSRecordType, offset: Int) throws(DNSWireError) -> String {
        let badRData = DNSWireError(code: .badRData, offset: offset)
        let text: String?
        switch type {
        case .a:
            text = fields.count == 1 ? DNSPresentation.ipv4(fields.bytes(0)) : nil
        case .aaaa:
            text = fields.count == 1 ? DNSPresentation.ipv6(fields.bytes(0)) : nil
        case .ns, .cname:
            text = fields.count == 1 ? fields.name(0) : nil
        case .mx:
            text = fields.count == 2 ? fields.name(1).map { "\(fields.int16(0)) \($0)" } : nil
        case .txt:
            // Each character-string as ldns keeps it: its length octet, then the octets.
            text = DNSPresentation.text((0..<fields.count).map { fields.bytes($0).dropFirst() })
        case .caa:
            // Flags, tag (length octet first, at least one octet), value (absent when empty).
            guard (2...3).contains(fields.count), fields.bytes(1).count > 1 else { throw badRData }
            text = DNSPresentation.caa(flags: fields.int8(0), tag: fields.bytes(1).dropFirst(),
                                       value: fields.bytes(2))
        case .tlsa:
            // Usage, selector, matching type, data (absent when empty).
            guard (3...4).contains(fields.count) else { throw badRData }
            text = DNSPresentation.tlsa(usage: fields.int8(0), selector: fields.int8(1), matchingType: fields.int8(2),
                                        data: fields.bytes(3))
        case .soa:
            guard fields.count == 7, let primary = fields.name(0), let mailbox = fields.name(1) else { throw badRData }
            text = ([primary, mailbox] + (2..<7).map { String(fields.int32($0)) }).joined(separator: " ")
        }
        guard let text else { throw badRData }
        return text
    }
}
