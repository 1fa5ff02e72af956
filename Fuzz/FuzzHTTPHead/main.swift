import Foundation
import FuzzDriver
import Probes

/// libFuzzer entry: what a web server answers. The first byte picks the chunk size the server
/// sends in (and, bit 7, a 256-byte head limit); the rest is served to `HTTPClient.get` over a
/// scripted stream, then given to `HTTPResponseHead.endOfHead` and `.parse` at once.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPHead(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let mode = input.first else { return 0 }
    let answer = Array(input.dropFirst())
    let limits = HTTPLimits(timeout: .seconds(10), maxHeadBytes: mode & 0x80 != 0 ? 256 : 32_768)
    let server = ScriptedServer(answer, chunk: Int(mode & 0x7F) + 1)
    let exchange = HTTPClient.get(url: "https://www.fuzz.example/", host: "www.fuzz.example", over: server, limits: limits)
    _ = String(describing: exchange)

    let head = HTTPResponseHead.endOfHead(answer).map { Array(answer[..<$0]) } ?? answer
    _ = HTTPResponseHead.parse(head, url: "https://www.fuzz.example/")
    return 0
}

/// A peer that accepts the request and sends `answer` in pieces of `chunk` bytes, then closes.
private final class ScriptedServer: ByteStream {
    private let answer: [UInt8]
    private let chunk: Int
    private var sent = 0

    init(_ answer: [UInt8], chunk: Int) {
        self.answer = answer
        self.chunk = chunk
    }

    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(StreamError) {}

    func read(max: Int, deadline: ContinuousClock.Instant) throws(StreamError) -> [UInt8] {
        let end = min(sent + min(chunk, max), answer.count)
        defer { sent = end }
        return Array(answer[sent..<end])
    }

    func close() {}
}

exit(peil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
