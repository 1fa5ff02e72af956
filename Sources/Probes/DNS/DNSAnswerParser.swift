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

/// Reads a response in wire format (RFC 1035 §4.1) and presents the answers of one type.
public enum DNSAnswerParser {
    /// Parses `message` and keeps the answer records of `type`.
    public static func parse(_ message: [UInt8], type: DNSRecordType) throws(DNSWireError) -> DNSAnswer {
        var reader = WireReader(message: message)
        try reader.skip(2) // ID
        let flags = try reader.u16()
        let questionCount = try reader.u16()
        let answerCount = try reader.u16()
        try reader.skip(4) // NSCOUNT, ARCOUNT: authority and additional data are not kept
        for _ in 0..<questionCount {
            _ = try reader.nameLabels()
            try reader.skip(4) // QTYPE, QCLASS
        }
        var records = Set<String>()
        for _ in 0..<answerCount {
            _ = try reader.nameLabels()
            let recordType = try reader.u16()
            try reader.skip(6) // CLASS, TTL
            let length = Int(try reader.u16())
            let start = reader.position
            try reader.skip(length)
            guard recordType == type.rawValue else { continue }
            let rdata = WireReader(message: message, position: start, limit: start + length)
            records.insert(try present(rdata, type: type))
        }
        return DNSAnswer(responseCode: Int(flags & 0x000F), records: records.sorted())
    }

    /// The presentation form of one record's data; `rdata` is bounded to the record.
    static func present(_ rdata: WireReader, type: DNSRecordType) throws(DNSWireError) -> String {
        var reader = rdata
        let badRData = DNSWireError(code: .badRData, offset: reader.position)
        let text: String
        switch type {
        case .a:
            guard let address = DNSPresentation.ipv4(try reader.bytes(reader.remaining)) else { throw badRData }
            text = address
        case .aaaa:
            guard let address = DNSPresentation.ipv6(try reader.bytes(reader.remaining)) else { throw badRData }
            text = address
        case .ns, .cname:
            text = try reader.name()
        case .mx:
            let preference = try reader.u16()
            text = "\(preference) \(try reader.name())"
        case .txt:
            var strings: [ArraySlice<UInt8>] = []
            while reader.remaining > 0 {
                let length = Int(try reader.u8())
                strings.append(try reader.bytes(length))
            }
            text = DNSPresentation.text(strings)
        case .caa:
            let flags = try reader.u8()
            let tagLength = Int(try reader.u8())
            guard tagLength > 0 else { throw badRData }
            let tag = try reader.bytes(tagLength)
            text = DNSPresentation.caa(flags: flags, tag: tag, value: try reader.bytes(reader.remaining))
        case .tlsa:
            let usage = try reader.u8(), selector = try reader.u8(), matching = try reader.u8()
            text = DNSPresentation.tlsa(usage: usage, selector: selector, matchingType: matching,
                                        data: try reader.bytes(reader.remaining))
        case .soa:
            let primary = try reader.name(), mailbox = try reader.name()
            var numbers: [UInt32] = []
            for _ in 0..<5 { numbers.append(try reader.u32()) }
            text = ([primary, mailbox] + numbers.map(String.init)).joined(separator: " ")
        }
        guard reader.remaining == 0 else { throw badRData }
        return text
    }
}
