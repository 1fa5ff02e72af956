import Checks
import Foundation
import FuzzDriver

/// libFuzzer entry: `Content-Security-Policy` field values as the HTTP probe reads them (any
/// bytes as UTF-8; a NUL byte separates several fields): `CSPCheck.parse`, its problems and
/// the whole subtest under both rule sets, and the other security headers read from the same
/// values.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let values = text.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
    _ = CSPCheck.problems(CSPCheck.parse(values), host: "www.fuzz.example")
    for ruleSet in RuleSet.allCases {
        _ = CSPCheck.evaluate(values, host: "www.fuzz.example", ruleSet: ruleSet)
        _ = SecurityHeaders.xFrameOptions(values, ruleSet: ruleSet)
        _ = SecurityHeaders.xContentTypeOptions(values, ruleSet: ruleSet)
        _ = SecurityHeaders.referrerPolicy(values, ruleSet: ruleSet)
    }
    return 0
}

exit(peil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
