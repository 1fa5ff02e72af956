import CLDNS
import Foundation

/// A root key made with ldns (ECDSA P-256, flags 257) and its signature over the root's DNSKEY
/// set, for loopback tests that need a trust anchor a validator can prime: the DNSKEY and RRSIG
/// rdata a responder serves, and the anchor text for the resolver's anchor file.
struct SignedRoot {
    let dnskey: [UInt8]
    let rrsig: [UInt8]
    let anchor: String

    /// TTL the responder gives every record (``LoopbackDNSServer/reply(to:rcode:answers:)``).
    static let ttl: UInt32 = 60

    init() throws {
        guard let key = ldns_key_new_frm_algorithm(LDNS_SIGN_ECDSAP256SHA256, 256) else { throw SigningError("no key") }
        // The list owns the key: freeing the list frees it.
        let keys = ldns_key_list_new()
        defer { ldns_key_list_free(keys) }
        ldns_key_list_push_key(keys, key)
        ldns_key_set_flags(key, 257)
        ldns_key_set_pubkey_owner(key, ldns_dname_new_frm_str("."))
        let now = UInt32(Date().timeIntervalSince1970)
        ldns_key_set_inception(key, now - 3600)
        ldns_key_set_expiration(key, now + 86_400)
        guard let keyRecord = ldns_key2rr(key) else { throw SigningError("no DNSKEY record") }
        ldns_rr_set_ttl(keyRecord, Self.ttl)
        ldns_key_set_keytag(key, ldns_calc_keytag(keyRecord))
        let rrset = ldns_rr_list_new()
        defer { ldns_rr_list_deep_free(rrset) }
        ldns_rr_list_push_rr(rrset, keyRecord)
        guard let signatures = ldns_sign_public(rrset, keys), ldns_rr_list_rr_count(signatures) == 1 else {
            throw SigningError("no signature")
        }
        defer { ldns_rr_list_deep_free(signatures) }
        dnskey = try Self.rdata(UnsafePointer(keyRecord))
        rrsig = try Self.rdata(UnsafePointer(ldns_rr_list_rr(signatures, 0)))
        guard let text = ldns_rr2str(keyRecord) else { throw SigningError("no anchor text") }
        defer { free(text) }
        anchor = String(String(cString: text).prefix { $0 != ";" }).trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
    }

    private static func rdata(_ record: UnsafePointer<ldns_rr>?) throws -> [UInt8] {
        guard let buffer = ldns_buffer_new(1024) else { throw SigningError("no buffer") }
        defer { ldns_buffer_free(buffer) }
        guard ldns_rr_rdata2buffer_wire(buffer, record) == LDNS_STATUS_OK else { throw SigningError("rdata not written") }
        return Array(UnsafeBufferPointer(start: ldns_buffer_begin(buffer), count: ldns_buffer_position(buffer)))
    }

    struct SigningError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
