import Foundation
import FuzzDriver
import Probes

/// libFuzzer entry: what a mail server says (`SMTPReplyReader`), fed in chunks the first byte
/// sizes, reading reply after reply as the STARTTLS preamble does, until an error or the end;
/// the replies must be those of reading the same bytes at once.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTPReply(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let mode = input.first else { return 0 }
    let stream = Array(input.dropFirst())
    let chunked = replies(stream, chunk: Int(mode) + 1)
    // Framing does not depend on how the bytes arrive.
    let whole = replies(stream, chunk: max(stream.count, 1))
    guard chunked == whole else { fatalError("SMTPReplyReader: \(chunked) in chunks of \(Int(mode) + 1), \(whole) at once") }
    for case .success(let reply) in chunked {
        _ = (reply.description, reply.extensions, reply.isPositive, reply.isTemporaryFailure)
    }
    return 0
}

/// Every outcome of reading `stream` in pieces of `chunk` bytes, up to the first error.
private func replies(_ stream: [UInt8], chunk: Int) -> [Result<SMTPReply, SMTPReplyError>] {
    var reader = SMTPReplyReader()
    var outcomes: [Result<SMTPReply, SMTPReplyError>] = []
    var start = 0
    while start < stream.count {
        var next = stream[start..<min(start + chunk, stream.count)]
        start += chunk
        // Each reply is taken as soon as it is complete; what follows stays buffered.
        while let outcome = reader.feed(next) {
            next = []
            outcomes.append(outcome)
            if case .failure = outcome { return outcomes }
        }
    }
    return outcomes
}

exit(peil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
