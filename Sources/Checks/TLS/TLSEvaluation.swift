import PeilModel

/// The TLS subtests of one endpoint, derived from a `TLSObservation` under a rule set.
/// Each result names the version, cipher, group, hash or certificate that caused it.
public enum TLSEvaluation {
    /// All TLS subtests Peil derives from the observation (trust and name match need the
    /// verifier's answer and are separate).
    public static func evaluate(_ o: TLSObservation, ruleSet: RuleSet) -> [SubtestResult] {
        var results = [versions(o, ruleSet), ciphers(o, ruleSet), CipherOrderCheck.evaluate(o, ruleSet: ruleSet),
                       keyExchange(o, ruleSet), kexHash(o, ruleSet), compression(o), secureRenegotiation(o),
                       clientRenegotiation(o, ruleSet), zeroRTT(o), ocsp(o, ruleSet), certificateKey(o, ruleSet),
                       certificateSignature(o, ruleSet)]
        if ruleSet == .internetnlCurrent { results.append(extendedMasterSecret(o)) }
        return results
    }

    /// Worst level → status: insufficient failed, phase-out warning, else passed.
    static func graded(_ name: String, _ items: [(String, SecurityLevel)], requirement: Requirement = .mandatory) -> SubtestResult {
        let worst = items.map(\.1).min() ?? .good
        let status: Status = worst == .insufficient ? .failed : (worst == .phaseOut ? .warning : .passed)
        let findings = items.filter { $0.1 <= .phaseOut }.map { Finding($0.1 == .insufficient ? "insufficient" : "phase-out", subject: $0.0) }
        return SubtestResult(name: name, status: status, requirement: requirement, findings: findings)
    }

    public static func versions(_ o: TLSObservation, _ r: RuleSet) -> SubtestResult {
        let items = o.versions.sorted(by: >).map { ($0.displayName, TLSClassification.level($0, r)) }
        var result = graded("tls_version", items)
        result.findings += items.filter { $0.1 >= .sufficient }.map { Finding($0.1.label, subject: $0.0) }
        return result
    }

    public static func ciphers(_ o: TLSObservation, _ r: RuleSet) -> SubtestResult {
        var seen = Set<UInt16>()
        let items = o.ciphers.flatMap(\.ciphers).filter { seen.insert($0).inserted }.map { code in
            (CipherSuiteRegistry.label(code), CipherSuite(code: code).map { TLSClassification.level($0, r) } ?? .insufficient)
        }
        return graded("tls_ciphers", items)
    }

    public static func keyExchange(_ o: TLSObservation, _ r: RuleSet) -> SubtestResult {
        var seen = Set<TLSKeyExchange>()
        let items: [(String, SecurityLevel)] = o.keyExchanges.filter { seen.insert($0).inserted }.map {
            switch $0 {
            case .ecdhe(let group): ("ECDH-\(TLSClassification.groupName(group))", TLSClassification.ecGroupLevel(group, r))
            case .dhe(let prime, let g, let bits): ("DH-\(bits)", TLSClassification.dhLevel(primeHex: prime, generator: g, r))
            }
        }
        return graded("fs_params", items)
    }

    public static func kexHash(_ o: TLSObservation, _ r: RuleSet) -> SubtestResult {
        let name = "kex_hash_func"
        switch r {
        case .internetnlCurrent:
            if o.sha1SignatureProbe == .signedWithOffered {
                return SubtestResult(name: name, status: .failed, requirement: .mandatory, findings: [Finding("insufficient", subject: "SHA1")])
            }
            if o.sha224SignatureProbe == .signedWithOffered {
                return SubtestResult(name: name, status: .warning, requirement: .mandatory, findings: [Finding("phase-out", subject: "SHA224")])
            }
            return SubtestResult(name: name, status: .passed, requirement: .mandatory)
        case .internetnl2021:
            func outcome(_ version: TLSVersion, _ probe: TLSSignatureProbe?) -> Status {
                guard o.versions.contains(version) else { return .passed }
                switch probe {
                case .signedWithOffered?: return .passed
                case .signedOtherwise?, .handshakeFailed?: return .failed
                case .unknown?, nil: return .info
                }
            }
            guard let newest = o.versions.max(), newest >= .tls12 else {
                return SubtestResult(name: name, status: .warning, requirement: .optional, findings: [Finding("no-sha2", subject: "no TLS 1.2 or newer")])
            }
            let r13 = outcome(.tls13, o.sha2OnlyTLS13Probe)
            if r13 != .failed {
                let r12 = outcome(.tls12, o.sha2OnlyTLS12Probe)
                if r13 == .passed && r12 == .passed { return SubtestResult(name: name, status: .passed, requirement: .optional) }
                if r13 == .info || r12 == .info { return SubtestResult(name: name, status: .info, requirement: .optional, findings: [Finding("unknown")]) }
            }
            return SubtestResult(name: name, status: .warning, requirement: .optional, findings: [Finding("no-sha2")])
        }
    }

    public static func compression(_ o: TLSObservation) -> SubtestResult {
        SubtestResult(name: "tls_compression", status: o.compression == true ? .failed : .passed, requirement: .mandatory)
    }

    public static func secureRenegotiation(_ o: TLSObservation) -> SubtestResult {
        SubtestResult(name: "renegotiation_secure", status: o.secureRenegotiation == false ? .failed : .passed, requirement: .mandatory)
    }

    /// Client-initiated renegotiation is informational in both rule sets: any accepted → info.
    public static func clientRenegotiation(_ o: TLSObservation, _ r: RuleSet) -> SubtestResult {
        let count = o.clientRenegotiations ?? 0
        guard count > 0 else { return SubtestResult(name: "renegotiation_client", status: .passed, requirement: .informational) }
        let code = r == .internetnlCurrent && count > 10 ? "allowed_with_too_high_limit" : (r == .internetnlCurrent ? "allowed_with_low_limit" : "allowed")
        return SubtestResult(name: "renegotiation_client", status: .info, requirement: .informational, findings: [Finding(code, subject: String(count))])
    }

    public static func extendedMasterSecret(_ o: TLSObservation) -> SubtestResult {
        switch o.extendedMasterSecret {
        case nil: SubtestResult(name: "extended_master_secret", status: .notTested, requirement: .informational, findings: [Finding("na_no_tls_1_2")])
        case true?: SubtestResult(name: "extended_master_secret", status: .passed, requirement: .mandatory)
        case false?: SubtestResult(name: "extended_master_secret", status: .failed, requirement: .mandatory, findings: [Finding("not_supported")])
        }
    }

    public static func zeroRTT(_ o: TLSObservation) -> SubtestResult {
        let bad = o.earlyDataAccepted == true && o.earlyDataTooEarly425 != true
        return SubtestResult(name: "zero_rtt", status: bad ? .failed : .passed, requirement: .mandatory)
    }

    /// Current: no OCSP URL → not tested; 2021 did not look at the URL (not stapled → info).
    public static func ocsp(_ o: TLSObservation, _ r: RuleSet) -> SubtestResult {
        let name = "ocsp_stapling"
        if r == .internetnlCurrent, o.leafHasOCSPURL == false {
            return SubtestResult(name: name, status: .notTested, requirement: .optional, findings: [Finding("not_in_cert")])
        }
        switch o.ocspStapling {
        case .stapledTrusted?: return SubtestResult(name: name, status: .passed, requirement: .optional)
        case .stapledUntrusted?: return SubtestResult(name: name, status: .warning, requirement: .optional, findings: [Finding("not_trusted")])
        case .notStapled?, nil: return SubtestResult(name: name, status: .info, requirement: .optional, findings: [Finding("ok")])
        }
    }

    /// No certificate was read (OpenSSL could not connect and the hello's flight held none, or
    /// was over its cap): the certificate subtests are not tested, never passed on nothing.
    static func noChain(_ name: String, _ o: TLSObservation) -> SubtestResult? {
        o.chain.isEmpty ? SubtestResult(name: name, status: .notTested, requirement: .mandatory, findings: [Finding("no_chain_read")]) : nil
    }

    public static func certificateKey(_ o: TLSObservation, _ r: RuleSet) -> SubtestResult {
        if let none = noChain("cert_pubkey", o) { return none }
        let items = o.chain.compactMap { cert in
            CertificateClassification.keyLevel(cert, r).map { ("\(cert.commonName ?? "-"): \(cert.keyType.rawValue)-\(cert.keyBits)\(cert.curve.map { ", curve: \($0)" } ?? "")", $0) }
        }
        return graded("cert_pubkey", items)
    }

    public static func certificateSignature(_ o: TLSObservation, _ r: RuleSet) -> SubtestResult {
        if let none = noChain("cert_signature", o) { return none }
        let items = o.chain.compactMap { cert in
            CertificateClassification.signatureLevel(cert, r).map { ("\(cert.commonName ?? "-"): \(cert.signatureAlgorithm)", $0) }
        }
        return graded("cert_signature", items)
    }
}
