/// HTTP/1.1 message bodies.
public enum HTTPBody {
    /// How far a body has come in.
    public enum State: Sendable, Hashable { case complete, partial, malformed }

    /// The data of a chunked body (RFC 9112 §7.1) from the bytes received so far: complete at
    /// the last (zero) chunk, partial while more may come, malformed at a bad chunk size line.
    /// Chunk extensions and trailers are ignored.
    public static func dechunk(_ raw: [UInt8]) -> (body: [UInt8], state: State) {
        var decoder = ChunkedDecoder()
        var body: [UInt8] = []
        let state = decoder.feed(raw, into: &body)
        return (body, state)
    }

    /// A chunked body decoded as it comes in, each byte looked at once. A chunk size line
    /// (extensions included) longer than ``maxSizeLineBytes`` is malformed, so a peer cannot
    /// make the reader keep an endless line.
    public struct ChunkedDecoder: Sendable {
        /// The longest chunk size line accepted, its end of line included.
        public static let maxSizeLineBytes = 4096

        private enum Phase { case sizeLine, data(remaining: Int), dataEnd, dataEndLF, done, malformed }
        private var phase = Phase.sizeLine
        private var line: [UInt8] = []

        public init() {}

        /// Decodes `bytes`, the next ones received, adding their data to `body`; the state
        /// after them (complete and malformed stay so: later bytes are not looked at).
        public mutating func feed(_ bytes: [UInt8], into body: inout [UInt8]) -> State {
            var index = bytes.startIndex
            while index < bytes.endIndex {
                switch phase {
                case .done: return .complete
                case .malformed: return .malformed
                case .sizeLine:
                    guard let lineEnd = bytes[index...].firstIndex(of: 10) else {
                        line += bytes[index...]
                        if line.count >= Self.maxSizeLineBytes { phase = .malformed }
                        index = bytes.endIndex
                        continue
                    }
                    line += bytes[index..<lineEnd]
                    index = lineEnd + 1
                    switch line.count < Self.maxSizeLineBytes ? Self.size(of: line) : nil {
                    case nil: phase = .malformed
                    case 0: phase = .done
                    case let size?: phase = .data(remaining: size)
                    }
                    line = []
                case .data(let remaining):
                    let taken = min(remaining, bytes.endIndex - index)
                    body += bytes[index..<(index + taken)]
                    index += taken
                    phase = taken == remaining ? .dataEnd : .data(remaining: remaining - taken)
                case .dataEnd:
                    // After the data, CRLF (a bare LF accepted).
                    phase = bytes[index] == 13 ? .dataEndLF : bytes[index] == 10 ? .sizeLine : .malformed
                    index += 1
                case .dataEndLF:
                    phase = bytes[index] == 10 ? .sizeLine : .malformed
                    index += 1
                }
            }
            switch phase {
            case .done: return .complete
            case .malformed: return .malformed
            default: return .partial
            }
        }

        /// The chunk size of a size line (before its LF): hexadecimal digits before any `;`,
        /// surrounding white space and CR ignored; nil when it is not one.
        private static func size(of line: [UInt8]) -> Int? {
            let text = String(decoding: line, as: UTF8.self)
            let sizeText = (text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard !sizeText.isEmpty, sizeText.allSatisfy(\.isHexDigit) else { return nil }
            return Int(sizeText, radix: 16)
        }
    }
}
