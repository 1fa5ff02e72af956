/// What the lab's endpoint server serves: platforms (addresses with one behaviour), the web
/// sites by host name, and the injected latency. `peil lab up` writes it as JSON next to the
/// certificates; `peil lab serve --plan` reads it. Pure values.
public struct EndpointPlan: Codable, Sendable, Hashable {
    /// Delay added before every response (jitter ±25%).
    public var rttMilliseconds: Int
    public var platforms: [EndpointPlatform]
    public var sites: [EndpointSite]
    /// TLSA record data in the zones that stand for a platform's key, to be replaced by the
    /// real digest once the keys exist.
    public var tlsa: [EndpointTLSAPlaceholder]

    public init(rttMilliseconds: Int, platforms: [EndpointPlatform], sites: [EndpointSite], tlsa: [EndpointTLSAPlaceholder] = []) {
        self.rttMilliseconds = rttMilliseconds
        self.platforms = platforms
        self.sites = sites
        self.tlsa = tlsa
    }

    /// Every local address, once, in plan order.
    public var addresses: [String] {
        var seen = Set<String>()
        return platforms.flatMap(\.addresses).map(\.address).filter { seen.insert($0).inserted }
    }

    /// The plan with only the platforms `software` serves (nil: the endpoint server's own).
    public func served(by software: EndpointSoftware?) -> EndpointPlan {
        var plan = self
        plan.platforms = platforms.filter { $0.server == software }
        return plan
    }
}

/// Software of others that serves a platform in place of the endpoint server.
public enum EndpointSoftware: String, Codable, Sendable, Hashable {
    /// Debian's nginx (web).
    case nginx
    /// Debian's Postfix (mail).
    case postfix
}

/// Web (HTTP on 80, HTTPS on 443) or mail (SMTP on 25).
public enum EndpointService: String, Codable, Sendable, Hashable {
    case web, mail
}

/// How a listed port behaves; a port not listed is refused (RST).
public enum EndpointPortMode: String, Codable, Sendable, Hashable {
    /// Accepts and speaks the service.
    case serve
    /// A listener whose socket filter drops every packet: connects time out.
    case silent
    /// TLS tarpit: a valid ServerHello to the first ClientHello, then silence (``HostileTLSBehaviour/tarpit``).
    case tlsTarpit = "tls-tarpit"
    /// The connection reset once the ClientHello is in (``HostileTLSBehaviour/reset``).
    case tlsReset = "tls-reset"
    /// A truncated ServerHello instead of a real one (``HostileTLSBehaviour/garbage``).
    case tlsGarbage = "tls-garbage"
    /// SMTP: the greeting after 29 s (``HostileSMTPBehaviour/slowGreeting``).
    case smtpSlowGreeting = "smtp-slow-greeting"
    /// SMTP: an EHLO reply of `250-` lines for ever (``HostileSMTPBehaviour/endlessReply``).
    case smtpEndlessReply = "smtp-endless-reply"
    /// SMTP: `421` on every connection (``HostileSMTPBehaviour/unavailable``).
    case smtpUnavailable = "smtp-unavailable"
    /// SMTP: a NUL byte in the banner (``HostileSMTPBehaviour/nulBanner``).
    case smtpNULBanner = "smtp-nul-banner"
    /// SMTP: plaintext instead of a ServerHello after STARTTLS (``HostileSMTPBehaviour/plaintextAfterStartTLS``).
    case smtpPlaintextAfterStartTLS = "smtp-plaintext-after-starttls"
    /// Any ClientHello answered with the first suite offered, NULL, export and RC4 included (``HostileTLSBehaviour/allSuites``).
    case tlsAllSuites = "tls-all-suites"
    /// A ServerHello and a Certificate message of 200 certificates (``HostileTLSBehaviour/longChain``).
    case tlsLongChain = "tls-long-chain"
    /// HTTP: ``HostileHTTPBehaviour/slowloris``, ``HostileHTTPBehaviour/endlessHead``,
    /// ``HostileHTTPBehaviour/redirectLoop``, ``HostileHTTPBehaviour/notHTTP``.
    case httpSlowloris = "http-slowloris", httpEndlessHead = "http-endless-head", httpRedirectLoop = "http-redirect-loop", httpNotHTTP = "http-not-http"

    /// The hostile TLS behaviour of this mode, if it is one.
    public var hostileTLS: HostileTLSBehaviour? {
        switch self {
        case .serve, .silent: nil
        case .tlsTarpit: .tarpit
        case .tlsReset: .reset
        case .tlsGarbage: .garbage
        case .tlsAllSuites: .allSuites
        case .tlsLongChain: .longChain
        case .smtpSlowGreeting, .smtpEndlessReply, .smtpUnavailable, .smtpNULBanner, .smtpPlaintextAfterStartTLS: nil
        case .httpSlowloris, .httpEndlessHead, .httpRedirectLoop, .httpNotHTTP: nil
        }
    }

    /// The hostile SMTP behaviour of this mode, if it is one.
    public var hostileSMTP: HostileSMTPBehaviour? {
        switch self {
        case .smtpSlowGreeting: .slowGreeting
        case .smtpEndlessReply: .endlessReply
        case .smtpUnavailable: .unavailable
        case .smtpNULBanner: .nulBanner
        case .smtpPlaintextAfterStartTLS: .plaintextAfterStartTLS
        default: nil
        }
    }
}

/// One port of one address.
public struct EndpointPort: Codable, Sendable, Hashable {
    public var port: Int
    public var mode: EndpointPortMode

    public init(port: Int, mode: EndpointPortMode) {
        self.port = port
        self.mode = mode
    }
}

/// A local address and its ports.
public struct EndpointAddress: Codable, Sendable, Hashable {
    /// IPv4 or IPv6 text (put on `lo` of the endpoint namespace by the lab).
    public var address: String
    public var ports: [EndpointPort]

    public init(address: String, ports: [EndpointPort]) {
        self.address = address
        self.ports = ports
    }

    public var isIPv6: Bool { address.contains(":") }
}

/// A TLS configuration in OpenSSL's terms.
public struct EndpointTLS: Codable, Sendable, Hashable {
    /// `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3` (gaps are disabled).
    public var versions: [String]
    /// OpenSSL cipher names and TLS 1.3 suite names (`TLS_…`); names OpenSSL lacks are skipped.
    public var ciphers: [String]
    public var groups: [String]
    /// `rsa-3072`, `rsa-2048`, `rsa-1024`, `ec-p256`.
    public var key: String
    /// `valid`, `expired`, `self-signed`, `wrong-name`.
    public var certificate: String
    /// Whether a client may renegotiate (OpenSSL 3 refuses by default).
    public var clientRenegotiation: Bool
    /// Whether an OCSP response (made by the lab CA) is stapled; nil: no.
    public var ocspStapling: Bool?

    public init(versions: [String], ciphers: [String], groups: [String], key: String, certificate: String, clientRenegotiation: Bool,
                ocspStapling: Bool? = nil) {
        self.versions = versions
        self.ciphers = ciphers
        self.groups = groups
        self.key = key
        self.certificate = certificate
        self.clientRenegotiation = clientRenegotiation
        self.ocspStapling = ocspStapling
    }
}

/// Addresses with one behaviour: a web platform or a mail platform.
public struct EndpointPlatform: Codable, Sendable, Hashable {
    /// `[a-z0-9-]`, names its certificate file.
    public var id: String
    public var service: EndpointService
    public var addresses: [EndpointAddress]
    public var tls: EndpointTLS
    /// The names the certificate covers (the first is the SMTP banner's name).
    public var names: [String]
    /// Mail: whether EHLO offers STARTTLS.
    public var starttls: Bool
    /// Who serves it: nginx, Postfix, or (nil) the endpoint server.
    public var server: EndpointSoftware?

    public init(id: String, service: EndpointService, addresses: [EndpointAddress], tls: EndpointTLS, names: [String], starttls: Bool = false,
                server: EndpointSoftware? = nil) {
        self.id = id
        self.service = service
        self.addresses = addresses
        self.tls = tls
        self.names = names
        self.starttls = starttls
        self.server = server
    }
}

/// A web host's behaviour: the answer to `GET /` on 80; on 443 the HSTS value, the security
/// headers and security.txt.
public struct EndpointSite: Codable, Sendable, Hashable {
    public var host: String
    /// 301 or 302 with `location`; nil: 200 over plain HTTP.
    public var redirectStatus: Int?
    public var location: String?
    /// The `Strict-Transport-Security` value sent over HTTPS, nil for none.
    public var hsts: String?
    /// Whether the page over IPv6 differs from the IPv4 one (``ipv6Note`` added to it).
    public var differentOverIPv6: Bool
    /// Whether the page carries a `script` and a `style` tag with a nonce new on every response,
    /// so its two families' pages differ in the nonces only.
    public var scriptNonce: Bool
    /// The security headers sent over HTTPS; nil: ``EndpointHeader/defaultSecurityHeaders``.
    public var securityHeaders: [EndpointHeader]?
    /// What the security.txt paths answer over HTTPS; nil: the page, as for any path.
    public var securityTxt: EndpointSecurityTxt?

    public init(host: String, redirectStatus: Int?, location: String?, hsts: String?, differentOverIPv6: Bool,
                securityHeaders: [EndpointHeader]? = nil, securityTxt: EndpointSecurityTxt? = nil, scriptNonce: Bool = false) {
        self.host = host
        self.redirectStatus = redirectStatus
        self.location = location
        self.hsts = hsts
        self.differentOverIPv6 = differentOverIPv6
        self.scriptNonce = scriptNonce
        self.securityHeaders = securityHeaders
        self.securityTxt = securityTxt
    }

    /// The security headers sent over HTTPS.
    public var servedSecurityHeaders: [EndpointHeader] { securityHeaders ?? EndpointHeader.defaultSecurityHeaders }

    /// What a site that differs over IPv6 adds to its page there: long enough that the page is
    /// no longer the same website by Internet.nl's measure (a distance above 10 for pages up to
    /// several hundred bytes). Plain text nginx can quote as it is.
    public static let ipv6Note = "<p>Deze site is over IPv6 in onderhoud. Tot het onderhoud klaar is, staat hier alleen dit bericht; "
        + "de gewone pagina is over IPv4 te bereiken. Excuses voor het ongemak, en dank voor uw geduld.</p>"

    /// The page of the site at `path`: `nonce` in its script and style tags when it has them,
    /// ``ipv6Note`` when asked over IPv6 and the site differs there. The lab's server and nginx
    /// (with `$request_uri`, `$request_id` and its own IPv6 test) serve the same bytes.
    public func page(path: String, nonce: String, ipv6: Bool) -> String {
        let scripts = scriptNonce ? "<script nonce='\(nonce)' src='/peil.js'></script><style nonce='\(nonce)'>h1{color:#154273}</style>" : ""
        let note = ipv6 && differentOverIPv6 ? Self.ipv6Note : ""
        return "<html><head><title>\(host)</title>\(scripts)</head><body><h1>\(host)</h1><p>Peil lab, \(path)</p>\(note)</body></html>\n"
    }
}

/// A stand-in TLSA data string and the key it stands for.
public struct EndpointTLSAPlaceholder: Codable, Sendable, Hashable {
    /// The record data in the compiled zones (`3 1 1 <hex>`).
    public var data: String
    public var platform: String
    /// True: the platform's own key (`valid`); false: a key nobody presents (`mismatch`).
    public var matches: Bool

    public init(data: String, platform: String, matches: Bool) {
        self.data = data
        self.platform = platform
        self.matches = matches
    }
}
