import Foundation
import FuzzDriver
import Probes

/// libFuzzer entry: a DNS response in wire format as the resolver hands it over
/// (`DNSAnswerParser.parse`, ldns record by record). The first byte picks the queried type
/// (the types Peil asks for); the rest is the message.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDNSAnswer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let selector = input.first else { return 0 }
    let types = DNSRecordType.allCases
    let type = types[Int(selector) % types.count]
    _ = try? DNSAnswerParser.parse(Array(input.dropFirst()), type: type)
    return 0
}

exit(peil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
