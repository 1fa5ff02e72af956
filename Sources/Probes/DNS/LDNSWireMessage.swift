import CLDNS

/// A DNS response in wire format (RFC 1035 §4.1), read record by record with ldns
/// (`ldns_wire2rr`, which reads names with `ldns_wire2dname`: compression followed with a hop
/// bound, labels ≤ 63 octets, names ≤ 255 octets, every read bounded by the message).
///
/// Why record by record and not `ldns_wire2pkt`: ldns does not check that a record's data ends
/// where its RDLENGTH says (a name in the data may run on into the next record, trailing octets
/// are left over and the next record is read out of step). Reading each record from its own
/// offset lets Peil check that end, so a malformed record is refused, never misread. The
/// authority and additional sections are not read: Peil keeps nothing from them.
struct LDNSWireMessage {
    let wire: UnsafePointer<UInt8>
    let count: Int

    /// The message's header response code (4 bits).
    var responseCode: Int { Int(peil_ldns_rcode(wire)) }

    /// `wire` must hold `count` ≥ `LDNS_HEADER_SIZE` octets and outlive the value.
    init(wire: UnsafePointer<UInt8>, count: Int) {
        precondition(count >= Int(LDNS_HEADER_SIZE))
        self.wire = wire
        self.count = count
    }

    /// Calls `body` with each answer record (valid only during the call) and the offset of its
    /// data, after reading past the question section. A record of a type `keep` refuses is
    /// skipped by its RDLENGTH, as long as ldns could read it; one it keeps must end exactly there.
    func forEachAnswer(keep: (ldns_rr_type) -> Bool,
                       _ body: (UnsafeMutablePointer<ldns_rr>, _ dataOffset: Int) throws(DNSWireError) -> Void) throws(DNSWireError) {
        var position = Int(LDNS_HEADER_SIZE)
        for _ in 0..<peil_ldns_qdcount(wire) {
            ldns_rr_free(try record(at: &position, LDNS_SECTION_QUESTION))
        }
        for _ in 0..<peil_ldns_ancount(wire) {
            let (dataOffset, dataEnd) = try dataExtent(ofRecordAt: position)
            let answer = try record(at: &position, LDNS_SECTION_ANSWER)
            defer { ldns_rr_free(answer) }
            let kept = keep(ldns_rr_get_type(answer))
            if position != dataEnd {
                guard !kept else { throw DNSWireError(code: .badRData, offset: dataOffset) }
                position = dataEnd
            }
            if kept { try body(answer, dataOffset) }
        }
    }

    /// One record read by ldns from `position`, which moves past it.
    private func record(at position: inout Int, _ section: ldns_pkt_section) throws(DNSWireError) -> UnsafeMutablePointer<ldns_rr> {
        let start = position
        var record: UnsafeMutablePointer<ldns_rr>?
        let status = ldns_wire2rr(&record, wire, count, &position, section)
        guard status == LDNS_STATUS_OK, let record else { throw Self.error(status, offset: start) }
        return record
    }

    /// Where the data of the record at `start` begins and ends by its RDLENGTH (owner read by
    /// ldns; TYPE, CLASS, TTL and RDLENGTH are the 10 octets after it).
    private func dataExtent(ofRecordAt start: Int) throws(DNSWireError) -> (offset: Int, end: Int) {
        var position = start
        var owner: UnsafeMutablePointer<ldns_rdf>?
        let status = ldns_wire2dname(&owner, wire, count, &position)
        ldns_rdf_deep_free(owner)
        guard status == LDNS_STATUS_OK else { throw Self.error(status, offset: start) }
        guard position + 10 <= count else { throw DNSWireError(code: .truncated, offset: start) }
        let offset = position + 10
        return (offset, offset + Int(ldns_read_uint16(wire + position + 8)))
    }

    /// ldns's status as a ``DNSWireError`` at the record's offset.
    static func error(_ status: ldns_status, offset: Int) -> DNSWireError {
        switch status {
        case LDNS_STATUS_INVALID_POINTER: DNSWireError(code: .badPointer, offset: offset)
        case LDNS_STATUS_LABEL_OVERFLOW, LDNS_STATUS_DOMAINNAME_OVERFLOW: DNSWireError(code: .badName, offset: offset)
        case LDNS_STATUS_PACKET_OVERFLOW, LDNS_STATUS_WIRE_INCOMPLETE_QUESTION, LDNS_STATUS_WIRE_INCOMPLETE_ANSWER:
            DNSWireError(code: .truncated, offset: offset)
        default: DNSWireError(code: .badRData, offset: offset)
        }
    }
}
