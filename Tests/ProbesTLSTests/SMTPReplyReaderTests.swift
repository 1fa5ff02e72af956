import Testing
@testable import Probes

/// SMTP reply framing, whole and byte by byte.
@Suite("SMTP reply reader")
struct SMTPReplyReaderTests {
    /// Replies from feeding `bytes` whole and one byte at a time; both must agree.
    static func replies(_ text: String) -> [Result<SMTPReply, SMTPReplyError>] {
        func run(_ chunks: [[UInt8]]) -> [Result<SMTPReply, SMTPReplyError>] {
            var reader = SMTPReplyReader()
            var out: [Result<SMTPReply, SMTPReplyError>] = []
            for chunk in chunks {
                guard let first = reader.feed(chunk) else { continue }
                out.append(first)
                if case .failure = first { return out }
                while case let next? = reader.feed([]) {
                    out.append(next)
                    if case .failure = next { return out }
                }
            }
            return out
        }
        let bytes = Array(text.utf8)
        let whole = run([bytes])
        #expect(run(bytes.map { [$0] }) == whole, "byte by byte disagrees")
        return whole
    }

    @Test func multiLineEHLOReplyListsItsExtensions() throws {
        let replies = Self.replies("250-mail.example.nl Hello\r\n250-SIZE 10240000\r\n250-starttls\r\n250 8BITMIME\r\n")
        let reply = try #require(try replies.first?.get())
        #expect(replies.count == 1 && reply.code == 250 && reply.isPositive)
        #expect(reply.lines == ["mail.example.nl Hello", "SIZE 10240000", "starttls", "8BITMIME"])
        #expect(reply.extensions == ["SIZE", "STARTTLS", "8BITMIME"])
    }

    @Test func repliesFollowingEachOtherAndBareLineFeeds() throws {
        let replies = Self.replies("220 ready\n221 bye\r\n")
        #expect(try replies.map { try $0.get().code } == [220, 221])
        var reader = SMTPReplyReader()
        _ = reader.feed(Array("220 go ahead\r\nEXTRA".utf8))
        #expect(reader.buffered == Array("EXTRA".utf8), "bytes after a reply stay buffered")
        #expect(try Self.replies("454 4.7.0 later\r\n").first?.get().isTemporaryFailure == true)
        #expect(try Self.replies("250\r\n").first?.get().lines == [""])
    }

    @Test func malformedAndOverlongInputIsAnError() {
        #expect(Self.replies("HTTP/1.1 400 Bad Request\r\n") == [.failure(.badLine("HTTP/1.1 400 Bad Request"))])
        #expect(Self.replies("250-a\r\n220 b\r\n") == [.failure(.codeChanged(250, 220))])
        #expect(Self.replies("25x ok\r\n") == [.failure(.badLine("25x ok"))])
        #expect(Self.replies(String(repeating: "a", count: 3_000)) == [.failure(.lineTooLong(limit: SMTPReplyReader.maxLineLength))])
        let many = (0..<150).map { _ in "250-x\r\n" }.joined()
        #expect(Self.replies(many).last == .failure(.tooManyLines(limit: SMTPReplyReader.maxLines)))
        #expect(SMTPReplyError.tooManyLines(limit: 100).description == "reply over the cap of 100 lines", "the evidence names the cap")
    }

    /// Lines under the line cap and fewer than the line cap can still make a reply too large.
    @Test func aReplyOverTheByteCapIsAnError() throws {
        let line = "250-" + String(repeating: "x", count: 1_990) + "\r\n"
        let replies = Self.replies(String(repeating: line, count: 40) + "250 end\r\n")
        #expect(replies == [.failure(.tooManyBytes(limit: SMTPReplyReader.maxReplyBytes))])
        var reader = SMTPReplyReader()
        _ = reader.feed(Array(String(repeating: line, count: 20).utf8))
        #expect(try reader.feed(Array("250 end\r\n".utf8))?.get().lines.count == 21, "a large reply under the cap is read")
    }
}
