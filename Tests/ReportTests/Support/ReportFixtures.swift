import Checks
import Foundation
import Lab
import PeilModel
import PeilTestSupport
import Report

/// Shared test data: the seed files, the sets as `peil import` reads them, the Public Suffix
/// List, and the generated twin's ground truth (made once per test process, no lab).
enum ReportFixtures {
    static let seedData = TestPaths.seedData
    static let primaryFolder = seedData.appendingPathComponent("primary-2021-03")

    /// `web.csv` and `mail.csv` of the March 2021 results.
    static func primaryFiles() throws -> [SeedFile] {
        try ["web.csv", "mail.csv"].map { name in
            let url = primaryFolder.appendingPathComponent(name)
            return SeedFile(name: url.path, text: try String(contentsOf: url, encoding: .utf8))
        }
    }

    /// The primary and broad sets, parsed as `peil import` parses them.
    static func sets() throws -> [ReportSet] {
        let broad = seedData.appendingPathComponent("broad-2021-03/domains.csv")
        return [ReportSet(name: "primary", entries: try SeedList.parse(primaryFiles())),
                ReportSet(name: "broad", entries: try SeedList.parse(try String(contentsOf: broad, encoding: .utf8), fileName: broad.path))]
    }

    /// The registered-domain function from Debian's Public Suffix List, when installed.
    static let organisationalDomain: @Sendable (String) -> String? = {
        let path = "/usr/share/publicsuffix/public_suffix_list.dat"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return { _ in nil } }
        let list = PublicSuffixList(text: text)
        return { list.organisationalDomain(of: $0) }
    }()

    /// The twin's ground truth for seed 2021 (2,466 domains), generated once.
    static let twinTruth: Result<[TwinDomainTruth], any Error> = Result {
        let data = try TwinSeedData.load(from: seedData)
        return TwinGenerator.generate(seed: 2021, data: data).truth()
    }

    /// The truth as a measurement, the way a Peil measurement's verdicts become one: each
    /// domain's web and mail columns with their evidence, and its DNS facts.
    static func twinMeasurement(_ truth: [TwinDomainTruth]) -> MeasurementInput {
        let domains = truth.map { domain in
            MeasuredDomain(domain: domain.domain, web: domain.web,
                           mail: domain.mail, facts: domain.facts)
        }
        return MeasurementInput(id: nil, name: "twin seed 2021", date: "2021-03-31", ruleSet: RuleSet.internetnl2021.rawValue,
                                imported: false, domains: domains)
    }

    /// The published March 2021 results as a measurement (no database).
    static func marchMeasurement() throws -> MeasurementInput {
        PublishedResults.measurement(try PublishedResults.parse(primaryFiles()), id: nil, name: "march-2021", date: "2021-03-31",
                                     ruleSet: RuleSet.internetnl2021.rawValue, sourceSet: "primary")
    }

    /// The full twin report against the March 2021 baseline.
    static func twinInput() throws -> ReportInput {
        let current = twinMeasurement(try twinTruth.get())
        return ReportInput(measurement: current, baseline: try marchMeasurement(), measurementUnderBaselineRules: current,
                           sets: try sets(), organisationalDomain: organisationalDomain)
    }

    /// A fresh scratch directory `var/report-tests/<name>` in the checkout (ignored by git).
    /// The fields of one CSV line, read here rather than by the code under test: a field
    /// starting with a quote runs to the quote before the next comma, `""` inside it is a quote.
    static func csvFields(_ line: String) throws -> [String] {
        var fields: [String] = []
        var rest = Substring(line)
        while true {
            if rest.first == "\"" {
                var value = "", index = rest.index(after: rest.startIndex)
                while true {
                    guard index < rest.endIndex else { throw CocoaError(.coderReadCorrupt) }
                    if rest[index] == "\"" {
                        let next = rest.index(after: index)
                        if next < rest.endIndex, rest[next] == "\"" { value.append("\""); index = rest.index(after: next); continue }
                        rest = rest[next...]
                        break
                    }
                    value.append(rest[index])
                    index = rest.index(after: index)
                }
                fields.append(value)
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                fields.append(String(rest[..<end]))
                rest = rest[end...]
            }
            guard rest.first == "," else { return fields }
            rest = rest.dropFirst()
        }
    }

    static func scratch(_ name: String) throws -> URL {
        let url = TestPaths.repository.appendingPathComponent("var/report-tests/\(name)", isDirectory: true)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
