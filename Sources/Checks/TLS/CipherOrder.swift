import PeilModel

/// The cipher-order subtest: which handshakes to make, and the verdict from their results.
///
/// internetnl-current (Internet.nl `test_cipher_order`): on the highest version below TLS 1.3,
/// offer all accepted phase-out ciphers (CHACHA20 ones last) followed by one accepted good or
/// sufficient cipher, once per such cipher; the server must choose that cipher.
/// internetnl-2021 (v1.3.0 `check_cipher_order`): the server must enforce its own preference
/// (the same offered set in another order must give the same choice, CHACHA20 excepted for
/// servers that prioritise it) and must never choose a cipher of a lower NCSC 2.1 level while
/// a higher one was offered; the probe walks the server's preference by removing each chosen
/// cipher in turn. Not applicable (passed) when only good ciphers are accepted, or only TLS 1.3.
public enum CipherOrderCheck {
    public static let name = "tls_cipher_order"

    /// The offered lists the current rule needs, for ciphers accepted on `version`.
    public static func currentPlan(accepted: [UInt16]) -> [[UInt16]] {
        let suites = accepted.compactMap { CipherSuite(code: $0) }.filter { $0.keyExchange != .tls13 }
        let phaseOut = suites.filter { TLSClassification.level($0, .internetnlCurrent) == .phaseOut }
            .sorted { ($0.cipher == .chacha20Poly1305 ? 1 : 0) < ($1.cipher == .chacha20Poly1305 ? 1 : 0) }
        let better = suites.filter { TLSClassification.level($0, .internetnlCurrent) >= .sufficient }
        guard !phaseOut.isEmpty else { return [] }
        return better.map { phaseOut.map(\.code) + [$0.code] }
    }

    /// The verdict from the observation's cipher choices.
    public static func evaluate(_ observation: TLSObservation, ruleSet: RuleSet) -> SubtestResult {
        let accepted = observation.ciphers.flatMap(\.ciphers).compactMap { CipherSuite(code: $0) }
        let levels = accepted.map { TLSClassification.level($0, ruleSet) }
        let onlyTLS13 = observation.versions.allSatisfy { $0 == .tls13 }
        let notApplicable: Bool
        switch ruleSet {
        case .internetnlCurrent: notApplicable = onlyTLS13 || levels.allSatisfy { $0 == .good }
        case .internetnl2021: notApplicable = levels.allSatisfy { $0 == .good }
        }
        if notApplicable {
            return SubtestResult(name: name, status: .passed, requirement: .mandatory, findings: [Finding("cipher-order-na")])
        }
        let choices = observation.cipherChoices.filter { $0.version != .tls13 }
        func level(_ code: UInt16) -> SecurityLevel {
            CipherSuite(code: code).map { TLSClassification.level($0, ruleSet) } ?? .insufficient
        }
        func label(_ code: UInt16) -> String { CipherSuiteRegistry.label(code) }
        if ruleSet == .internetnl2021 {
            var bySet: [Set<UInt16>: TLSCipherChoice] = [:]
            for choice in choices {
                guard let chosen = choice.chosen else { continue }
                let key = Set(choice.offered)
                if let earlier = bySet[key], let other = earlier.chosen, other != chosen,
                   CipherSuite(code: other)?.cipher != .chacha20Poly1305, CipherSuite(code: chosen)?.cipher != .chacha20Poly1305 {
                    return SubtestResult(name: name, status: .failed, requirement: .mandatory,
                                         findings: [Finding("cipher-order-not-enforced", subject: label(chosen), detail: label(other))])
                }
                bySet[key] = choice
            }
        }
        for choice in choices {
            guard let chosen = choice.chosen else { continue }
            let best = choice.offered.map(level).max() ?? .insufficient
            let got = level(chosen)
            let violated: Bool
            switch ruleSet {
            case .internetnlCurrent: violated = best >= .sufficient && got <= .phaseOut
            case .internetnl2021: violated = got < best
            }
            if violated {
                let expected = choice.offered.first { level($0) == best }.map(label)
                return SubtestResult(name: name, status: .failed, requirement: .mandatory,
                                     findings: [Finding("cipher-order-violation", subject: label(chosen), detail: expected)])
            }
        }
        return SubtestResult(name: name, status: .passed, requirement: .mandatory)
    }
}
