import PeilModel
import PeilTestSupport

/// Random agent reports with every field of every observation type set or unset at random, and
/// strings that need escapes (quotes, backslashes, control characters, NUL, non-ASCII, emoji),
/// for comparing decoders on what agents send.
struct RandomReports {
    var generator: SeededGenerator

    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    private mutating func chance(_ percent: Int = 50) -> Bool { Int.random(in: 0..<100, using: &generator) < percent }
    private mutating func maybe<T>(_ make: (inout RandomReports) -> T) -> T? { chance() ? make(&self) : nil }
    private mutating func list<T>(_ upTo: Int, _ make: (inout RandomReports) -> T) -> [T] {
        (0..<Int.random(in: 0...upTo, using: &generator)).map { _ in make(&self) }
    }
    private mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &generator)] }
    private mutating func int(_ range: ClosedRange<Int> = 0...100_000) -> Int { Int.random(in: range, using: &generator) }
    private mutating func uint16() -> UInt16 { UInt16.random(in: 0...UInt16.max, using: &generator) }

    private static let pieces = ["a", "example", ".nl", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1f}", "é", "ĳ", "😀", "\u{7f}",
                                 "<script>", "=", "v=spf1 -all", "3 1 1 ab12", "\u{2028}", "%", "{", "}", "[", "]", ",", ":"]
    private mutating func text() -> String { (0..<int(0...6)).map { _ in pick(Self.pieces) }.joined() }
    private mutating func texts(_ upTo: Int = 4) -> [String] { list(upTo) { $0.text() } }
    private mutating func dnssec() -> DNSSECStatus { pick(DNSSECStatus.allCases) }

    mutating func report() -> TaskReport {
        let outcome = pick([ProbeOutcome.completed, .completed, .completed, .timeout, .probeError, .notPermitted, .contactLost])
        var report = TaskReport(taskID: Int64(int(1...Int.max)), attempt: int(1...9), outcome: outcome, detail: maybe { $0.text() })
        switch int(0...2) {
        case 0: report.resolution = resolution()
        case 1: report.connect = connect()
        default: break
        }
        return report
    }

    mutating func resolution() -> ResolutionObservation {
        ResolutionObservation(facts: facts(), queries: list(12) { generator in
            DNSQueryRecord(name: generator.text(), type: generator.pick(["A", "AAAA", "NS", "MX", "TXT", "CAA", "TLSA", "SOA"]),
                           rcode: generator.pick(["NOERROR", "NXDOMAIN", "SERVFAIL", "TIMEOUT"]), dnssec: generator.dnssec(),
                           reason: generator.maybe { $0.text() }, records: generator.texts())
        })
    }

    private mutating func hosts() -> HostAddresses { HostAddresses(host: text(), ipv4: texts(3), ipv6: texts(3)) }

    private mutating func facts() -> DNSFacts {
        DNSFacts(domain: text(), dnssec: dnssec(), dnssecReason: maybe { $0.text() }, nsZone: maybe { $0.text() },
                 nameservers: list(3) { $0.hosts() }, domainAddresses: hosts(), web: hosts(), webDNSSEC: dnssec(),
                 mx: list(3) { generator in
                     MailExchanger(preference: generator.int(0...65535), host: generator.text(), dnssec: generator.dnssec(),
                                   ipv4: generator.texts(2), ipv6: generator.texts(2), tlsa: generator.texts(2),
                                   caa: generator.maybe { CAASet(foundAt: $0.maybe { $0.text() }, records: $0.texts(2)) })
                 },
                 nullMX: chance(), txt: texts(), spf: texts(2), dmarc: texts(2), domainKey: pick([.exists, .nxdomain, .error]),
                 caaFoundAt: maybe { $0.text() }, caa: texts(2), webTLSA: texts(2), webNSZone: maybe { $0.text() },
                 webNameservers: maybe { $0.list(2) { $0.hosts() } }, mxNameservers: maybe { $0.list(2) { $0.hosts() } },
                 tlsrpt: maybe { $0.texts(2) })
    }

    mutating func connect() -> ConnectObservation {
        switch int(0...3) {
        case 0:
            return ConnectObservation(reach: ReachObservation(ports: list(3) {
                PortProbe(port: $0.uint16(), state: $0.pick([.open, .refused, .timeout]))
            }))
        case 1:
            return ConnectObservation(nameserver: NameserverObservation(answered: chance(), transport: maybe { $0.pick(["udp", "tcp"]) },
                                                                        rcode: maybe { $0.text() }, detail: maybe { $0.text() }))
        case 2:
            return ConnectObservation(web: WebObservation(tls: tlsScan(), https: maybe { $0.exchange() }, http: maybe { $0.exchange() },
                                                          port80: pick([.open, .refused, .timeout]),
                                                          securityTxt: maybe { generator in
                                                              SecurityTxtFetch(exchanges: generator.list(2) { $0.exchange() },
                                                                               body: generator.maybe { $0.text() },
                                                                               bodyTruncated: generator.chance(),
                                                                               fetchedAt: Int64(generator.int(0...2_000_000_000)))
                                                          }))
        default:
            return ConnectObservation(mail: MailServerObservation(tls: tlsScan()))
        }
    }

    private mutating func exchange() -> HTTPExchange {
        HTTPExchange(url: text(), status: maybe { $0.int(100...599) },
                     headers: list(4) { HTTPHeaderField(name: $0.text(), value: $0.text()) }, bodyBytes: int(),
                     error: maybe { $0.text() },
                     page: maybe { generator in
                         var histogram = [Int](repeating: 0, count: 256)
                         for _ in 0..<generator.int(0...20) { histogram[generator.int(0...255)] = generator.int(0...5_000) }
                         return WebPageDigest(histogram: histogram, bodyBytes: generator.int(), truncated: generator.chance(),
                                              error: generator.maybe { $0.text() })
                     })
    }

    private mutating func probe() -> TLSSignatureProbe { pick([.signedWithOffered, .signedOtherwise, .handshakeFailed, .unknown]) }
    private mutating func flag() -> Bool? { maybe { $0.chance() } }

    private mutating func tlsScan() -> TLSScanResult {
        TLSScanResult(outcome: pick([.completed, .unreachable, .noTLS, .noStartTLS, .inconclusive]), detail: maybe { $0.text() },
                      observation: maybe { $0.tlsObservation() },
                      certificate: maybe { TLSCertificateVerification(trusted: $0.chance(), verifyError: $0.maybe { $0.text() },
                                                                      nameMatches: $0.flag(), chainDER: $0.texts(3)) },
                      handshakes: int(0...400), connections: maybe { $0.int(0...400) }, serverScanReused: flag())
    }

    private mutating func tlsObservation() -> TLSObservation {
        TLSObservation(
            versions: list(4) { $0.pick(TLSVersion.allCases) },
            ciphers: list(3) { TLSVersionCiphers(version: $0.pick(TLSVersion.allCases), ciphers: $0.list(8) { $0.uint16() }) },
            cipherChoices: list(3) { TLSCipherChoice(version: $0.pick(TLSVersion.allCases), offered: $0.list(6) { $0.uint16() },
                                                     chosen: $0.maybe { $0.uint16() }) },
            keyExchanges: list(3) { generator in
                generator.chance() ? .ecdhe(group: generator.uint16())
                    : .dhe(primeHex: generator.text(), generator: UInt64.random(in: 0...UInt64.max, using: &generator.generator),
                           bits: generator.int(0...8192))
            },
            sha1SignatureProbe: maybe { $0.probe() }, sha224SignatureProbe: maybe { $0.probe() },
            sha2OnlyTLS12Probe: maybe { $0.probe() }, sha2OnlyTLS13Probe: maybe { $0.probe() },
            compression: flag(), secureRenegotiation: flag(), clientRenegotiations: maybe { $0.int(0...11) },
            extendedMasterSecret: flag(), earlyDataAccepted: flag(), earlyDataTooEarly425: flag(), leafHasOCSPURL: flag(),
            ocspStapling: maybe { $0.pick([.notStapled, .stapledTrusted, .stapledUntrusted]) },
            chain: list(3) { generator in
                TLSCertificateFacts(commonName: generator.maybe { $0.text() },
                                    keyType: generator.pick([.rsa, .dsa, .dh, .ec, .ed25519, .ed448, .other]),
                                    keyBits: generator.int(0...16384), curve: generator.maybe { $0.text() },
                                    signatureAlgorithm: generator.text(), isTrustedRoot: generator.chance())
            })
    }

    mutating func assignment() -> TaskAssignment {
        let kind = pick(TaskKind.allCases)
        return TaskAssignment(taskID: Int64(int(1...Int.max)), attempt: int(1...9), measurementID: Int64(int(1...1000)), kind: kind,
                              domain: text(), webHost: text(), family: maybe { $0.pick(AddressFamily.allCases) },
                              target: kind == .resolve ? nil : ConnectTarget(address: text(), family: pick(AddressFamily.allCases), host: text()),
                              freeAttempts: int(0...3))
    }
}
