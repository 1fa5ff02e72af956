import LabEndpoints

/// The security headers a web host sends on its HTTPS responses (X-Frame-Options,
/// X-Content-Type-Options, Content-Security-Policy, Referrer-Policy).
public enum TwinSecurityHeaders: String, Codable, Sendable, Hashable, CaseIterable {
    /// All four, with good values.
    case complete
    /// All but Content-Security-Policy.
    case missingCSP
    /// All four, Referrer-Policy `strict-origin-when-cross-origin` (today a recommendation).
    case lenientReferrer
    /// All four with bad values: `ALLOWALL`, `sniff`, a CSP with `*` and `'unsafe-inline'`, `unsafe-url`.
    case badValues
    /// None of the four.
    case none

    /// The policy every good header set sends.
    static let goodCSP = "default-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'self'"

    /// The header fields sent, name and value, in this order.
    public var fields: [EndpointHeader] {
        let good = [EndpointHeader("X-Frame-Options", "SAMEORIGIN"), EndpointHeader("X-Content-Type-Options", "nosniff"),
                    EndpointHeader("Referrer-Policy", "no-referrer"), EndpointHeader("Content-Security-Policy", Self.goodCSP)]
        switch self {
        case .complete: return good
        case .missingCSP: return good.filter { $0.name != "Content-Security-Policy" }
        case .lenientReferrer:
            return good.map { $0.name == "Referrer-Policy" ? EndpointHeader($0.name, "strict-origin-when-cross-origin") : $0 }
        case .badValues:
            return [EndpointHeader("X-Frame-Options", "ALLOWALL"), EndpointHeader("X-Content-Type-Options", "sniff"),
                    EndpointHeader("Referrer-Policy", "unsafe-url"), EndpointHeader("Content-Security-Policy", "default-src * 'unsafe-inline'")]
        case .none: return []
        }
    }
}

/// The security.txt (RFC 9116) a web host serves over HTTPS.
public enum TwinSecurityTxt: String, Codable, Sendable, Hashable, CaseIterable {
    /// At `/.well-known/security.txt`, `text/plain`, every field right, PGP clearsigned.
    case signed
    /// As `signed`, without the signature (RFC 9116 recommends one).
    case unsigned
    /// Unsigned, its `Expires` a month in the past.
    case expired
    /// Unsigned, served as `text/html`.
    case wrongContentType
    /// Unsigned, only at the legacy `/security.txt` (404 at the well-known path).
    case legacyLocation
    /// 404 at both paths.
    case missing

    /// Days from the moment of serving to the file's `Expires`.
    var expiresInDays: Int { self == .expired ? -30 : 180 }

    /// What the lab serves for `host` (mail contact at `domain`).
    public func served(host: String, domain: String) -> EndpointSecurityTxt {
        guard self != .missing else { return EndpointSecurityTxt(path: nil, contentType: "", template: "", expiresInDays: 0) }
        let fields = [
            "Contact: mailto:security@\(domain)",
            "Contact: https://\(host)/melden",
            "Expires: \(EndpointSecurityTxt.expiresPlaceholder)",
            "Encryption: https://\(host)/pgp-sleutel.txt",
            "Preferred-Languages: nl, en",
            "Canonical: https://\(host)/.well-known/security.txt",
        ]
        var lines = ["# security.txt of \(host) (Peil lab)"] + fields
        if self == .signed {
            lines = ["-----BEGIN PGP SIGNED MESSAGE-----", "Hash: SHA256", ""] + lines
                + ["-----BEGIN PGP SIGNATURE-----", "", "iHUEARYKAB0WIQRQZWlsIGxhYiBzaWduYXR1cmUAAAAFAmVlaWwACgkQUGVpbCBs", "YWIgc2lnbmF0dXJl", "=peil", "-----END PGP SIGNATURE-----"]
        }
        return EndpointSecurityTxt(path: self == .legacyLocation ? "/security.txt" : "/.well-known/security.txt",
                                   contentType: self == .wrongContentType ? "text/html" : "text/plain",
                                   template: lines.joined(separator: "\n") + "\n", expiresInDays: expiresInDays)
    }
}

/// The CAA record set at a web host.
public enum TwinCAA: String, Codable, Sendable, Hashable, CaseIterable {
    /// No CAA records.
    case none
    /// `0 issue "ca.peil-lab.nl"`.
    case issue
    /// `issue` and an `iodef` mail address.
    case issueWithReport
    /// Only `issuewild`: no `issue` property.
    case issuewildOnly
    /// `issue` and a property nobody defined (`tbs`).
    case unknownProperty
    /// `issue` with an ACME validation method that does not exist.
    case badValidationMethods

    /// The record data (`flags tag "value"`) at `host`.
    public func records(host: String) -> [String] {
        let issue = "0 issue \"ca.peil-lab.nl\""
        switch self {
        case .none: return []
        case .issue: return [issue]
        case .issueWithReport: return [issue, "0 iodef \"mailto:security@\(host)\""]
        case .issuewildOnly: return ["0 issuewild \"ca.peil-lab.nl\""]
        case .unknownProperty: return [issue, "0 tbs \"peil\""]
        case .badValidationMethods: return ["0 issue \"ca.peil-lab.nl; validationmethods=carrier-pigeon\""]
        }
    }
}

extension TwinRealServers {
    /// Gives the domains on nginx platforms (by platform id) every security header set,
    /// security.txt, CAA set and TLSA in turn, so nginx serves each at least once where there are
    /// enough of them. No random draws; TLSA only in a signed zone of the domain's own.
    static func spreadWebSecurity(_ world: inout TwinWorld) {
        let nginx = Set(world.webPlatforms.filter { $0.server == .nginx }.map(\.id))
        let positions = world.domains.indices.filter { nginx.contains(world.domains[$0].web.platform) }
            .sorted { world.domains[$0].web.platform < world.domains[$1].web.platform }
        for (turn, position) in positions.enumerated() {
            var web = world.domains[position].web
            web.headers = TwinSecurityHeaders.allCases[turn % TwinSecurityHeaders.allCases.count]
            web.securityTxt = TwinSecurityTxt.allCases[turn % TwinSecurityTxt.allCases.count]
            web.caa = TwinCAA.allCases[turn % TwinCAA.allCases.count]
            if world.domains[position].dnssec == .signed && web.zone == nil {
                web.tlsa = [TwinTLSA.valid, .mismatch, .none][turn % 3]
            }
            world.domains[position].web = web
        }
    }
}

extension TwinRealServers {
    /// Gives the domains whose web platform answers over IPv6, in name order, in turn the same
    /// page over both families, a page whose script and style nonces change on every response,
    /// and another page over IPv6 (``TwinWeb/differentContentOverIPv6``). No random draws.
    static func spreadIPv6Pages(_ world: inout TwinWorld) {
        let answering = Set(world.webPlatforms.filter { $0.ipv6Service == .answering }.map(\.id))
        let positions = world.domains.indices.filter { answering.contains(world.domains[$0].web.platform) }
            .sorted { world.domains[$0].name < world.domains[$1].name }
        for (turn, position) in positions.enumerated() {
            world.domains[position].web.scriptNonce = turn % 3 == 1
            world.domains[position].web.differentContentOverIPv6 = turn % 3 == 2
        }
    }
}
