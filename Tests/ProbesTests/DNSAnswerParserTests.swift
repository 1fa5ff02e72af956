import Testing
@testable import Probes

@Suite("Answer packets")
struct DNSAnswerParserTests {
    @Test func addressRecordsAreSortedAndFormatted() throws {
        var packet = PacketBuilder(question: "www.example.nl", type: 1)
        packet.answer(owner: PacketBuilder.pointer(PacketBuilder.questionOffset), type: 1, rdata: [198, 18, 16, 9])
        packet.answer(owner: PacketBuilder.pointer(PacketBuilder.questionOffset), type: 1, rdata: [198, 18, 16, 10])
        let answer = try DNSAnswerParser.parse(packet.bytes, type: .a)
        #expect(answer == DNSAnswer(responseCode: 0, records: ["198.18.16.10", "198.18.16.9"]))
    }

    @Test func aaaaUsesRFC5952() throws {
        var packet = PacketBuilder(question: "www.example.nl", type: 28)
        packet.answer("www.example.nl", type: 28, rdata: [0x20, 0x01, 0, 2, 0, 0, 0, 0x80] + [UInt8](repeating: 0, count: 7) + [1])
        #expect(try DNSAnswerParser.parse(packet.bytes, type: .aaaa).records == ["2001:2:0:80::1"])
    }

    @Test func onlyRecordsOfTheQueriedTypeAreKept() throws {
        var packet = PacketBuilder(question: "www.example.nl", type: 1)
        packet.answer("www.example.nl", type: 5, rdata: PacketBuilder.name("web.provider.nl"))
        packet.answer("web.provider.nl", type: 1, rdata: [198, 18, 16, 1])
        packet.answer("web.provider.nl", type: 46, rdata: [1, 2, 3])
        #expect(try DNSAnswerParser.parse(packet.bytes, type: .a).records == ["198.18.16.1"])
        #expect(try DNSAnswerParser.parse(packet.bytes, type: .cname).records == ["web.provider.nl"])
    }

    @Test func mxNamesAreLowerCaseWithoutTrailingDotAndFollowPointers() throws {
        var packet = PacketBuilder(question: "Example.NL", type: 15)
        packet.answer(owner: PacketBuilder.pointer(12), type: 15, rdata: PacketBuilder.u16(10) + [2] + Array("MX".utf8) + PacketBuilder.pointer(12))
        packet.answer(owner: PacketBuilder.pointer(12), type: 15, rdata: PacketBuilder.u16(20) + PacketBuilder.name("mx2.Provider.nl"))
        #expect(try DNSAnswerParser.parse(packet.bytes, type: .mx).records == ["10 mx.example.nl", "20 mx2.provider.nl"])
    }

    @Test func nullMXIsZeroDot() throws {
        var packet = PacketBuilder(question: "example.nl", type: 15)
        packet.answer("example.nl", type: 15, rdata: PacketBuilder.u16(0) + [0])
        #expect(try DNSAnswerParser.parse(packet.bytes, type: .mx).records == ["0 ."])
    }

    @Test func nsRecords() throws {
        var packet = PacketBuilder(question: "example.nl", type: 2)
        packet.answer("example.nl", type: 2, rdata: PacketBuilder.name("NS2.example.nl"))
        packet.answer("example.nl", type: 2, rdata: PacketBuilder.name("ns1.example.nl"))
        #expect(try DNSAnswerParser.parse(packet.bytes, type: .ns).records == ["ns1.example.nl", "ns2.example.nl"])
    }

    @Test(arguments: [
        (PacketBuilder.txt("v=spf1 -all"), "v=spf1 -all"),
        (PacketBuilder.txt("v=spf1 include:_spf.example.nl ", "ip4:198.18.0.0/16 -all"), "v=spf1 include:_spf.example.nl ip4:198.18.0.0/16 -all"),
        (PacketBuilder.txt("", "a", "", "b"), "ab"),
        (PacketBuilder.txt(""), ""),
        (PacketBuilder.txt("quote \" and \\ stay"), "quote \" and \\ stay"),
        (PacketBuilder.txt("café"), "café"),
        (PacketBuilder.txt([[0x61, 0xFF, 0x00, 0x62]]), "a\\255\\000b"),
        (PacketBuilder.txt([[UInt8](repeating: 0x78, count: 255), [0x79]]), String(repeating: "x", count: 255) + "y"),
    ])
    func txtIsTheConcatenationOfItsStrings(rdata: [UInt8], expected: String) throws {
        var packet = PacketBuilder(question: "example.nl", type: 16)
        packet.answer("example.nl", type: 16, rdata: rdata)
        #expect(try DNSAnswerParser.parse(packet.bytes, type: .txt).records == [expected])
    }

    private static func caa(_ flags: UInt8, _ tag: String, _ value: [UInt8]) -> [UInt8] {
        [flags, UInt8(tag.utf8.count)] + Array(tag.utf8) + value
    }

    @Test(arguments: [
        (caa(0, "issue", Array("letsencrypt.org".utf8)), "0 issue \"letsencrypt.org\""),
        (caa(128, "issuewild", Array(";".utf8)), "128 issuewild \";\""),
        (caa(0, "IODEF", Array("mailto:a@b.nl".utf8)), "0 iodef \"mailto:a@b.nl\""),
        (caa(0, "issue", []), "0 issue \"\""),
        (caa(0, "issue", [0x22, 0x5C, 0x0A]), "0 issue \"\\\"\\\\\\010\""),
    ] as [([UInt8], String)])
    func caaIsFlagsTagQuotedValue(rdata: [UInt8], expected: String) throws {
        var packet = PacketBuilder(question: "example.nl", type: 257)
        packet.answer("example.nl", type: 257, rdata: rdata)
        #expect(try DNSAnswerParser.parse(packet.bytes, type: .caa).records == [expected])
    }

    @Test func tlsaIsNumbersAndLowerCaseHex() throws {
        var packet = PacketBuilder(question: "_25._tcp.mx.example.nl", type: 52)
        packet.answer("_25._tcp.mx.example.nl", type: 52, rdata: [3, 1, 1, 0xAB, 0x0F, 0x00, 0xFF])
        packet.answer("_25._tcp.mx.example.nl", type: 52, rdata: [2, 0, 2, 0x01])
        #expect(try DNSAnswerParser.parse(packet.bytes, type: .tlsa).records == ["2 0 2 01", "3 1 1 ab0f00ff"])
    }

    @Test func soaFields() throws {
        var packet = PacketBuilder(question: "example.nl", type: 6)
        let rdata = PacketBuilder.name("ns1.example.nl") + PacketBuilder.name("hostmaster.example.nl")
            + PacketBuilder.u32(2024010101) + PacketBuilder.u32(3600) + PacketBuilder.u32(900) + PacketBuilder.u32(604800) + PacketBuilder.u32(300)
        packet.answer("example.nl", type: 6, rdata: rdata)
        #expect(try DNSAnswerParser.parse(packet.bytes, type: .soa).records == ["ns1.example.nl hostmaster.example.nl 2024010101 3600 900 604800 300"])
    }

    @Test func responseCodeWithoutAnswers() throws {
        let packet = PacketBuilder(rcode: 3, question: "nope.example.nl", type: 1)
        #expect(try DNSAnswerParser.parse(packet.bytes, type: .a) == DNSAnswer(responseCode: 3, records: []))
    }

    @Test func everyTruncationIsAnErrorNotACrash() throws {
        var packet = PacketBuilder(question: "example.nl", type: 15)
        packet.answer("example.nl", type: 15, rdata: PacketBuilder.u16(10) + PacketBuilder.name("mx.example.nl"))
        for length in 0..<packet.bytes.count {
            #expect(throws: DNSWireError.self) { try DNSAnswerParser.parse(Array(packet.bytes.prefix(length)), type: .mx) }
        }
        #expect(try DNSAnswerParser.parse(packet.bytes, type: .mx).records == ["10 mx.example.nl"])
    }

    @Test func pointerLoopsAndForwardPointersAreRefused() {
        var selfLoop = PacketBuilder(question: "example.nl", type: 2)
        let here = selfLoop.bytes.count
        selfLoop.answer(owner: PacketBuilder.pointer(here), type: 2, rdata: [0])
        #expect(throws: DNSWireError(code: .badPointer, offset: here)) { try DNSAnswerParser.parse(selfLoop.bytes, type: .ns) }

        var forward = PacketBuilder(question: "example.nl", type: 2)
        forward.answer(owner: PacketBuilder.pointer(200), type: 2, rdata: [0])
        #expect(throws: DNSWireError.self) { try DNSAnswerParser.parse(forward.bytes, type: .ns) }
    }

    @Test func extendedLabelTypesAndOverlongNamesAreRefused() {
        var extended = PacketBuilder(question: "example.nl", type: 2)
        extended.answer(owner: [0x41, 0], type: 2, rdata: [0])
        #expect(throws: DNSWireError.self) { try DNSAnswerParser.parse(extended.bytes, type: .ns) }

        var long = PacketBuilder(question: "example.nl", type: 2)
        let label: [UInt8] = [63] + [UInt8](repeating: 0x61, count: 63)
        let longName: [UInt8] = label + label + label + label + label + [0]
        let recordStart = long.bytes.count
        long.answer("example.nl", type: 2, rdata: longName)
        // ldns reports no position inside a name: the offset is the record's.
        #expect(throws: DNSWireError(code: .badName, offset: recordStart)) {
            try DNSAnswerParser.parse(long.bytes, type: .ns)
        }
    }

    @Test func rdataOfTheWrongLengthIsRefused() {
        for rdata: [UInt8] in [[198, 18, 0], [198, 18, 0, 1, 2]] {
            var packet = PacketBuilder(question: "example.nl", type: 1)
            packet.answer("example.nl", type: 1, rdata: rdata)
            #expect(throws: DNSWireError.self) { try DNSAnswerParser.parse(packet.bytes, type: .a) }
        }
        var mx = PacketBuilder(question: "example.nl", type: 15)
        mx.answer("example.nl", type: 15, rdata: PacketBuilder.u16(10) + PacketBuilder.name("mx.example.nl") + [0])
        #expect(throws: DNSWireError.self) { try DNSAnswerParser.parse(mx.bytes, type: .mx) }
        var caa = PacketBuilder(question: "example.nl", type: 257)
        caa.answer("example.nl", type: 257, rdata: [0, 0])
        #expect(throws: DNSWireError.self) { try DNSAnswerParser.parse(caa.bytes, type: .caa) }
        var txt = PacketBuilder(question: "example.nl", type: 16)
        txt.answer("example.nl", type: 16, rdata: [5, 0x61])
        #expect(throws: DNSWireError.self) { try DNSAnswerParser.parse(txt.bytes, type: .txt) }
    }

    @Test func namesInRDataMayNotRunPastTheRecord() {
        var packet = PacketBuilder(question: "example.nl", type: 2)
        // rdata announces 3 octets, but the name inside needs more: reading stops at the bound.
        packet.answer("example.nl", type: 2, rdata: [2, 0x6E, 0x73])
        packet.answer("example.nl", type: 1, rdata: [0, 1, 2, 3])
        #expect(throws: DNSWireError.self) { try DNSAnswerParser.parse(packet.bytes, type: .ns) }
    }

    @Test func mutatedPacketsNeverCrashTheParser() {
        var packet = PacketBuilder(question: "example.nl", type: 15)
        packet.answer(owner: PacketBuilder.pointer(12), type: 15, rdata: PacketBuilder.u16(10) + [4] + Array("mail".utf8) + PacketBuilder.pointer(12))
        packet.answer("example.nl", type: 16, rdata: PacketBuilder.txt("v=spf1 -all"))
        packet.answer("example.nl", type: 257, rdata: [0, 5] + Array("issue".utf8) + Array("ca.lab".utf8))
        var seed: UInt64 = 42
        func next() -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: seed >> 33)
        }
        var parsed = 0
        for _ in 0..<3000 {
            var bytes = packet.bytes
            for _ in 0...(next() % 4) { bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next()) }
            for type in [DNSRecordType.mx, .txt, .caa, .a, .soa] where (try? DNSAnswerParser.parse(bytes, type: type)) != nil {
                parsed += 1
            }
        }
        #expect(parsed > 0)
    }
}
