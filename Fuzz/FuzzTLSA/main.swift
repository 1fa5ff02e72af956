import DANE
import Foundation
import FuzzDriver

/// libFuzzer entry: TLSA records as the resolver presents them and a certificate as a server
/// presents it. The bytes up to the first NUL are TLSA records in presentation form, one per
/// line (`TLSARecord(parsing:)`, whose text form must read back to the same record); the bytes
/// after it are a DER certificate. When a record parses and a certificate follows, both go to
/// `DANEVerifier.verify` (OpenSSL's `SSL_dane_tlsa_add` and chain verification).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTLSA(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let split = input.firstIndex(of: 0) ?? input.endIndex
    let text = String(decoding: input[..<split], as: UTF8.self)
    var records: [TLSARecord] = []
    for line in text.split(separator: "\n") {
        guard let record = try? TLSARecord(parsing: String(line)) else { continue }
        guard (try? TLSARecord(parsing: record.description)) == record else {
            fatalError("TLSA presentation does not read back: \(record)")
        }
        records.append(record)
    }
    let certificate = Array(input[min(split + 1, input.endIndex)...])
    if !records.isEmpty, !certificate.isEmpty {
        _ = try? DANEVerifier.verify(records: records, chain: [certificate],
                                     options: DANEVerificationOptions(baseDomain: "fuzz.example"))
    }
    return 0
}

exit(peil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
