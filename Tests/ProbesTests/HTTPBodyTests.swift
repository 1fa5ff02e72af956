import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// Reading a 200's body (``HTTPClient/getWithBody``) from a scripted stream, the chunked
/// decoder, and the order of the security.txt fetch (``SecurityTxtProbe``).
@Suite("HTTP body and the security.txt fetch order", .blockingWork)
struct HTTPBodyTests {
    /// Hands out `answer` in pieces of `piece` bytes, then the close.
    final class ScriptedStream: ByteStream {
        var pending: [UInt8]
        let piece: Int
        var sent: [UInt8] = []
        init(_ answer: String, piece: Int = 7) { pending = Array(answer.utf8); self.piece = piece }
        func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(StreamError) { sent += bytes }
        func read(max: Int, deadline: ContinuousClock.Instant) throws(StreamError) -> [UInt8] {
            let chunk = Array(pending.prefix(min(max, piece)))
            pending.removeFirst(chunk.count)
            return chunk
        }
        func close() {}
    }

    static func get(_ answer: String, max: Int = 100) -> (exchange: HTTPExchange, body: String, truncated: Bool) {
        let stream = ScriptedStream(answer)
        let result = HTTPClient.getWithBody(url: "https://h/x", host: "h", path: "/x", over: stream, maxBodyBytes: max)
        #expect(String(decoding: stream.sent, as: UTF8.self).hasPrefix("GET /x HTTP/1.1\r\nHost: h\r\n"))
        return (result.exchange, String(decoding: result.body, as: UTF8.self), result.truncated)
    }

    @Test func contentLengthEndsTheBody() {
        let r = Self.get("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello and more")
        #expect(r.body == "hello" && !r.truncated && r.exchange.error == nil)
    }

    @Test func aNegativeLengthIsIgnored() {
        let r = Self.get("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello")
        #expect(r.body == "hello" && r.exchange.error == nil)
    }

    @Test func aChunkedBodyIsDecoded() {
        let r = Self.get("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7;ext=1\r\nContact\r\n3\r\n: x\r\n0\r\n\r\n")
        #expect(r.body == "Contact: x" && r.exchange.error == nil, "\(r)")
    }

    @Test func withoutLengthTheBodyEndsAtTheClose() {
        let r = Self.get("HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\nContact: mailto:a@b\n")
        #expect(r.body == "Contact: mailto:a@b\n" && !r.truncated && r.exchange.error == nil)
    }

    @Test func beyondTheBoundTheBodyIsCut() {
        let r = Self.get("HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 500), max: 100)
        #expect(r.body.count == 100 && r.truncated)
    }

    @Test func aBodyCutShortSaysSo() {
        let closed = Self.get("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nonly this")
        #expect(closed.body == "only this" && closed.exchange.error == "closed inside the body after 9 bytes")
        let malformed = Self.get("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n")
        #expect(malformed.exchange.error == "malformed chunked body after 0 bytes")
    }

    @Test func onlyA200sBodyIsRead() {
        let r = Self.get("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found")
        #expect(r.exchange.status == 404 && r.body.isEmpty && !r.truncated)
    }

    /// `GET /` for the same-website comparison reads the body of any status but 1xx, 204, 304.
    @Test func anyStatusReadsEveryBodyButThoseThatHaveNone() {
        func get(_ answer: String) -> (exchange: HTTPExchange, body: [UInt8], truncated: Bool) {
            HTTPClient.getWithBody(url: "https://h/", host: "h", path: "/", over: ScriptedStream(answer), maxBodyBytes: 100, anyStatus: true)
        }
        let notFound = get("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found")
        #expect(notFound.exchange.status == 404 && notFound.body == Array("not found".utf8))
        let moved = get("HTTP/1.1 301 Moved\r\nLocation: https://h/x\r\n\r\n<p>moved</p>")
        #expect(moved.body == Array("<p>moved</p>".utf8) && moved.exchange.error == nil)
        for status in [204, 304] {
            let none = get("HTTP/1.1 \(status) X\r\n\r\nnot a body")
            #expect(none.exchange.status == status && none.body.isEmpty)
        }
    }

    @Test func dechunkWaitsForTheRest() {
        #expect(HTTPBody.dechunk(Array("5\r\nabc".utf8)).state == .partial)
        #expect(HTTPBody.dechunk(Array("5\r\nabcde\r".utf8)).state == .partial)
        #expect(HTTPBody.dechunk(Array("5\r\nabcdeX".utf8)).state == .malformed)
        #expect(HTTPBody.dechunk(Array("3\r\nabc\r\n0\r\n".utf8)) == (Array("abc".utf8), .complete))
    }

    @Test func anEndlessChunkSizeLineIsMalformedWithoutReadingOn() {
        let extensionBytes = 64 * 1024
        let stream = ScriptedStream("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "a", count: extensionBytes) + "\r\nx\r\n0\r\n\r\n",
                                    piece: 1024)
        let result = HTTPClient.getWithBody(url: "https://h/x", host: "h", path: "/x", over: stream, maxBodyBytes: 100)
        #expect(result.exchange.error == "malformed chunked body after 0 bytes" && result.body.isEmpty)
        #expect(stream.pending.count > extensionBytes - 2 * HTTPBody.ChunkedDecoder.maxSizeLineBytes, "stops at the bound, not at the close")
    }

    @Test func chunksFedByteByByteDecodeAsAWhole() {
        let raw = Array("7;ext=1\r\nContact\r\n3\n: x\r\n0\r\nTrailer: y\r\n\r\n".utf8)
        var decoder = HTTPBody.ChunkedDecoder()
        var body: [UInt8] = []
        let states = raw.map { decoder.feed([$0], into: &body) }
        #expect(body == Array("Contact: x".utf8) && states.last == .complete)
        #expect(states.dropLast().contains(.complete), "complete at the zero chunk, before the trailer")
        #expect(HTTPBody.dechunk(raw) == (Array("Contact: x".utf8), .complete))
    }

    @Test func theLegacyPathIsAskedOnlyAfterAnAnswerOtherThan200() {
        func fetch(_ answers: [String: HTTPExchange]) -> [String] {
            let fetch = SecurityTxtProbe.fetch(now: 7) { path in (answers[path] ?? HTTPExchange(url: path, error: "unscripted"), Array("x".utf8), false) }
            #expect(fetch.fetchedAt == 7)
            return fetch.exchanges.map(\.url)
        }
        let wellKnown = SecurityTxtFetch.wellKnownPath, legacy = SecurityTxtFetch.legacyPath
        #expect(fetch([wellKnown: HTTPExchange(url: wellKnown, status: 200)]) == [wellKnown])
        #expect(fetch([wellKnown: HTTPExchange(url: wellKnown, status: 404), legacy: HTTPExchange(url: legacy, status: 200)]) == [wellKnown, legacy])
        #expect(fetch([wellKnown: HTTPExchange(url: wellKnown, error: "refused")]) == [wellKnown], "no answer: no second request")
        let notFound = SecurityTxtProbe.fetch(now: 7) { path in (HTTPExchange(url: path, status: 404), [], false) }
        #expect(notFound.body == nil && notFound.exchanges.count == 2)
    }
}
