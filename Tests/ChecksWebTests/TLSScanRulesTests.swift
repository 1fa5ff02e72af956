import Checks
import PeilModel
import XCTest

/// The scan plan's rules (`TLSScanRules`) against the verdicts they stand for: a suite or group
/// is decisive exactly when accepting it changes some TLS subtest (status or finding) of an
/// otherwise modern server under some rule set, and when the preference handshakes are said
/// not to matter, no choices the server could make change the cipher-order verdict.
final class TLSScanRulesTests: XCTestCase {
    /// TLS 1.3 and TLS 1.2 with ECDHE AES-GCM only: every TLS subtest passes under both rule sets.
    var modern: TLSObservation {
        TLSObservation(versions: [.tls12, .tls13],
                       ciphers: [TLSVersionCiphers(version: .tls12, ciphers: [0xC02F, 0xC030]),
                                 TLSVersionCiphers(version: .tls13, ciphers: [0x1301, 0x1302])],
                       keyExchanges: [.ecdhe(group: 29)], sha2OnlyTLS12Probe: .signedWithOffered,
                       sha2OnlyTLS13Probe: .signedWithOffered, compression: false, secureRenegotiation: true,
                       clientRenegotiations: 0, extendedMasterSecret: true, leafHasOCSPURL: true, ocspStapling: .stapledTrusted,
                       chain: [TLSCertificateFacts(commonName: "www.example.nl", keyType: .rsa, keyBits: 4096,
                                                   signatureAlgorithm: "sha256WithRSAEncryption")])
    }

    func verdicts(_ o: TLSObservation) -> [[SubtestResult]] {
        RuleSet.allCases.map { TLSEvaluation.evaluate(o, ruleSet: $0) }
    }

    func testASuiteIsDecisiveExactlyWhenAcceptingItChangesAVerdict() {
        let base = verdicts(modern)
        var decisive = 0
        for code in CipherSuiteRegistry.names.keys.sorted() {
            guard let suite = CipherSuite(code: code) else { continue }
            var o = modern
            let version: TLSVersion = suite.keyExchange == .tls13 ? .tls13 : .tls12
            o.ciphers = o.ciphers.map { $0.version == version ? TLSVersionCiphers(version: version, ciphers: $0.ciphers + [code]) : $0 }
            let changes = verdicts(o) != base
            XCTAssertEqual(TLSScanRules.isDecisive(suite: code), changes, "\(CipherSuiteRegistry.label(code))")
            if changes { decisive += 1 }
        }
        XCTAssertGreaterThan(decisive, 100, "most of the registry is decisive")
        XCTAssertFalse(TLSScanRules.isDecisive(suite: 0xC02F), "ECDHE-RSA-AES128-GCM-SHA256")
        XCTAssertFalse(TLSScanRules.isDecisive(suite: 0x1301), "TLS_AES_128_GCM_SHA256")
        XCTAssertTrue(TLSScanRules.isDecisive(suite: 0xC013), "ECDHE-RSA-AES128-SHA: insufficient now, sufficient in 2021")
        XCTAssertTrue(TLSScanRules.isDecisive(suite: 0x009E), "DHE-RSA-AES128-GCM-SHA256: phase-out now")
        XCTAssertTrue(TLSScanRules.isDecisive(suite: 0x1305), "TLS_AES_128_CCM_8_SHA256")
        XCTAssertTrue(TLSScanRules.isDecisive(suite: 0xFFFF), "an unknown code point")
    }

    func testAGroupIsDecisiveExactlyWhenAcceptingItChangesAVerdict() {
        let base = verdicts(modern)
        for group in Array(UInt16(1)...UInt16(40)) + [256, 257, 0x11EB, 0x11EC, 0x11ED] {
            var o = modern
            o.keyExchanges.append(.ecdhe(group: group))
            XCTAssertEqual(TLSScanRules.isDecisive(group: group), verdicts(o) != base, TLSClassification.groupName(group))
        }
        let probedAlone: [UInt16] = [21, 23, 24, 25, 29, 30, 26, 27, 28, 31, 32, 33]
        XCTAssertEqual(probedAlone.filter { TLSScanRules.isDecisive(group: $0) }, [21], "of the scanner's groups only secp224r1 (phase-out now)")
    }

    /// Every choice a server could make on `offered` lists of `suites` (each list: any one of
    /// its suites, or a refusal), for the 2021 walk, its reverse and the current rule's lists.
    func everyChoice(_ suites: [UInt16], on version: TLSVersion) -> [[TLSCipherChoice]] {
        var lists: [[UInt16]] = [suites, suites.reversed()]
        for drop in suites.indices { lists.append(suites.enumerated().filter { $0.offset != drop }.map(\.element)) }
        lists += CipherOrderCheck.currentPlan(accepted: suites)
        var outcomes: [[TLSCipherChoice]] = [[]]
        for list in lists {
            outcomes = outcomes.flatMap { prefix in
                ([nil] + list.map(Optional.some)).map { prefix + [TLSCipherChoice(version: version, offered: list, chosen: $0)] }
            }
            if outcomes.count > 4_000 { outcomes = Array(outcomes.prefix(4_000)) }
        }
        return outcomes
    }

    /// Whether some choices give a cipher-order result other than no choices at all.
    func choicesChangeTheVerdict(_ accepted: [TLSVersion: [UInt16]], on version: TLSVersion) -> Bool {
        var o = TLSObservation(versions: accepted.keys.sorted(), ciphers: accepted.keys.sorted().map { TLSVersionCiphers(version: $0, ciphers: accepted[$0]!) })
        let none = RuleSet.allCases.map { CipherOrderCheck.evaluate(o, ruleSet: $0) }
        for choices in everyChoice(accepted[version] ?? [], on: version) {
            o.cipherChoices = choices
            if RuleSet.allCases.map({ CipherOrderCheck.evaluate(o, ruleSet: $0) }) != none { return true }
        }
        return false
    }

    func testThePreferenceHandshakesAreLeftOutOnlyWhenNoChoiceChangesTheVerdict() {
        let cases: [(String, [TLSVersion: [UInt16]], matters: Bool)] = [
            ("modern: ECDHE AES-GCM and ChaCha20, TLS 1.3", [.tls12: [0xC02F, 0xC030, 0xCCA8], .tls13: [0x1301, 0x1302]], false),
            ("TLS 1.2 ECDHE-ECDSA AES-CCM", [.tls12: [0xC0AC, 0xC02B]], false),
            ("TLS 1.3 only", [.tls13: [0x1301, 0x1302, 0x1303]], false),
            ("ECDHE CBC with SHA-1 (2021: sufficient)", [.tls12: [0xC02F, 0xC013]], true),
            ("ECDHE CBC with SHA-256 (current: phase-out)", [.tls12: [0xC02F, 0xC027]], true),
            ("DHE-RSA AES-GCM (phase-out, 2021 sufficient)", [.tls12: [0xC02F, 0x009E]], true),
            ("RSA key exchange AES-GCM", [.tls12: [0xC02F, 0x009C]], true),
            ("modern TLS 1.2, CBC only on TLS 1.0 (2021 applies)", [.tls12: [0xC02F, 0xC030], .tls10: [0xC013]], true),
            ("TLS 1.3 with CCM_8 beside TLS 1.2 AES-GCM", [.tls12: [0xC02F, 0xC030], .tls13: [0x1301, 0x1305]], true),
        ]
        for (name, accepted, matters) in cases {
            let version = accepted.keys.filter { $0 < .tls13 }.max() ?? .tls12
            XCTAssertEqual(TLSScanRules.preferenceMatters(accepted: accepted, on: version), matters, name)
            if !matters {
                XCTAssertFalse(choicesChangeTheVerdict(accepted, on: version), "\(name): said not to matter, but a choice changes the verdict")
                // The suites the scan does not ask about once the decisive ones are refused: any
                // non-decisive suite the server may also accept leaves the answer as it is.
                var wider = accepted
                wider[version, default: []] += [0xC02B, 0xC02C, 0xCCA9].filter { !(accepted[version] ?? []).contains($0) }
                XCTAssertFalse(TLSScanRules.preferenceMatters(accepted: wider, on: version), name)
                XCTAssertFalse(choicesChangeTheVerdict(wider, on: version), "\(name) with more non-decisive suites")
            } else {
                XCTAssertTrue(choicesChangeTheVerdict(accepted, on: version), "\(name): said to matter, so some choice changes the verdict")
            }
        }
    }
}
