import Foundation
import PeilModel

/// The wire's most frequent values built straight from the tape: the RESULT's report and its
/// observations, TASKS' assignments, READY's, ACK's and ACKS' bodies, and arrays of strings. Through `Decodable`'s containers these cost most of a RESULT's decoding
/// (docs/SCALE.md, "Session 26"); built here, member by member with ``TapeFields``,
/// each gives the value or the error its synthesized `init(from:)` gives
/// (`TapeBuiltValuesTests`). Members are read in the order the type declares them, as the
/// synthesized `init(from:)` reads them, so that of two faults the same one is reported. A
/// member added to one of these types must be read here too: the tests catch one left out only
/// once `RandomReports` sets the new member.
extension TapeDecoder {
    /// The value of type `T` at the current entry (its key on the path) when `T` is one of the
    /// types built here; nil for any other type.
    func builtValue<T>(_ type: T.Type) throws -> T? {
        if T.self == [String].self { return unsafeBitCast(try strings(ofArray: current, key: nil), to: T.self) }
        if T.self == TaskReport.self { return unsafeBitCast(try built(TaskReport.init(tape:)), to: T.self) }
        if T.self == WireMessage.Credits.self { return unsafeBitCast(try built(WireMessage.Credits.init(tape:)), to: T.self) }
        if T.self == WireMessage.AckBody.self { return unsafeBitCast(try built(WireMessage.AckBody.init(tape:)), to: T.self) }
        if T.self == WireMessage.AcksBody.self { return unsafeBitCast(try built(WireMessage.AcksBody.init(tape:)), to: T.self) }
        if T.self == [TaskAssignment].self { return unsafeBitCast(try builtArray(TaskAssignment.init(tape:)), to: T.self) }
        if T.self == ConnectTarget.self { return unsafeBitCast(try built(ConnectTarget.init(tape:)), to: T.self) }
        if T.self == ResolutionObservation.self { return unsafeBitCast(try built(ResolutionObservation.init(tape:)), to: T.self) }
        if T.self == ConnectObservation.self { return unsafeBitCast(try built(ConnectObservation.init(tape:)), to: T.self) }
        if T.self == WebObservation.self { return unsafeBitCast(try built(WebObservation.init(tape:)), to: T.self) }
        if T.self == MailServerObservation.self { return unsafeBitCast(try built(MailServerObservation.init(tape:)), to: T.self) }
        if T.self == ReachObservation.self { return unsafeBitCast(try built(ReachObservation.init(tape:)), to: T.self) }
        if T.self == NameserverObservation.self { return unsafeBitCast(try built(NameserverObservation.init(tape:)), to: T.self) }
        if T.self == HTTPExchange.self { return unsafeBitCast(try built(HTTPExchange.init(tape:)), to: T.self) }
        if T.self == SecurityTxtFetch.self { return unsafeBitCast(try built(SecurityTxtFetch.init(tape:)), to: T.self) }
        if T.self == TLSCertificateVerification.self { return unsafeBitCast(try built(TLSCertificateVerification.init(tape:)), to: T.self) }
        if T.self == TLSScanResult.self { return unsafeBitCast(try built(TLSScanResult.init(tape:)), to: T.self) }
        if T.self == TLSObservation.self { return unsafeBitCast(try built(TLSObservation.init(tape:)), to: T.self) }
        if T.self == DNSFacts.self { return unsafeBitCast(try built(DNSFacts.init(tape:)), to: T.self) }
        if T.self == HostAddresses.self { return unsafeBitCast(try built(HostAddresses.init(tape:)), to: T.self) }
        if T.self == CAASet.self { return unsafeBitCast(try built(CAASet.init(tape:)), to: T.self) }
        if T.self == [DNSQueryRecord].self { return unsafeBitCast(try builtArray(DNSQueryRecord.init(tape:)), to: T.self) }
        if T.self == [HostAddresses].self { return unsafeBitCast(try builtArray(HostAddresses.init(tape:)), to: T.self) }
        if T.self == [HTTPHeaderField].self { return unsafeBitCast(try builtArray(HTTPHeaderField.init(tape:)), to: T.self) }
        if T.self == [HTTPExchange].self { return unsafeBitCast(try builtArray(HTTPExchange.init(tape:)), to: T.self) }
        if T.self == DNSQueryRecord.self { return unsafeBitCast(try built(DNSQueryRecord.init(tape:)), to: T.self) }
        if T.self == HTTPHeaderField.self { return unsafeBitCast(try built(HTTPHeaderField.init(tape:)), to: T.self) }
        return nil
    }

    /// The array of objects at the current entry, each read by `build`.
    private func builtArray<Element>(_ build: (inout TapeFields) throws -> Element) throws -> [Element] {
        try builtElements(ofArray: current, key: nil, build)
    }

    /// The object at the current entry, read by `build`.
    private func built<Value>(_ build: (inout TapeFields) throws -> Value) throws -> Value {
        var fields = try TapeFields(self)
        return try build(&fields)
    }
}

extension DNSQueryRecord {
    init(tape fields: inout TapeFields) throws {
        self.init(name: try fields.string("name"), type: try fields.string("type"), rcode: try fields.string("rcode"),
                  dnssec: try fields.rawValue("dnssec", DNSSECStatus.self), reason: try fields.optionalString("reason"),
                  records: try fields.strings("records"))
    }
}

extension HTTPHeaderField {
    init(tape fields: inout TapeFields) throws {
        self.init(name: try fields.string("name"), value: try fields.string("value"))
    }
}

extension HostAddresses {
    /// The arrays as sent: the synthesized `init(from:)` does not sort them as `init(host:ipv4:ipv6:)` does.
    init(tape fields: inout TapeFields) throws {
        self.init(host: try fields.string("host"))
        ipv4 = try fields.strings("ipv4")
        ipv6 = try fields.strings("ipv6")
    }
}

extension HTTPExchange {
    init(tape fields: inout TapeFields) throws {
        self.init(url: try fields.string("url"), status: try fields.optionalInteger("status"),
                  headers: try fields.builtArray("headers", HTTPHeaderField.init(tape:)), bodyBytes: try fields.integer("bodyBytes"),
                  error: try fields.optionalString("error"), page: try fields.optionalValue("page", WebPageDigest.self))
    }
}

extension TLSScanResult {
    init(tape fields: inout TapeFields) throws {
        self.init(outcome: try fields.rawValue("outcome", Outcome.self), detail: try fields.optionalString("detail"),
                  observation: try fields.optionalValue("observation", TLSObservation.self),
                  certificate: try fields.optionalValue("certificate", TLSCertificateVerification.self),
                  handshakes: try fields.integer("handshakes"), connections: try fields.optionalInteger("connections"),
                  serverScanReused: try fields.optionalBool("serverScanReused"))
    }
}

extension TLSObservation {
    init(tape fields: inout TapeFields) throws {
        self.init(
            versions: try fields.rawValues("versions", TLSVersion.self),
            ciphers: try fields.builtArray("ciphers", TLSVersionCiphers.init(tape:)),
            cipherChoices: try fields.builtArray("cipherChoices", TLSCipherChoice.init(tape:)),
            keyExchanges: try fields.value("keyExchanges", [TLSKeyExchange].self),
            sha1SignatureProbe: try fields.optionalRawValue("sha1SignatureProbe", TLSSignatureProbe.self),
            sha224SignatureProbe: try fields.optionalRawValue("sha224SignatureProbe", TLSSignatureProbe.self),
            sha2OnlyTLS12Probe: try fields.optionalRawValue("sha2OnlyTLS12Probe", TLSSignatureProbe.self),
            sha2OnlyTLS13Probe: try fields.optionalRawValue("sha2OnlyTLS13Probe", TLSSignatureProbe.self),
            compression: try fields.optionalBool("compression"),
            secureRenegotiation: try fields.optionalBool("secureRenegotiation"),
            clientRenegotiations: try fields.optionalInteger("clientRenegotiations"),
            extendedMasterSecret: try fields.optionalBool("extendedMasterSecret"),
            earlyDataAccepted: try fields.optionalBool("earlyDataAccepted"),
            earlyDataTooEarly425: try fields.optionalBool("earlyDataTooEarly425"),
            leafHasOCSPURL: try fields.optionalBool("leafHasOCSPURL"),
            ocspStapling: try fields.optionalRawValue("ocspStapling", TLSOCSPStapling.self),
            chain: try fields.builtArray("chain", TLSCertificateFacts.init(tape:)))
    }
}

extension TLSVersionCiphers {
    init(tape fields: inout TapeFields) throws {
        self.init(version: try fields.rawValue("version", TLSVersion.self), ciphers: try fields.integers("ciphers", UInt16.self))
    }
}

extension TLSCipherChoice {
    init(tape fields: inout TapeFields) throws {
        self.init(version: try fields.rawValue("version", TLSVersion.self), offered: try fields.integers("offered", UInt16.self),
                  chosen: try fields.optionalInteger("chosen", UInt16.self))
    }
}

extension TLSCertificateFacts {
    init(tape fields: inout TapeFields) throws {
        self.init(commonName: try fields.optionalString("commonName"), keyType: try fields.rawValue("keyType", KeyType.self),
                  keyBits: try fields.integer("keyBits"), curve: try fields.optionalString("curve"),
                  signatureAlgorithm: try fields.string("signatureAlgorithm"), isTrustedRoot: try fields.bool("isTrustedRoot"))
    }
}

extension ResolutionObservation {
    init(tape fields: inout TapeFields) throws {
        self.init(facts: try fields.value("facts", DNSFacts.self), queries: try fields.builtArray("queries", DNSQueryRecord.init(tape:)))
    }
}

extension DNSFacts {
    /// Every member as sent: the synthesized `init(from:)` does not sort the lists as
    /// `init(domain:…)` does, so they are set after it.
    init(tape fields: inout TapeFields) throws {
        let domain = try fields.string("domain")
        let dnssec = try fields.rawValue("dnssec", DNSSECStatus.self)
        let dnssecReason = try fields.optionalString("dnssecReason")
        let nsZone = try fields.optionalString("nsZone")
        let nameservers = try fields.builtArray("nameservers", HostAddresses.init(tape:))
        let domainAddresses = try fields.value("domainAddresses", HostAddresses.self)
        let web = try fields.value("web", HostAddresses.self)
        let webDNSSEC = try fields.rawValue("webDNSSEC", DNSSECStatus.self)
        let mx = try fields.builtArray("mx", MailExchanger.init(tape:))
        let nullMX = try fields.bool("nullMX")
        let txt = try fields.strings("txt")
        let spf = try fields.strings("spf")
        let dmarc = try fields.strings("dmarc")
        let domainKey = try fields.rawValue("domainKey", DomainKeyPresence.self)
        let caaFoundAt = try fields.optionalString("caaFoundAt")
        let caa = try fields.strings("caa")
        let webTLSA = try fields.strings("webTLSA")
        let webNSZone = try fields.optionalString("webNSZone")
        let webNameservers = try fields.optionalValue("webNameservers", [HostAddresses].self)
        let mxNameservers = try fields.optionalValue("mxNameservers", [HostAddresses].self)
        let tlsrpt = try fields.optionalValue("tlsrpt", [String].self)
        self.init(domain: domain, dnssec: dnssec, dnssecReason: dnssecReason, nsZone: nsZone, nameservers: [],
                  domainAddresses: domainAddresses, web: web, webDNSSEC: webDNSSEC, mx: [], nullMX: nullMX, txt: [], spf: [],
                  dmarc: [], domainKey: domainKey, caaFoundAt: caaFoundAt, caa: [], webTLSA: [], webNSZone: webNSZone)
        self.nameservers = nameservers
        self.mx = mx
        self.txt = txt
        self.spf = spf
        self.dmarc = dmarc
        self.caa = caa
        self.webTLSA = webTLSA
        self.webNameservers = webNameservers
        self.mxNameservers = mxNameservers
        self.tlsrpt = tlsrpt
    }
}

extension MailExchanger {
    /// The lists as sent (see ``DNSFacts/init(tape:)``).
    init(tape fields: inout TapeFields) throws {
        let preference = try fields.integer("preference")
        let host = try fields.string("host")
        let dnssec = try fields.rawValue("dnssec", DNSSECStatus.self)
        let ipv4 = try fields.strings("ipv4")
        let ipv6 = try fields.strings("ipv6")
        let tlsa = try fields.strings("tlsa")
        let caa = try fields.optionalValue("caa", CAASet.self)
        self.init(preference: preference, host: host, dnssec: dnssec, caa: caa)
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.tlsa = tlsa
    }
}

extension ConnectObservation {
    init(tape fields: inout TapeFields) throws {
        self.init(reach: try fields.optionalValue("reach", ReachObservation.self),
                  nameserver: try fields.optionalValue("nameserver", NameserverObservation.self),
                  web: try fields.optionalValue("web", WebObservation.self), mail: try fields.optionalValue("mail", MailServerObservation.self))
    }
}

extension CAASet {
    /// The records as sent (see ``DNSFacts/init(tape:)``).
    init(tape fields: inout TapeFields) throws {
        let foundAt = try fields.optionalString("foundAt")
        let records = try fields.strings("records")
        self.init(foundAt: foundAt, records: [])
        self.records = records
    }
}

extension WebObservation {
    init(tape fields: inout TapeFields) throws {
        self.init(tls: try fields.value("tls", TLSScanResult.self), https: try fields.optionalValue("https", HTTPExchange.self),
                  http: try fields.optionalValue("http", HTTPExchange.self), port80: try fields.rawValue("port80", PortProbe.State.self),
                  securityTxt: try fields.optionalValue("securityTxt", SecurityTxtFetch.self))
    }
}

extension MailServerObservation {
    init(tape fields: inout TapeFields) throws {
        self.init(tls: try fields.value("tls", TLSScanResult.self))
    }
}

extension ReachObservation {
    init(tape fields: inout TapeFields) throws {
        self.init(ports: try fields.builtArray("ports", PortProbe.init(tape:)))
    }
}

extension PortProbe {
    init(tape fields: inout TapeFields) throws {
        self.init(port: try fields.integer("port", UInt16.self), state: try fields.rawValue("state", State.self))
    }
}

extension SecurityTxtFetch {
    init(tape fields: inout TapeFields) throws {
        self.init(exchanges: try fields.builtArray("exchanges", HTTPExchange.init(tape:)), body: try fields.optionalString("body"),
                  bodyTruncated: try fields.bool("bodyTruncated"), fetchedAt: try fields.integer("fetchedAt", Int64.self))
    }
}

extension TLSCertificateVerification {
    init(tape fields: inout TapeFields) throws {
        self.init(trusted: try fields.bool("trusted"), verifyError: try fields.optionalString("verifyError"),
                  nameMatches: try fields.optionalBool("nameMatches"), chainDER: try fields.strings("chainDER"))
    }
}

extension TaskReport {
    init(tape fields: inout TapeFields) throws {
        self.init(taskID: try fields.integer("taskID", Int64.self), attempt: try fields.integer("attempt"),
                  outcome: try fields.rawValue("outcome", ProbeOutcome.self), detail: try fields.optionalString("detail"),
                  resolution: try fields.optionalValue("resolution", ResolutionObservation.self),
                  connect: try fields.optionalValue("connect", ConnectObservation.self))
    }
}

extension NameserverObservation {
    init(tape fields: inout TapeFields) throws {
        self.init(answered: try fields.bool("answered"), transport: try fields.optionalString("transport"),
                  rcode: try fields.optionalString("rcode"), detail: try fields.optionalString("detail"))
    }
}

extension WireMessage.Credits {
    init(tape fields: inout TapeFields) throws {
        self.init(credits: try fields.integer("credits"))
    }
}

extension WireMessage.AckBody {
    init(tape fields: inout TapeFields) throws {
        self.init(taskID: try fields.integer("taskID", Int64.self), attempt: try fields.integer("attempt"))
    }
}

extension WireMessage.AcksBody {
    init(tape fields: inout TapeFields) throws {
        self.init(acks: try fields.builtArray("acks") { try WireMessage.Acknowledgement(taskID: $0.integer("taskID", Int64.self), attempt: $0.integer("attempt")) })
    }
}

extension TaskAssignment {
    /// As its `init(from:)`: `freeAttempts` may be absent (none).
    init(tape fields: inout TapeFields) throws {
        self.init(taskID: try fields.integer("taskID", Int64.self), attempt: try fields.integer("attempt"),
                  measurementID: try fields.integer("measurementID", Int64.self), kind: try fields.rawValue("kind", TaskKind.self),
                  domain: try fields.string("domain"), webHost: try fields.string("webHost"),
                  family: try fields.optionalRawValue("family", AddressFamily.self),
                  target: try fields.optionalValue("target", ConnectTarget.self),
                  freeAttempts: try fields.optionalInteger("freeAttempts") ?? 0)
    }
}

extension ConnectTarget {
    init(tape fields: inout TapeFields) throws {
        self.init(address: try fields.string("address"), family: try fields.rawValue("family", AddressFamily.self),
                  host: try fields.string("host"))
    }
}
