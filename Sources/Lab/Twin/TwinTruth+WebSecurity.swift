import PeilModel

/// The web subtests the twin varies beyond the bulk columns, written from the generator's intent
/// (a header set, a security.txt, a CAA set, a TLSA variant; ``TwinWebSecurity.swift``) rather
/// than by running the checks: the four security headers, CAA, DANE for `_443._tcp` and
/// security.txt. They are judged on HTTPS, so without it (port 443 refused or silent) every one
/// is `not_tested`. Statuses are the clamped ones Peil reports: an optional subtest that fails
/// is a warning, an informational one info.
extension TwinJudge {
    /// The rule sets the subtest truth is given for (the only difference: Referrer-Policy).
    static let subtestRuleSets = ["internetnl-current", "internetnl-2021"]

    /// The 8 subtests by rule set, then by batch name.
    func webSecuritySubtests(_ domain: TwinDomain, facts: DNSFacts, available: StatusCell?) -> [String: [String: StatusCell]] {
        var byRuleSet: [String: [String: StatusCell]] = [:]
        for ruleSet in Self.subtestRuleSets {
            var cells: [SubtestID: StatusCell] = [:]
            if available?.status != .passed {
                let cell = StatusCell(.notTested, "HTTPS not available (\(available?.status.rawValue ?? "no verdict"))")
                for id in Self.securitySubtests { cells[id] = cell }
            } else {
                cells = Self.headers(domain.web.headers, current: ruleSet == "internetnl-current")
                cells[.webAppsecprivSecurityTxt] = Self.securityTxt(domain.web.securityTxt)
                cells[.webHTTPSTLSCAA] = caa(facts)
                for (id, cell) in dane(domain, facts: facts) { cells[id] = cell }
            }
            byRuleSet[ruleSet] = Dictionary(uniqueKeysWithValues: cells.map { ($0.key.rawValue, $0.value) })
        }
        return byRuleSet
    }

    static let securitySubtests: [SubtestID] = [.webAppsecprivXFrameOptions, .webAppsecprivXContentTypeOptions, .webAppsecprivCSP,
                                                .webAppsecprivReferrerPolicy, .webAppsecprivSecurityTxt, .webHTTPSTLSCAA,
                                                .webHTTPSDANEExist, .webHTTPSDANEValid]

    /// X-Frame-Options is informational (bad: info); X-Content-Type-Options and CSP optional
    /// (bad: warning). Referrer-Policy today: `no-referrer` passes, the `strict-origin` ones and
    /// no header at all are a recommendation (info), `unsafe-url` warns; in 2021 any of the eight
    /// policy tokens passed and only a missing header warned.
    static func headers(_ variant: TwinSecurityHeaders, current: Bool) -> [SubtestID: StatusCell] {
        let (frame, type, csp, referrer): (Status, Status, Status, Status) = switch variant {
        case .complete: (.passed, .passed, .passed, .passed)
        case .missingCSP: (.passed, .passed, .warning, .passed)
        case .lenientReferrer: (.passed, .passed, .passed, current ? .info : .passed)
        case .badValues: (.info, .warning, .warning, current ? .warning : .passed)
        case .none: (.info, .warning, .warning, current ? .info : .warning)
        }
        let because = "header set \(variant.rawValue)"
        return [.webAppsecprivXFrameOptions: StatusCell(frame, because), .webAppsecprivXContentTypeOptions: StatusCell(type, because),
                .webAppsecprivCSP: StatusCell(csp, because), .webAppsecprivReferrerPolicy: StatusCell(referrer, because)]
    }

    /// Signed and right: passed; unsigned: a recommendation (info); expired, served as HTML, at
    /// the legacy path only or absent: a warning (optional subtest).
    static func securityTxt(_ variant: TwinSecurityTxt) -> StatusCell {
        let status: Status = switch variant {
        case .signed: .passed
        case .unsigned: .info
        case .expired, .wrongContentType, .legacyLocation, .missing: .warning
        }
        return StatusCell(status, "security.txt \(variant.rawValue)")
    }

    /// The CAA set a climb from the web host finds (the facts say where) is the one the twin put
    /// at that web host: `issue` (with or without `iodef`) passes, anything else warns.
    func caa(_ facts: DNSFacts) -> StatusCell {
        guard let foundAt = facts.caaFoundAt else { return StatusCell(.warning, "no CAA from \(facts.web.host) up") }
        guard let owner = domainByWebHost[foundAt] else { return StatusCell(.error, "CAA at \(foundAt), which is no twin web host") }
        return StatusCell(Self.caa(owner.web.caa), "CAA set \(owner.web.caa.rawValue) at \(foundAt)")
    }

    /// The status of a CAA set where it is found.
    static func caa(_ set: TwinCAA) -> Status {
        switch set {
        case .issue, .issueWithReport: .passed
        case .none, .issuewildOnly, .unknownProperty, .badValidationMethods: .warning
        }
    }

    /// DANE for the web server: TLSA only counts in a secure zone; none (or a bogus zone): exists
    /// is info (informational) and valid not tested; the platform's key: both pass; another
    /// key: exists passes, valid warns (optional).
    func dane(_ domain: TwinDomain, facts: DNSFacts) -> [SubtestID: StatusCell] {
        let zone = dnssec(of: domain.web.host)
        let tlsa = facts.webTLSA.isEmpty ? TwinTLSA.none : domain.web.tlsa
        let because = "TLSA \(tlsa.rawValue), zone \(zone.status.rawValue)"
        guard zone.status == .secure, tlsa != .none else {
            return [.webHTTPSDANEExist: StatusCell(.info, because), .webHTTPSDANEValid: StatusCell(.notTested, because)]
        }
        return [.webHTTPSDANEExist: StatusCell(.passed, because),
                .webHTTPSDANEValid: StatusCell(tlsa == .valid ? .passed : .warning, because)]
    }
}
