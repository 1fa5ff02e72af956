/// The SMTP preamble before TLS (RFC 3207): greeting, EHLO, STARTTLS. After the server's
/// "220 ready", the stream belongs to TLS; any plaintext the server already sent is refused
/// (an injection attack or a broken server), never handed to the TLS layer.
///
/// Every reply, the greeting included, may take `replyTimeout` (the scan's
/// `smtpReplyTimeout`, 30 s by default): servers that pause before their greeting against
/// spam are common, and Internet.nl waits for them (``internetNLReplyTimeout``), so a slow
/// greeting is measured, and one that never comes is a timeout (an error), never a verdict.
/// A reply is capped in lines and bytes (``SMTPReplyReader``): `250-` lines for ever end as a
/// protocol error naming the cap.
public enum SMTPStartTLS {
    /// How long Internet.nl's SMTP test waited for each line, the greeting included (its 2021
    /// `SMTPConnection`: a 24 s socket timeout; the sslyze-based test since waits 10 s). Peil's
    /// default (`TLSScanOptions.smtpReplyTimeout`) is at least this, so Peil never calls
    /// unreachable a greeting Internet.nl would have read.
    public static let internetNLReplyTimeout: Duration = .seconds(24)

    /// Why the preamble did not end in a TLS-ready stream.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The server does not offer STARTTLS, or refused it (or SMTP) permanently (5xx).
        case noStartTLS(String)
        /// A 4xx reply: a temporary refusal (rate limit, overload).
        case temporary(String)
        /// The server sent bytes after its 220 to STARTTLS.
        case bufferedPlaintext(Int)
        /// Not SMTP: a reply that is not a reply, or an unexpected code.
        case protocolError(String)
        /// The connection failed (timeout, reset, close).
        case stream(StreamError, step: String)

        public var description: String {
            switch self {
            case .noStartTLS(let why): why
            case .temporary(let reply): "temporary failure (4xx): \(reply)"
            case .bufferedPlaintext(let count): "\(count) bytes of buffered plaintext after 220 to STARTTLS"
            case .protocolError(let why): "SMTP protocol error: \(why)"
            case .stream(let error, let step): "\(step): \(error)"
            }
        }
    }

    /// Runs the preamble on a fresh connection; on success the next bytes are TLS. Sends QUIT
    /// before giving up on the plaintext session (not after the 220, when the server waits for TLS).
    public static func negotiate(over stream: TCPStream, ehloName: String, replyTimeout: Duration) throws(Failure) {
        guard !ehloName.isEmpty, ehloName.utf8.count <= 255, ehloName.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .protocolError("unusable EHLO name")
        }
        var reader = SMTPReplyReader()
        do throws(Failure) {
            let greeting = try reply(&reader, stream, step: "greeting", timeout: replyTimeout)
            try expect(greeting, 220, step: "greeting")
            try send("EHLO \(ehloName)\r\n", stream, step: "EHLO", timeout: replyTimeout)
            let ehlo = try reply(&reader, stream, step: "EHLO", timeout: replyTimeout)
            try expect(ehlo, 250, step: "EHLO")
            guard ehlo.extensions.contains("STARTTLS") else { throw Failure.noStartTLS("STARTTLS not offered") }
            try send("STARTTLS\r\n", stream, step: "STARTTLS", timeout: replyTimeout)
            let ready = try reply(&reader, stream, step: "STARTTLS", timeout: replyTimeout)
            try expect(ready, 220, step: "STARTTLS")
        } catch {
            quit(stream)
            throw error
        }
        let extra = reader.buffered.count
        if extra > 0 || stream.hasUnreadBytes() {
            stream.close()
            throw .bufferedPlaintext(max(extra, 1))
        }
    }

    /// Reads one complete reply within `timeout` (for the whole reply, however the server
    /// trickles it). Every read brings at least a byte and the reader fails past its caps, so
    /// the loop's bound is never what stops it.
    static func reply(_ reader: inout SMTPReplyReader, _ stream: TCPStream, step: String, timeout: Duration) throws(Failure) -> SMTPReply {
        let deadline = ContinuousClock.now + timeout
        switch reader.feed([]) {
        case .success(let reply)?: return reply
        case .failure(let error)?: throw .protocolError("\(step): \(error)")
        case nil: break
        }
        for _ in 0...(SMTPReplyReader.maxReplyBytes + SMTPReplyReader.maxLineLength) {
            let bytes: [UInt8]
            do { bytes = try stream.read(max: 4_096, deadline: deadline) } catch { throw .stream(error, step: step) }
            guard !bytes.isEmpty else { throw .stream(.closed, step: step) }
            switch reader.feed(bytes) {
            case .success(let reply)?: return reply
            case .failure(let error)?: throw .protocolError("\(step): \(error)")
            case nil: continue
            }
        }
        throw .protocolError("\(step): reply over the cap of \(SMTPReplyReader.maxReplyBytes) bytes")
    }

    /// 4xx → temporary (421: the service is not available), other than `code` → refused
    /// (5xx) or a protocol error.
    static func expect(_ reply: SMTPReply, _ code: Int, step: String) throws(Failure) {
        if reply.code == code { return }
        if reply.code == 421 { throw .temporary("\(step): \(reply) (service not available)") }
        if reply.isTemporaryFailure { throw .temporary("\(step): \(reply)") }
        if reply.code >= 500 { throw .noStartTLS("\(step) refused: \(reply)") }
        throw .protocolError("\(step): unexpected \(reply)")
    }

    static func send(_ line: String, _ stream: TCPStream, step: String, timeout: Duration) throws(Failure) {
        do { try stream.write(Array(line.utf8), deadline: .now + timeout) } catch { throw .stream(error, step: step) }
    }

    /// What a first byte after STARTTLS's 220 says: a printable one means the server went on
    /// in plaintext (an SMTP reply where a ServerHello was due).
    public static func describe(firstByte byte: UInt8) -> String {
        (0x20...0x7E).contains(byte) ? "plaintext ('\(Character(Unicode.Scalar(byte)))') instead of a ServerHello" : "no ServerHello"
    }

    /// QUIT, best effort within a second, then close.
    static func quit(_ stream: TCPStream) {
        try? stream.write(Array("QUIT\r\n".utf8), deadline: .now + .seconds(1))
        stream.close()
    }
}
