import CLDNS
import Foundation

/// DNSSEC keys, signed zones and DS records made in process with libldns, the library that
/// `ldns-keygen`, `ldns-signzone` and `ldns-key2ds` are built on, the way the lab ran those
/// tools: one ECDSA P-256 key with the SEP flag (`ldns-keygen -a ECDSAP256SHA256 -k`) signs every
/// RRset of its zone, DNSKEY included, and the NSEC chain (`ldns-signzone` without options but
/// the signature dates); DS records with SHA-256 (`ldns-key2ds -n -2`). Those three processes a
/// zone were most of bringing the full twin up (2,877 zones: 53–67 s on the 2-core machine of
/// sessions 16–21, 17.8 s in process; docs/TWIN.md, "DNS at scale").
enum LDNSSigning {
    /// A signing key as ldns's private-key text (`ldns_key_print`): made once, read again for
    /// each zone it signs, so parallel zones never share an `ldns_key`.
    struct Key: Sendable {
        let privateText: String
    }

    /// A new ECDSA P-256 key.
    static func generateKey() throws -> Key {
        guard let key = ldns_key_new_frm_algorithm(LDNS_SIGN_ECDSAP256SHA256, 256) else {
            throw LabError(.signingFailed, "libldns made no ECDSA P-256 key")
        }
        defer { ldns_key_deep_free(key) }
        return Key(privateText: try printed { ldns_key_print($0, key) })
    }

    /// `zoneText` (a zone file for `origin`, with its SOA) signed with `key` under the owner
    /// `origin`: the key's DNSKEY (flags 257, TTL `ttl`) added at the apex, every RRset and the
    /// NSEC chain signed with the given validity; returns the signed zone's text and the DS
    /// record data (`keytag algorithm 2 digest`) of its key.
    static func sign(zoneText: String, origin: String, key: Key, ttl: UInt32, inception: UInt32, expiration: UInt32) throws -> (zone: String, ds: String) {
        guard let owner = ldns_dname_new_frm_str(DNSName.absolute(origin)) else {
            throw LabError(.signingFailed, "libldns cannot read the zone name \(DNSName.absolute(origin))")
        }
        defer { ldns_rdf_deep_free(owner) }
        let signingKey = try read(key)
        ldns_key_set_flags(signingKey, UInt16(LDNS_KEY_ZONE_KEY | LDNS_KEY_SEP_KEY))
        ldns_key_set_inception(signingKey, inception)
        ldns_key_set_expiration(signingKey, expiration)
        ldns_key_set_pubkey_owner(signingKey, ldns_rdf_clone(owner))
        let keys = ldns_key_list_new()
        ldns_key_list_push_key(keys, signingKey)
        let zone: UnsafeMutablePointer<ldns_zone>
        do { zone = try parse(zoneText, origin: owner, name: origin) } catch {
            ldns_key_list_free(keys)
            throw error
        }
        let signed = ldns_dnssec_zone_new()
        let added = ldns_rr_list_new()
        // Freed as ldns-signzone frees them: the list with its keys; the signed zone only points
        // at the records, which belong to `zone` (the DNSKEY pushed into it too) and `added`.
        defer {
            ldns_key_list_free(keys)
            ldns_dnssec_zone_free(signed)
            ldns_zone_deep_free(zone)
            ldns_rr_list_deep_free(added)
        }
        guard let dnskey = ldns_key2rr(signingKey) else { throw LabError(.signingFailed, "libldns made no DNSKEY for \(DNSName.absolute(origin))") }
        ldns_rr_set_ttl(dnskey, ttl)
        ldns_key_set_keytag(signingKey, ldns_calc_keytag(dnskey))
        ldns_zone_push_rr(zone, dnskey)

        try check(ldns_dnssec_zone_add_rr(signed, ldns_zone_soa(zone)), "adding the SOA of \(DNSName.absolute(origin))")
        let records = ldns_zone_rrs(zone)
        for index in 0..<ldns_rr_list_rr_count(records) {
            try check(ldns_dnssec_zone_add_rr(signed, ldns_rr_list_rr(records, index)), "adding a record to \(DNSName.absolute(origin))")
        }
        try check(ldns_dnssec_zone_sign_flg(signed, added, keys, ldns_dnssec_default_replace_signatures, nil, 0),
                  "signing \(DNSName.absolute(origin))")
        let text = try printed { ldns_dnssec_zone_print($0, signed) }
        return (text, try delegationSigner(dnskey, zone: origin))
    }

    /// The DS record data of a DNSKEY record, SHA-256.
    private static func delegationSigner(_ dnskey: UnsafeMutablePointer<ldns_rr>, zone: String) throws -> String {
        guard let ds = ldns_key_rr2ds(dnskey, LDNS_SHA256) else { throw LabError(.signingFailed, "libldns made no DS for \(DNSName.absolute(zone))") }
        defer { ldns_rr_free(ds) }
        let fields = try (0..<ldns_rr_rd_count(ds)).map { index -> String in
            guard let text = ldns_rdf2str(ldns_rr_rdf(ds, index)) else { throw LabError(.signingFailed, "libldns cannot print the DS of \(DNSName.absolute(zone))") }
            defer { free(text) }
            return String(cString: text)
        }
        return fields.joined(separator: " ")
    }

    private static func read(_ key: Key) throws -> UnsafeMutablePointer<ldns_key> {
        try reading(key.privateText) { file in
            var key: UnsafeMutablePointer<ldns_key>?
            try check(ldns_key_new_frm_fp(&key, file), "reading a signing key")
            guard let key else { throw LabError(.signingFailed, "libldns read no signing key") }
            return key
        }
    }

    private static func parse(_ text: String, origin: UnsafeMutablePointer<ldns_rdf>, name: String) throws -> UnsafeMutablePointer<ldns_zone> {
        try reading(text) { file in
            var zone: UnsafeMutablePointer<ldns_zone>?
            var line: Int32 = 0
            let status = ldns_zone_new_frm_fp_l(&zone, file, origin, UInt32(LDNS_DEFAULT_TTL), LDNS_RR_CLASS_IN, &line)
            try check(status, "reading zone \(DNSName.absolute(name)) at line \(line)")
            guard let zone else { throw LabError(.signingFailed, "libldns read no zone \(DNSName.absolute(name))") }
            guard ldns_zone_soa(zone) != nil else {
                ldns_zone_deep_free(zone)
                throw LabError(.signingFailed, "zone \(DNSName.absolute(name)) has no SOA record")
            }
            return zone
        }
    }

    /// `body` given `text` as a stream to read.
    private static func reading<Value>(_ text: String, _ body: (UnsafeMutablePointer<FILE>) throws -> Value) throws -> Value {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBytes { buffer in
            guard let file = fmemopen(buffer.baseAddress, buffer.count, "r") else { throw LabError(.signingFailed, "fmemopen: \(errno)") }
            defer { fclose(file) }
            return try body(file)
        }
    }

    /// What `body` prints to a stream, as text.
    private static func printed(_ body: (UnsafeMutablePointer<FILE>) -> Void) throws -> String {
        var buffer: UnsafeMutablePointer<CChar>?
        var size = 0
        guard let stream = open_memstream(&buffer, &size) else { throw LabError(.signingFailed, "open_memstream: \(errno)") }
        body(stream)
        fclose(stream)
        defer { free(buffer) }
        return buffer.map { String(cString: $0) } ?? ""
    }

    private static func check(_ status: ldns_status, _ what: String) throws {
        guard status == LDNS_STATUS_OK else {
            throw LabError(.signingFailed, "\(what): \(String(cString: ldns_get_errorstr_by_id(status)))")
        }
    }
}
