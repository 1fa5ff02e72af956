import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// The ServerHello reader on hand-made server flights: whole, byte by byte, fragmented, broken.
@Suite("ServerHello reader")
struct ServerHelloReaderTests {
    static let random = [UInt8](100..<132)

    /// A ServerHello handshake message (header included).
    static func serverHello(version: UInt16 = 0x0303, random: [UInt8] = random, sessionID: [UInt8] = [],
                            suite: UInt16 = 0xC02F, extensions: [UInt8]? = nil) -> [UInt8] {
        var body: [UInt8] = []
        body.appendU16(version)
        body += random + [UInt8(sessionID.count)] + sessionID
        body.appendU16(suite)
        body.append(0)
        if let extensions { body.appendU16(extensions.count); body += extensions }
        var message: [UInt8] = [2]
        message.appendU24(body.count)
        return message + body
    }

    static func record(_ type: UInt8, _ body: [UInt8], version: UInt16 = 0x0303) -> [UInt8] {
        var out: [UInt8] = [type]
        out.appendU16(version)
        out.appendU16(body.count)
        return out + body
    }

    static let tls12Extensions: [UInt8] = [0xFF, 0x01, 0x00, 0x01, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0B, 0x00, 0x02, 0x01, 0x00]
    static let certificateMessage: [UInt8] = [11, 0, 0, 3, 0, 0, 0]

    /// Every reading must agree: whole, one byte at a time, and in a few odd chunkings.
    static func readAllWays(_ bytes: [UInt8], limit: Int = 65_536) -> Result<ServerAnswer, TLSParseError>? {
        let whole = ServerHelloReader.read(bytes, limit: limit)
        var single = ServerHelloReader(limit: limit)
        for byte in bytes { single.feed([byte]) }
        #expect(single.finish() == whole, "byte by byte disagrees with whole")
        for size in [2, 3, 7, 64] {
            var chunked = ServerHelloReader(limit: limit)
            for start in stride(from: 0, to: bytes.count, by: size) { chunked.feed(bytes[start..<min(start + size, bytes.count)]) }
            #expect(chunked.finish() == whole, "chunks of \(size) disagree with whole")
        }
        return whole
    }

    @Test func tlsTwelveServerHelloWithRenegotiationInfoAndEMS() throws {
        let flight = Self.record(22, Self.serverHello(extensions: Self.tls12Extensions) + Self.certificateMessage)
        guard case .success(.serverHello(let hello)) = Self.readAllWays(flight) else { Issue.record("no ServerHello"); return }
        #expect(hello.negotiatedVersion == .tls12 && hello.cipherSuite == 0xC02F && hello.random == Self.random)
        #expect(hello.renegotiationInfo == [] && hello.extendedMasterSecret)
        #expect(hello.extensionTypes == [0xFF01, 23, 11])
        #expect(!hello.isHelloRetryRequest && !hello.hasDowngradeSentinel)
    }

    @Test func sslThreeServerHelloWithoutExtensionsSplitOverThreeRecords() {
        let message = Self.serverHello(version: 0x0300, sessionID: [1, 2, 3], suite: 0x0005)
        let flight = Self.record(22, Array(message[0..<3]), version: 0x0300)
            + Self.record(22, Array(message[3..<20]), version: 0x0300)
            + Self.record(22, Array(message[20...]), version: 0x0300)
        guard case .success(.serverHello(let hello)) = Self.readAllWays(flight) else { Issue.record("no ServerHello"); return }
        #expect(hello.negotiatedVersion == .ssl3 && hello.cipherSuite == 0x0005 && hello.sessionID == [1, 2, 3])
        #expect(hello.renegotiationInfo == nil && !hello.extendedMasterSecret)
    }

    @Test func tlsThirteenServerHelloAndHelloRetryRequest() {
        let extensions: [UInt8] = [0x00, 0x2B, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x24, 0x00, 0x1D, 0x00, 0x20]
            + [UInt8](repeating: 9, count: 32)
        let flight = Self.record(22, Self.serverHello(suite: 0x1301, extensions: extensions), version: 0x0303)
        guard case .success(.serverHello(let hello)) = Self.readAllWays(flight) else { Issue.record("no ServerHello"); return }
        #expect(hello.legacyVersion == 0x0303 && hello.negotiatedVersion == .tls13 && hello.keyShareGroup == 29)
        let retry = Self.record(22, Self.serverHello(random: TLSWire.helloRetryRequestRandom, suite: 0x1301,
                                                     extensions: [0x00, 0x2B, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x02, 0x00, 0x17]))
        guard case .success(.serverHello(let hrr)) = Self.readAllWays(retry) else { Issue.record("no HRR"); return }
        #expect(hrr.isHelloRetryRequest && hrr.keyShareGroup == 23)
    }

    @Test func downgradeSentinelIsRecognised() {
        let random = [UInt8](repeating: 0, count: 24) + TLSWire.downgradeSentinelPrefix + [1]
        guard case .success(.serverHello(let hello)) = Self.readAllWays(Self.record(22, Self.serverHello(random: random))) else {
            Issue.record("no ServerHello"); return
        }
        #expect(hello.hasDowngradeSentinel)
    }

    @Test func alertsAreReportedEvenWhenSplit() {
        #expect(Self.readAllWays(Self.record(21, [2, 40])) == .success(.alert(level: 2, description: 40)))
        #expect(Self.readAllWays(Self.record(21, [2]) + Self.record(21, [70])) == .success(.alert(level: 2, description: 70)))
    }

    /// httpd warns `unrecognized_name` for a name it has no host for, then answers; OpenSSL's
    /// client (and so Internet.nl's) passes warnings over, a few.
    @Test func warningsBeforeTheServerHelloArePassedOver() {
        let hello = Self.record(22, Self.serverHello(extensions: Self.tls12Extensions))
        guard case .success(.serverHello) = Self.readAllWays(Self.record(21, [1, 112]) + hello) else {
            Issue.record("a warning ended the reading"); return
        }
        guard case .success(.serverHello) = Self.readAllWays(Self.record(21, [1, 112, 1, 112]) + Self.record(21, [1]) + Self.record(21, [112]) + hello) else {
            Issue.record("warnings in one record, or split, ended the reading"); return
        }
        #expect(Self.readAllWays(Self.record(21, [1, 112])) == .success(.alert(level: 1, description: 112)), "a warning, then a close")
        #expect(Self.readAllWays(Self.record(21, [1, 112, 2, 40])) == .success(.alert(level: 2, description: 40)))
        #expect(Self.readAllWays(Self.record(21, [1, 0]) + hello) == .success(.alert(level: 1, description: 0)), "close_notify ends it")
        let five = (0..<5).flatMap { _ in Self.record(21, [1, 112]) }
        #expect(Self.readAllWays(five + hello) == .success(.alert(level: 1, description: 112)), "the fifth warning counts")
        #expect(Self.readAllWays(Self.record(21, [1, 112]) + Self.record(21, [1])) == .failure(.truncated("stream")))
    }

    @Test func helloRequestBeforeServerHelloIsSkipped() {
        let flight = Self.record(22, [0, 0, 0, 0] + Self.serverHello())
        guard case .success(.serverHello) = Self.readAllWays(flight) else { Issue.record("HelloRequest not skipped"); return }
    }

    @Test func nonTLSAndMalformedInputsAreErrorsNotCrashes() {
        #expect(Self.readAllWays(Array("HTTP/1.1 400 Bad Request\r\n".utf8)) == .failure(.notTLS(0x48)))
        #expect(Self.readAllWays([22, 3, 3, 0xFF, 0xFF]) == .failure(.badLength("record")))
        #expect(Self.readAllWays(Self.record(22, Self.certificateMessage)) == .failure(.unexpectedHandshake(11)))
        #expect(Self.readAllWays(Self.record(23, [1, 2, 3])) == .failure(.unexpectedRecord(23)))
        #expect(Self.readAllWays([]) == nil, "nothing at all: the caller's 'closed'")
        let longSession = Self.serverHello(sessionID: [UInt8](repeating: 0, count: 33))
        #expect(Self.readAllWays(Self.record(22, longSession)) == .failure(.truncated("ServerHello")))
        let badExtensions = Self.serverHello(extensions: [0xFF, 0x01, 0x00, 0x05, 0x00])
        #expect(Self.readAllWays(Self.record(22, badExtensions)) == .failure(.truncated("extension")))
    }

    @Test func everyTruncationEndsInAnErrorAndTheSizeLimitHolds() {
        let flight = Self.record(22, Self.serverHello(extensions: Self.tls12Extensions))
        for cut in 1..<flight.count {
            #expect(ServerHelloReader.read(Array(flight[0..<cut])) == .failure(.truncated("stream")))
        }
        #expect(Self.readAllWays(flight, limit: flight.count - 1) == .failure(.tooLarge(flight.count - 1)))
        guard case .success(.serverHello) = Self.readAllWays(flight, limit: flight.count) else { Issue.record("limit off by one"); return }
        let huge = (0..<10).flatMap { _ in Self.record(22, [0, 0, 0, 0]) }
        #expect(Self.readAllWays(huge, limit: 20) == .failure(.tooLarge(20)))
    }

    @Test func randomMutationsNeverCrashAndAllReadingsAgree() {
        var generator = SeededGenerator(seed: 0x5EED)
        let base = Self.record(22, Self.serverHello(extensions: Self.tls12Extensions) + Self.certificateMessage)
        for _ in 0..<400 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            _ = Self.readAllWays(bytes, limit: Int.random(in: 5...200, using: &generator))
        }
    }
}
