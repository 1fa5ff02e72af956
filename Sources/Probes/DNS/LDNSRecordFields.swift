import CLDNS

/// The data fields of a record ldns has read (`ldns_rr_rdf`), by index, through ldns's typed
/// accessors. Valid only while the record lives.
struct LDNSRecordFields {
    let record: UnsafeMutablePointer<ldns_rr>

    init(_ record: UnsafeMutablePointer<ldns_rr>) { self.record = record }

    /// How many fields ldns read (trailing optional fields are absent when the data ended).
    var count: Int { ldns_rr_rd_count(record) }

    /// The field's octets as ldns holds them (character-strings keep their length octet);
    /// empty for a field ldns did not read.
    func bytes(_ index: Int) -> [UInt8] {
        guard index < count, let field = ldns_rr_rdf(record, index) else { return [] }
        return Array(UnsafeBufferPointer(start: ldns_rdf_data(field), count: ldns_rdf_size(field)))
    }

    func int8(_ index: Int) -> UInt8 { ldns_rdf2native_int8(ldns_rr_rdf(record, index)) }
    func int16(_ index: Int) -> UInt16 { ldns_rdf2native_int16(ldns_rr_rdf(record, index)) }
    func int32(_ index: Int) -> UInt32 { ldns_rdf2native_int32(ldns_rr_rdf(record, index)) }

    /// A name field in presentation form (``DNSPresentation/name(_:)``), its labels taken with
    /// `ldns_dname_label`; nil when the field is not a name.
    func name(_ index: Int) -> String? {
        guard index < count, let field = ldns_rr_rdf(record, index), ldns_rdf_get_type(field) == LDNS_RDF_TYPE_DNAME else { return nil }
        let labels = (0..<ldns_dname_label_count(field)).map { position -> [UInt8] in
            guard let label = ldns_dname_label(field, position) else { return [] }
            defer { ldns_rdf_deep_free(label) }
            // The label as ldns returns it: length octet, octets, a closing zero.
            let octets = UnsafeBufferPointer(start: ldns_rdf_data(label), count: ldns_rdf_size(label))
            return Array(octets.dropFirst().prefix(Int(octets.first ?? 0)))
        }
        return DNSPresentation.name(labels)
    }
}
