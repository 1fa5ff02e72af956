import Foundation
@testable import Lab
import PeilTestSupport
import Testing

/// The lab's in-process signing (`LDNSSigning`, libldns): what it writes is checked with
/// `ldns-verify-zone` (ldnsutils), a separate program, and by reading the records back.
@Suite("libldns zone signing")
struct LDNSSigningTests {
    static let zone = """
        $ORIGIN example.nl.
        $TTL 300
        example.nl.\t300\tIN\tSOA\tns1.example.nl. hostmaster.example.nl. 1 3600 600 86400 300
        example.nl.\t300\tIN\tNS\tns1.example.nl.
        example.nl.\t300\tIN\tA\t198.18.1.1
        www.example.nl.\t300\tIN\tAAAA\t2001:2::1
        example.nl.\t300\tIN\tTXT\t"v=spf1 -all"
        sub.example.nl.\t300\tIN\tNS\tns1.example.nl.
        sub.example.nl.\t300\tIN\tDS\t12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        ns1.example.nl.\t300\tIN\tA\t198.18.0.53

        """

    static let now = UInt32(Date().timeIntervalSince1970)

    static func sign(key: LDNSSigning.Key, origin: String = "example.nl", zone: String = zone,
                     inception: UInt32 = now - 86_400, expiration: UInt32 = now + 365 * 86_400) throws -> (zone: String, ds: String) {
        try LDNSSigning.sign(zoneText: zone, origin: origin, key: key, ttl: 300, inception: inception, expiration: expiration)
    }

    /// The records of a zone text of one type: their data fields.
    static func records(_ text: String, type: String) -> [[Substring]] {
        var found: [[Substring]] = []
        for line in text.split(separator: "\n") {
            let fields: [Substring] = line.split(whereSeparator: { (character: Character) -> Bool in character == " " || character == "\t" })
            if fields.count > 4 && fields[3] == type { found.append(Array(fields[4...])) }
        }
        return found
    }

    static func verify(_ text: String) throws -> StandardClients.Output {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("peil-ldns-signing-\(getpid())-\(UUID().uuidString).zone")
        defer { try? FileManager.default.removeItem(at: file) }
        try text.write(to: file, atomically: true, encoding: .utf8)
        return try StandardClients.run(["ldns-verify-zone", file.path])
    }

    @Test func aSignedZoneVerifiesAndItsDSNamesItsKey() throws {
        let signed = try Self.sign(key: try LDNSSigning.generateKey())
        let dnskeys = Self.records(signed.zone, type: "DNSKEY")
        #expect(dnskeys.count == 1)
        #expect(dnskeys.first?.prefix(3) == ["257", "3", "13"])
        let covered = Set(Self.records(signed.zone, type: "RRSIG").map { String($0[0]) })
        // Every authoritative RRset and the NSEC chain signed; not the delegation's NS.
        #expect(covered == ["SOA", "NS", "A", "AAAA", "TXT", "DNSKEY", "DS", "NSEC"])
        #expect(Self.records(signed.zone, type: "NSEC").count == 4)
        let tags = Set(Self.records(signed.zone, type: "RRSIG").map { String($0[6]) })
        let ds = signed.ds.split(separator: " ")
        #expect(ds.count == 4 && ds[1] == "13" && ds[2] == "2" && ds[3].count == 64, "\(signed.ds)")
        #expect(tags == [String(ds[0])], "signatures by the key the DS names")
        try #require(StandardClients.has("ldns-verify-zone"), "ldns-verify-zone missing: apt-get install ldnsutils")
        let verified = try Self.verify(signed.zone)
        #expect(verified.status == 0, "\(verified.text)")
    }

    @Test func expiredSignaturesAreWrittenAndRefusedByTheVerifier() throws {
        let signed = try Self.sign(key: try LDNSSigning.generateKey(), inception: Self.now - 60 * 86_400, expiration: Self.now - 30 * 86_400)
        try #require(StandardClients.has("ldns-verify-zone"), "ldns-verify-zone missing: apt-get install ldnsutils")
        let verified = try Self.verify(signed.zone)
        #expect(verified.status != 0, "\(verified.text)")
    }

    @Test func aSharedKeySignsEachZoneUnderItsOwnName() throws {
        let key = try LDNSSigning.generateKey()
        let first = try Self.sign(key: key)
        let second = try Self.sign(key: key, origin: "example.org", zone: Self.zone.replacingOccurrences(of: "example.nl", with: "example.org"))
        #expect(Self.records(first.zone, type: "DNSKEY") == Self.records(second.zone, type: "DNSKEY"))
        #expect(first.ds != second.ds, "the DS digest covers the owner")
        #expect(first.ds.split(separator: " ").first == second.ds.split(separator: " ").first, "one key tag")
        #expect(second.zone.contains("example.org.\t300\tIN\tDNSKEY"), "\(second.zone.prefix(600))")
        let other = try Self.sign(key: try LDNSSigning.generateKey())
        #expect(Self.records(first.zone, type: "DNSKEY") != Self.records(other.zone, type: "DNSKEY"))
    }

    @Test func aZoneWithoutSOAOrUnreadableIsAnError() throws {
        let key = try LDNSSigning.generateKey()
        for zone in ["$ORIGIN example.nl.\nexample.nl. 300 IN A 198.18.1.1\n", Self.zone + "example.nl. 300 IN A not-an-address\n", ""] {
            let error = #expect(throws: LabError.self) { try Self.sign(key: key, zone: zone) }
            #expect(error?.code == .signingFailed, "\(String(describing: error))")
        }
    }
}
