import Foundation
import FuzzDriver
import Probes

/// libFuzzer entry: what a web server answers (`HTTPResponseHead`): where its head ends, and
/// the head parsed into status and header fields, as the HTTP probe reads them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPHead(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let head = HTTPResponseHead.endOfHead(input).map { Array(input[..<$0]) } ?? input
    _ = HTTPResponseHead.parse(head, url: "https://fuzz.example/")
    return 0
}

exit(peil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
