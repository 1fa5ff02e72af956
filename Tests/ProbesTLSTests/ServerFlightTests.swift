import PeilModel
import Testing
@testable import Probes

/// The flight after a TLS ≤ 1.2 ServerHello: Certificate, ServerKeyExchange and
/// ServerHelloDone across records, and ServerKeyExchange parsing.
@Suite("Server flight reader")
struct ServerFlightTests {
    static func message(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [type]
        out.appendU24(body.count)
        return out + body
    }

    static let certificates: [UInt8] = {
        var list: [UInt8] = []
        for der in [[UInt8](repeating: 1, count: 5), [2, 2]] {
            list.appendU24(der.count)
            list += der
        }
        var body: [UInt8] = []
        body.appendU24(list.count)
        return body + list
    }()

    /// ECDHE over secp256r1, signed with rsa_pss_rsae_sha256.
    static let ecdheKeyExchange: [UInt8] = [3, 0, 23, 4, 9, 9, 9, 9, 0x08, 0x04, 0, 2, 0xAA, 0xBB]

    @Test func flightAcrossRecordsEndsAtServerHelloDone() throws {
        let hello = ServerHelloReaderTests.serverHello(suite: 0xC02F, extensions: ServerHelloReaderTests.tls12Extensions)
        let handshake = hello + Self.message(11, Self.certificates) + Self.message(12, Self.ecdheKeyExchange) + Self.message(14, [])
        let records = ServerHelloReaderTests.record(22, Array(handshake[0..<30])) + ServerHelloReaderTests.record(22, Array(handshake[30...]))
        for size in [1, 5, records.count] {
            var reader = ServerHelloReader(readFlight: true)
            for start in stride(from: 0, to: records.count, by: size) {
                #expect(reader.result == nil || start + size >= records.count)
                reader.feed(records[start..<min(start + size, records.count)])
            }
            guard case .success(.serverHello(let serverHello))? = reader.result else { Issue.record("no result"); return }
            #expect(serverHello.cipherSuite == 0xC02F)
            #expect(reader.flight.complete && reader.flight.interruption == nil)
            #expect(reader.flight.certificates == [[1, 1, 1, 1, 1], [2, 2]])
            #expect(reader.flight.serverKeyExchange == Self.ecdheKeyExchange)
        }
        let parsed = try #require(ServerKeyExchange.parse(Self.ecdheKeyExchange, suite: 0xC02F, version: .tls12))
        #expect(parsed.parameters == .namedCurve(23) && parsed.signatureScheme == 0x0804 && parsed.keyExchange == .ecdhe(group: 23))
    }

    @Test func anAlertAfterTheServerHelloStillReportsTheServerHello() {
        let records = ServerHelloReaderTests.record(22, ServerHelloReaderTests.serverHello()) + ServerHelloReaderTests.record(21, [2, 40])
        var reader = ServerHelloReader(readFlight: true)
        reader.feed(records)
        guard case .success(.serverHello)? = reader.result else { Issue.record("no ServerHello"); return }
        #expect(!reader.flight.complete && reader.flight.interruption == "alert 40")
        var closed = ServerHelloReader(readFlight: true)
        closed.feed(ServerHelloReaderTests.record(22, ServerHelloReaderTests.serverHello()))
        guard case .success(.serverHello)? = closed.finish() else { Issue.record("close after the ServerHello"); return }
    }

    @Test func finiteFieldParametersBecomeTheObservedGroup() throws {
        var body: [UInt8] = []
        let prime: [UInt8] = [0x00, 0xFF, 0x01]
        for field in [prime, [2], [7, 7]] {
            body.appendU16(field.count)
            body += field
        }
        let tls10 = try #require(ServerKeyExchange.parse(body + [0, 1, 0xAB], suite: 0x0033, version: .tls10))
        #expect(tls10.signatureScheme == nil)
        #expect(tls10.keyExchange == .dhe(primeHex: "FF01", generator: 2, bits: 16))
        let tls12 = try #require(ServerKeyExchange.parse(body + [0x04, 0x01, 0, 1, 0xAB], suite: 0x009E, version: .tls12))
        #expect(tls12.signatureScheme == 0x0401)
        #expect(ServerKeyExchange.parse(body, suite: 0x002F, version: .tls12) == nil, "RSA key exchange has none")
        #expect(ServerKeyExchange.parse([3, 0], suite: 0xC02F, version: .tls12) == nil, "truncated")
    }

    @Test func compressionAndKeySharesInTheHello() throws {
        let share = try #require(KeyShareFactory.share(for: 23))
        #expect(share.bytes.count == 65 && share.bytes.first == 4, "an uncompressed P-256 point")
        #expect(KeyShareFactory.share(for: 29)?.bytes.count == 32 && KeyShareFactory.share(for: 30)?.bytes.count == 56)
        #expect(KeyShareFactory.share(for: 33)?.bytes.count == 129 && KeyShareFactory.share(for: 999) == nil)
        let tls12 = try #require(ParsedClientHello(ClientHello(version: .tls12, cipherSuites: [0xC02F], compressionMethods: [1, 0]).bytes()))
        #expect(tls12.compressionMethods == [1, 0])
        let tls13 = ClientHello(version: .tls13, cipherSuites: [0x1301], keyShares: [share], compressionMethods: [1, 0])
        let parsed13 = try #require(ParsedClientHello(tls13.bytes()))
        #expect(parsed13.compressionMethods == [0], "TLS 1.3 offers null only")
        #expect(parsed13.ext(51) == [0x00, 0x45, 0x00, 0x17, 0x00, 0x41] + share.bytes)
    }
}
