import Foundation
import FuzzDriver
import Probes

/// libFuzzer entry: what a mail server says (`SMTPReplyReader`), fed in chunks the first byte
/// sizes, reading reply after reply as the STARTTLS preamble does, until an error or the end.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTPReply(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let mode = input.first else { return 0 }
    let stream = input.dropFirst()
    let chunk = Int(mode) + 1
    var reader = SMTPReplyReader()
    var start = stream.startIndex
    reading: while start < stream.endIndex {
        let end = min(start + chunk, stream.endIndex)
        var next = stream[start..<end]
        start = end
        // Each reply is taken as soon as it is complete; what follows stays buffered.
        while let outcome = reader.feed(next) {
            next = []
            switch outcome {
            case .failure: break reading
            case .success(let reply):
                _ = (reply.description, reply.extensions, reply.isPositive, reply.isTemporaryFailure)
            }
        }
    }
    return 0
}

exit(peil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
