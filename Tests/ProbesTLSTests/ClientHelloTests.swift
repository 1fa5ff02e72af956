import PeilModel
import Testing
@testable import Probes

/// The hand-built ClientHello, byte by byte.
@Suite("ClientHello builder")
struct ClientHelloTests {
    @Test func sslThreeHelloIsExactlyTheBytesExpected() {
        let random = [UInt8](0..<32)
        let hello = ClientHello(version: .ssl3, cipherSuites: [0x0005, 0x000A], serverName: "www.example.nl",
                                renegotiationSCSV: true, random: random)
        let body: [UInt8] = [0x03, 0x00] + random + [0x00, 0x00, 0x06, 0x00, 0x05, 0x00, 0x0A, 0x00, 0xFF, 0x01, 0x00]
        let expected: [UInt8] = [0x16, 0x03, 0x00, 0x00, UInt8(body.count + 4), 0x01, 0x00, 0x00, UInt8(body.count)] + body
        #expect(hello.bytes() == expected)
    }

    @Test func tlsTwelveHelloCarriesTheRequestedExtensionsInOrder() throws {
        let hello = ClientHello(version: .tls12, cipherSuites: [0xC02F], serverName: "WWW.Example.NL.",
                                groups: [29, 23], signatureAlgorithms: [0x0804], random: [UInt8](repeating: 1, count: 32))
        let parsed = try #require(ParsedClientHello(hello.bytes()))
        #expect(parsed.recordVersion == 0x0301 && parsed.clientVersion == 0x0303)
        #expect(parsed.sessionID.isEmpty && parsed.cipherSuites == [0xC02F])
        #expect(parsed.extensions.map(\.type) == [0, 10, 11, 13, 0xFF01, 23])
        #expect(parsed.ext(0) == [0x00, 0x11, 0x00, 0x00, 0x0E] + Array("www.example.nl".utf8))
        #expect(parsed.ext(10) == [0x00, 0x04, 0x00, 0x1D, 0x00, 0x17])
        #expect(parsed.ext(11) == [0x01, 0x00])
        #expect(parsed.ext(13) == [0x00, 0x02, 0x08, 0x04])
        #expect(parsed.ext(0xFF01) == [0x00])
        #expect(parsed.ext(23) == [])
        var long = hello
        long.cipherSuites += (1...100).map { UInt16($0) }
        let padded = try #require(ParsedClientHello(long.bytes()))
        #expect(padded.cipherSuites.count == 101 && padded.extensions.last?.type == 21)
        #expect(padded.handshakeLength + 4 == 512, "padded past the 256–511 byte range")
    }

    @Test func tlsThirteenHelloOffersSupportedVersionsAndAKeyShare() throws {
        let share = [UInt8](repeating: 7, count: 32)
        let hello = ClientHello(version: .tls13, cipherSuites: [0x1301, 0x1302], serverName: "127.0.0.1",
                                keyShares: [ClientHello.KeyShare(group: 29, bytes: share)])
        let parsed = try #require(ParsedClientHello(hello.bytes()))
        #expect(parsed.clientVersion == 0x0303 && parsed.sessionID.count == 32)
        #expect(parsed.ext(0) == nil, "no SNI for an address literal")
        #expect(parsed.ext(43) == [4, 0x03, 0x04, 0x03, 0x03])
        #expect(parsed.ext(51) == [0x00, 0x24, 0x00, 0x1D, 0x00, 0x20] + share)
    }

    @Test func tlsTenHelloHasNoSignatureAlgorithmsAndOptionalExtensionsCanBeDropped() throws {
        let hello = ClientHello(version: .tls10, cipherSuites: [0x002F], groups: [], renegotiationInfo: false,
                                extendedMasterSecret: false)
        let parsed = try #require(ParsedClientHello(hello.bytes()))
        #expect(parsed.clientVersion == 0x0301 && parsed.extensions.isEmpty)
        let bare = try #require(ParsedClientHello(ClientHello(version: .tls12, cipherSuites: [1], omitExtensions: true).bytes()))
        #expect(bare.extensionBlockPresent == false)
    }
}

/// A strict reader of the builder's output, so the tests check structure independently.
struct ParsedClientHello {
    var recordVersion: UInt16, clientVersion: UInt16, handshakeLength: Int
    var sessionID: [UInt8], cipherSuites: [UInt16], compressionMethods: [UInt8]
    var extensions: [(type: UInt16, data: [UInt8])] = []
    var extensionBlockPresent = false

    func ext(_ type: UInt16) -> [UInt8]? { extensions.first { $0.type == type }?.data }

    init?(_ bytes: [UInt8]) {
        var c = TLSCursor(bytes)
        guard c.u8() == 22, let record = c.u16(), let length = c.u16(), Int(length) == c.remaining,
              c.u8() == 1, let h1 = c.u8(), let h2 = c.u16(), Int(h1) << 16 | Int(h2) == c.remaining,
              let version = c.u16(), c.bytes(32) != nil, let idLength = c.u8(), let id = c.bytes(Int(idLength)),
              let suitesLength = c.u16(), let suites = c.bytes(Int(suitesLength)),
              let compressionLength = c.u8(), let compression = c.bytes(Int(compressionLength))
        else { return nil }
        compressionMethods = compression
        (recordVersion, clientVersion, handshakeLength, sessionID) = (record, version, Int(h2), id)
        cipherSuites = stride(from: 0, to: suites.count, by: 2).map { UInt16(suites[$0]) << 8 | UInt16(suites[$0 + 1]) }
        guard c.remaining > 0 else { return }
        extensionBlockPresent = true
        guard let total = c.u16(), Int(total) == c.remaining else { return nil }
        while c.remaining > 0 {
            guard let type = c.u16(), let length = c.u16(), let data = c.bytes(Int(length)) else { return nil }
            extensions.append((type, data))
        }
    }
}
