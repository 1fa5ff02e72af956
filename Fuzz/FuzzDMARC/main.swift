import Checks
import Foundation
import FuzzDriver

/// libFuzzer entry: a TXT record read as DMARC (`DMARCParser.parse` under both rule sets, the
/// tags read as the verdicts read them, and Internet.nl's DMARC policy without the external
/// authorisation lookups).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDMARC(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let suffixes = PublicSuffixList(text: "nl\ngov.nl\nexample\n")
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for ruleSet in RuleSet.allCases {
        if let record = try? DMARCParser.parse(text, ruleSet: ruleSet) {
            _ = (record.policy, record.subdomainPolicy, record.testing)
            for tag in record.tags where tag.name == "rua" || tag.name == "ruf" {
                for uri in tag.value.split(separator: ",") { _ = DMARCRecord.reportHost(String(uri)) }
            }
        }
        _ = DMARCPolicy.evaluate(record: text, domain: "fuzz.gov.nl", isOrganisationalDomain: true,
                                 psl: suffixes, authorisations: nil, ruleSet: ruleSet)
        _ = DMARCPolicy.authorisationQueries(record: text, domain: "fuzz.gov.nl", psl: suffixes, ruleSet: ruleSet)
    }
    _ = DMARCCheck.records([text])
    return 0
}

exit(peil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
