import Checks
import Foundation
import FuzzDriver

/// libFuzzer entry: a TXT record read as SPF. The bytes (as UTF-8) are given to
/// `SPFRecord(parsing:)`, to the macro parser (`SPFMacroString`, as domain-spec and as
/// explanation), to `IPAddress`, and to Internet.nl's SPF policy without a resolver (the
/// record alone), prefixed with `v=spf1 ` when they do not start with it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSPF(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let record = SPFRecord.isSPF(text) ? text : "v=spf1 " + text
    _ = try? SPFRecord(parsing: text)
    _ = try? SPFRecord(parsing: record)
    _ = try? SPFMacroString(parsing: text)
    _ = try? SPFMacroString(parsing: text, explanation: true)
    _ = IPAddress(text)
    _ = SPFCheck.records([text, record])
    _ = SPFCheck.isNonSending(record)
    judge(record)
    return 0
}

/// `SPFPolicy.evaluate` is async; without a resolver it never suspends, so an immediate task
/// runs it to the end on this thread (the semaphore only guards against a suspension).
private func judge(_ record: String) {
    let done = DispatchSemaphore(value: 0)
    Task.immediate {
        _ = await SPFPolicy.evaluate(record: record, domain: "fuzz.example", resolver: nil)
        done.signal()
    }
    done.wait()
}

exit(peil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
