import Testing
@testable import Probes

/// Hostile messages: ldns refuses them with an error, never a crash or a misread record.
@Suite("Answer packets: malformed")
struct DNSAnswerParserMalformedTests {
    @Test func twoPointersThatPointAtEachOtherAreALoop() {
        var packet = PacketBuilder(question: "example.nl", type: 2)
        let recordStart = packet.bytes.count
        let dataStart = recordStart + PacketBuilder.name("example.nl").count + 10
        packet.answer("example.nl", type: 2, rdata: PacketBuilder.pointer(dataStart + 2) + PacketBuilder.pointer(dataStart))
        #expect(throws: DNSWireError(code: .badPointer, offset: recordStart)) { try DNSAnswerParser.parse(packet.bytes, type: .ns) }
    }

    @Test func pointersThatBuildANameOver255OctetsAreRefused() throws {
        let label: [UInt8] = [63] + [UInt8](repeating: 0x61, count: 63)
        // The question's name is 193 octets: legal on its own.
        var packet = PacketBuilder(question: String(repeating: String(repeating: "a", count: 63) + ".", count: 3), type: 2)
        let recordStart = packet.bytes.count
        packet.answer(owner: PacketBuilder.pointer(12), type: 2, rdata: label + PacketBuilder.pointer(12))
        #expect(throws: DNSWireError(code: .badName, offset: recordStart)) { try DNSAnswerParser.parse(packet.bytes, type: .ns) }

        var legal = PacketBuilder(question: String(repeating: String(repeating: "a", count: 63) + ".", count: 3), type: 2)
        legal.answer(owner: PacketBuilder.pointer(12), type: 2, rdata: [1, 0x62] + PacketBuilder.pointer(12))
        #expect(try DNSAnswerParser.parse(legal.bytes, type: .ns).records.first?.hasPrefix("b.aaa") == true)
    }

    @Test func countsBeyondTheMessageAreTruncation() {
        var answers = PacketBuilder(question: "example.nl", type: 1)
        answers.answer("example.nl", type: 1, rdata: [198, 18, 0, 1])
        var bytes = answers.bytes
        bytes[6] = 0xFF; bytes[7] = 0xFF
        #expect(throws: DNSWireError(code: .truncated, offset: answers.bytes.count)) { try DNSAnswerParser.parse(bytes, type: .a) }

        var questions = PacketBuilder(question: "example.nl", type: 1).bytes
        questions[4] = 0xFF; questions[5] = 0xFF
        #expect(throws: DNSWireError(code: .truncated, offset: questions.count)) { try DNSAnswerParser.parse(questions, type: .a) }
    }

    @Test func recordDataLongerThanTheMessageIsTruncation() {
        var packet = PacketBuilder(question: "example.nl", type: 16)
        packet.answer("example.nl", type: 16, rdata: PacketBuilder.txt("v=spf1 -all"))
        var bytes = packet.bytes
        let lengthOffset = bytes.count - PacketBuilder.txt("v=spf1 -all").count - 2
        bytes[lengthOffset] = 0xFF; bytes[lengthOffset + 1] = 0xFF
        #expect(throws: DNSWireError.self) { try DNSAnswerParser.parse(bytes, type: .txt) }
        #expect(throws: DNSWireError.self) { try DNSAnswerParser.parse(bytes, type: .a) }
    }

    @Test func aLabelRunningPastTheMessageIsRefused() {
        var bytes = PacketBuilder(question: "example.nl", type: 2).bytes
        bytes[7] = 1 // one answer, whose owner announces 63 octets and has 1
        bytes += [63, 0x61]
        #expect(throws: DNSWireError(code: .badName, offset: bytes.count - 2)) { try DNSAnswerParser.parse(bytes, type: .ns) }
    }

    @Test func theLargestRecordDataIsRead() throws {
        // 257 character-strings of 254 octets and their length octets: 65,535 octets of TXT
        // data, in a message over 65,535 octets.
        let strings = (0..<257).map { _ in [UInt8](repeating: 0x7A, count: 254) }
        let rdata = PacketBuilder.txt(strings)
        #expect(rdata.count == 65_535)
        var packet = PacketBuilder(question: "example.nl", type: 16)
        packet.answer("example.nl", type: 16, rdata: rdata)
        let records = try DNSAnswerParser.parse(packet.bytes, type: .txt).records
        #expect(records.map(\.count) == [rdata.count - strings.count])
    }

    @Test func aMessageShorterThanItsHeaderIsTruncation() {
        #expect(throws: DNSWireError(code: .truncated, offset: 0)) { try DNSAnswerParser.parse([], type: .a) }
        #expect(throws: DNSWireError(code: .truncated, offset: 0)) { try DNSAnswerParser.parse([0x12, 0x34, 0x81], type: .a) }
    }

    @Test func recordsOfOtherTypesAreSkippedByTheirLengthLikeBefore() throws {
        // An A record with a fifth octet: refused when asked for, skipped when not.
        var packet = PacketBuilder(question: "example.nl", type: 2)
        packet.answer("example.nl", type: 1, rdata: [198, 18, 0, 1, 9])
        packet.answer("example.nl", type: 2, rdata: PacketBuilder.name("ns1.example.nl"))
        #expect(try DNSAnswerParser.parse(packet.bytes, type: .ns).records == ["ns1.example.nl"])
        #expect(throws: DNSWireError.self) { try DNSAnswerParser.parse(packet.bytes, type: .a) }
    }
}
