import Checks
import Foundation
import Testing

/// The DMARC parse vectors of three other parsers, read against Peil's parser (Internet.nl's
/// grammar). Every record where Peil's acceptance differs from the vector's is listed below
/// with the reason; the test fails on an unlisted disagreement, and on a listed one that no
/// longer disagrees. The same list is in docs/CHECKS-MAIL.md.
struct DMARCVectorTests {
    /// Record → why Peil (following Internet.nl) decides otherwise than the vector.
    static let followsInternetNL: [String: String] = [
        // OpenDMARC (lenient in some places, strict about report formats and ranges).
        "v=DMARC1; p=n;": "OpenDMARC accepts an abbreviated policy; Internet.nl's grammar knows only none, quarantine and reject",
        "v=DMARC1; p=none; ruf=mailto://abuse.com; foo=bar; buzz=happy;": "OpenDMARC ignores unknown tags; Internet.nl rejects a record with a tag it does not know",
        "v=DMARC1; p=none; rf=bob;": "OpenDMARC knows only afrf; Internet.nl accepts any keyword as a report format",
        "v=DMARC1; p=none; rf=000000000000000000000000000000000": "OpenDMARC knows only afrf; Internet.nl accepts any keyword (letters, digits, '-') as a report format",
        "v=DMARC1; p=none; pct=500;": "OpenDMARC checks the range; Internet.nl's pct= is 1 to 3 digits, range unchecked",
        // mox (strict RFC 7489, with the RFC's recovery rules).
        "v=DMARC1;": "mox wants p=; in Internet.nl's grammar p= is optional, its absence is a policy failure (invalid_p_sp), not a syntax error",
        "v=DMARC1;;": "Internet.nl's grammar allows an empty tag list followed by the optional final ';'",
        "v=DMARC1; rua=mailto:mjl@mox.example": "mox applies RFC 7489 §6.6.3 (missing p with rua → p=none); Internet.nl requires p= as the second tag",
        "v=DMARC1; p=reject; sp=invalid; rua=mailto:mjl@mox.example": "mox recovers from an invalid sp=; Internet.nl's grammar rejects the record",
        "V = DMARC1 ; P = reject ;\tSP=none; unknown \t=\t ignored-future-value \t ; adkim=s; aspf=s; rua=mailto:dmarc-feedback@example.com  ,\t\tmailto:tld-test@thirdparty.example.net!10m; RUF=mailto:auth-reports@example.com  ,\t\tmailto:tld-test@thirdparty.example.net!0G; RI = 123; FO = 0:1:d:s ; RF= afrf : other; Pct = 0":
            "Internet.nl's grammar allows spaces but not tabs between tags, and rejects the unknown tag",
        // stalwart mail-auth (DMARCbis, ignores unknown tags).
        "v=DMARC1; p=reject; ri = 3600; aspf=r; adkim =r; rua=mailto:dmarc-feedback@example.com!10 K , mailto:user%20@example.com ! 2G;ignore_me= true; fo=s; rf = AfrF; ":
            "mail-auth ignores the unknown tag ignore_me and allows a space before the size unit; Internet.nl rejects both",
        "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,mailto:tld-test@thirdparty.example.net; fo=s:d; t=y; psd=y;;":
            "Internet.nl's grammar allows one final ';', not two",
    ]

    struct Verdict: CustomStringConvertible {
        var source: String
        var record: String
        var valid: Bool
        var description: String { "\(source): \(record)" }
    }

    static func vectors() throws -> [Verdict] {
        var verdicts: [Verdict] = []
        func json(_ name: String) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(try Vectors.text(name).utf8)) as? [String: Any] ?? [:]
        }
        let openDMARC = try json("dmarc-opendmarc-parse.json")
        for case let item as [String: Any] in openDMARC["cases"] as? [Any] ?? [] {
            guard let record = item["record"] as? String, let expect = item["expect"] as? String else { continue }
            verdicts.append(Verdict(source: "opendmarc", record: record, valid: expect == "DMARC_PARSE_OKAY"))
        }
        let mox = try json("dmarc-mox-parse.json")
        for case let record as String in mox["invalid"] as? [Any] ?? [] {
            verdicts.append(Verdict(source: "mox", record: record, valid: false))
        }
        for case let item as [String: Any] in mox["valid"] as? [Any] ?? [] {
            if let record = item["record"] as? String { verdicts.append(Verdict(source: "mox", record: record, valid: true)) }
        }
        let mailAuth = try json("dmarc-mailauth-parse.json")
        for case let item as [String: Any] in mailAuth["valid"] as? [Any] ?? [] {
            if let record = item["record"] as? String { verdicts.append(Verdict(source: "mail-auth", record: record, valid: true)) }
        }
        return verdicts
    }

    @Test func vectorCounts() throws {
        let all = try Self.vectors()
        #expect(all.filter { $0.source == "opendmarc" }.count == 19)
        #expect(all.filter { $0.source == "mox" }.count == 41)
        #expect(all.filter { $0.source == "mail-auth" }.count == 6)
    }

    @Test func everyDisagreementIsExplained() throws {
        var disagreements: Set<String> = []
        for vector in try Self.vectors() {
            let peil = (try? DMARCParser.parse(vector.record)) != nil
            if peil != vector.valid {
                disagreements.insert(vector.record)
                #expect(Self.followsInternetNL[vector.record] != nil,
                        "\(vector): vector says \(vector.valid ? "valid" : "invalid"), Peil says \(peil ? "valid" : "invalid")")
            }
        }
        for (record, _) in Self.followsInternetNL {
            #expect(disagreements.contains(record), "listed but Peil agrees with the vector: \(record)")
        }
    }
}
