/// One SMTP reply (RFC 5321 §4.2): a three-digit code and its text lines.
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    /// The text after the code on each line, in order.
    public var lines: [String]

    /// 2xx.
    public var isPositive: Bool { (200..<300).contains(code) }
    /// 4xx: try again later.
    public var isTemporaryFailure: Bool { (400..<500).contains(code) }

    /// The EHLO keywords: the first word of every line after the greeting line, upper-cased.
    public var extensions: [String] {
        lines.dropFirst().compactMap { $0.split(separator: " ").first.map { $0.uppercased() } }
    }

    public var description: String { "\(code) \(lines.first ?? "")" }
}

/// Why bytes could not be read as an SMTP reply. The caps name themselves, so evidence says
/// which one a server hit.
public enum SMTPReplyError: Error, Sendable, Hashable, CustomStringConvertible {
    case badLine(String)
    case codeChanged(Int, Int)
    /// A line longer than the cap (``SMTPReplyReader/maxLineLength`` bytes).
    case lineTooLong(limit: Int)
    /// A multi-line reply with more lines than the cap (``SMTPReplyReader/maxLines``).
    case tooManyLines(limit: Int)
    /// A reply larger than the cap (``SMTPReplyReader/maxReplyBytes``).
    case tooManyBytes(limit: Int)

    public var description: String {
        switch self {
        case .badLine(let line): "not an SMTP reply line: \(line.debugDescription)"
        case .codeChanged(let first, let next): "reply code changed from \(first) to \(next) within one reply"
        case .lineTooLong(let limit): "reply line over the cap of \(limit) bytes"
        case .tooManyLines(let limit): "reply over the cap of \(limit) lines"
        case .tooManyBytes(let limit): "reply over the cap of \(limit) bytes"
        }
    }
}

/// Frames SMTP replies from a byte stream by line (CRLF, or a bare LF), multi-line replies
/// included. Pure and bounded: lines over `maxLineLength`, replies over `maxLines` or over
/// `maxReplyBytes` are errors naming the cap (a server sending `250-` lines for ever is cut at
/// the line cap). Bytes after a complete reply stay in `buffered`.
public struct SMTPReplyReader: Sendable {
    public static let maxLineLength = 2_048
    public static let maxLines = 100
    /// Bytes one reply may take, line ends included (caps what a reader buffers and a caller reads).
    public static let maxReplyBytes = 64 * 1_024

    /// Bytes received but not yet part of a returned reply.
    public private(set) var buffered: [UInt8] = []
    private var code: Int?
    private var lines: [String] = []
    /// Bytes of the reply being read, line ends included.
    private var replyBytes = 0

    public init() {}

    /// Adds bytes; returns the reply once its last line is in, or an error.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> Result<SMTPReply, SMTPReplyError>? {
        buffered += bytes
        for _ in 0...Self.maxLines {
            guard let end = buffered.firstIndex(of: 0x0A) else {
                return buffered.count > Self.maxLineLength ? .failure(.lineTooLong(limit: Self.maxLineLength)) : nil
            }
            guard end <= Self.maxLineLength else { return .failure(.lineTooLong(limit: Self.maxLineLength)) }
            replyBytes += end + 1
            guard replyBytes <= Self.maxReplyBytes else { return .failure(.tooManyBytes(limit: Self.maxReplyBytes)) }
            var line = Array(buffered[..<end])
            buffered.removeFirst(end + 1)
            if line.last == 0x0D { line.removeLast() }
            switch take(line) {
            case .failure(let error): return .failure(error)
            case .success(let reply?): return .success(reply)
            case .success(nil): continue
            }
        }
        return .failure(.tooManyLines(limit: Self.maxLines))
    }

    /// One line: nil while more lines follow.
    private mutating func take(_ line: [UInt8]) -> Result<SMTPReply?, SMTPReplyError> {
        let text = String(decoding: line, as: UTF8.self)
        guard line.count >= 3, line[0..<3].allSatisfy({ (0x30...0x39).contains($0) }), let value = Int(String(text.prefix(3))),
              line.count == 3 || line[3] == 0x20 || line[3] == 0x2D else { return .failure(.badLine(String(text.prefix(80)))) }
        if let code, code != value { return .failure(.codeChanged(code, value)) }
        code = value
        lines.append(line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : "")
        guard lines.count <= Self.maxLines else { return .failure(.tooManyLines(limit: Self.maxLines)) }
        if line.count > 3, line[3] == 0x2D { return .success(nil) }
        defer { code = nil; lines = []; replyBytes = 0 }
        return .success(SMTPReply(code: value, lines: lines))
    }
}
