import Checks
import Foundation
import FuzzDriver

/// libFuzzer entry: `Strict-Transport-Security` field values as the HTTP probe reads them (any
/// bytes as UTF-8; a NUL byte separates several fields): each value through
/// `HSTSPolicy(parsing:)` and Internet.nl's max-age reading, all of them through
/// `HSTSCheck.evaluate` under both rule sets.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHSTS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let values = text.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
    for value in values {
        _ = try? HSTSPolicy(parsing: value)
        _ = HSTSCheck.internetNLMaxAge(value)
    }
    for ruleSet in RuleSet.allCases { _ = HSTSCheck.evaluate(headerValues: values, ruleSet: ruleSet) }
    return 0
}

exit(peil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
