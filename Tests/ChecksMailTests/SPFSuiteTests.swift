import Checks
import Foundation
import Testing
import Yams

/// The whole RFC 7208 test suite of pyspf (OpenSPF 2014.04): 16 scenarios, 203 tests, each
/// served from an in-memory zone built from its scenario's zonedata. Where the suite lists
/// several acceptable results, any of them passes; where it gives an explanation, Peil's
/// `exp=` text must equal it ("DEFAULT" standing for no explanation).
struct SPFSuiteTests {
    struct Case: Sendable, CustomStringConvertible {
        var scenario: String
        var name: String
        var helo: String
        var host: String
        var mailfrom: String
        var results: [String]
        var explanation: String?
        var zone: MemoryZone
        var description: String { "\(scenario) / \(name)" }
    }

    static let cases: [Case] = {
        do { return try load() } catch { Issue.record("cannot load the SPF suite: \(error)"); return [] }
    }()

    static func load() throws -> [Case] {
        let text = try Vectors.text("pyspf-rfc7208-tests.yml")
        var cases: [Case] = []
        for document in try Yams.compose_all(yaml: text) {
            guard let mapping = document.mapping else { continue }
            let scenario = mapping["description"]?.string ?? "?"
            let zone = MemoryZone(zoneEntries(mapping["zonedata"]))
            for (key, value) in mapping["tests"]?.mapping ?? [:] {
                guard let test = value.mapping, let name = key.string else { continue }
                let result = test["result"]
                let results = result?.sequence?.compactMap(\.string) ?? [result?.string].compactMap { $0 }
                cases.append(Case(scenario: scenario, name: name, helo: test["helo"]?.string ?? "",
                                  host: test["host"]?.string ?? "", mailfrom: test["mailfrom"]?.string ?? "",
                                  results: results, explanation: test["explanation"]?.string, zone: zone))
            }
        }
        return cases
    }

    /// The driver's reading of zonedata: records of any type, `TIMEOUT` markers, `NONE` values
    /// dropped; SPF-type records copied to TXT when the name has no TXT entry at all (RFC 7208
    /// looks at TXT only); a list of strings is one record of those strings joined.
    static func zoneEntries(_ node: Node?) -> [String: [MemoryZone.Entry]] {
        var names: [String: [MemoryZone.Entry]] = [:]
        for (key, value) in node?.mapping ?? [:] {
            guard let name = key.string else { continue }
            var entries: [MemoryZone.Entry] = []
            var generated: [MemoryZone.Entry] = []
            var hasTXT = false
            for item in value.sequence ?? [] {
                if item.string == "TIMEOUT" { entries.append(.timeout); continue }
                for (typeNode, data) in item.mapping ?? [:] {
                    guard let type = typeNode.string else { continue }
                    let rendered: String
                    if let list = data.sequence {
                        rendered = type == "MX" ? list.compactMap(\.string).map { $0.isEmpty ? "." : $0 }.joined(separator: " ")
                                                : list.compactMap(\.string).joined()
                    } else {
                        rendered = data.string ?? ""
                    }
                    if type == "TXT" { hasTXT = true }
                    if rendered == "NONE" { continue }
                    if type == "SPF" { generated.append(.record(type: "TXT", value: rendered)) }
                    entries.append(.record(type: type, value: rendered))
                }
            }
            names[name] = entries + (hasTXT ? [] : generated)
        }
        return names
    }

    @Test func theSuiteHasAll203Tests() {
        #expect(Self.cases.count == 203)
        #expect(Set(Self.cases.map(\.scenario)).count == 16)
    }

    @Test(arguments: cases)
    func rfc7208(_ test: Case) async throws {
        let ip = try #require(IPAddress(test.host), "client address \(test.host)")
        let evaluator = SPFEvaluator(resolver: test.zone)
        let outcome = await evaluator.checkHost(ip: ip, sender: test.mailfrom, helo: test.helo)
        #expect(test.results.contains(outcome.result.rawValue),
                "\(test): got \(outcome.result.rawValue) (\(outcome.reason)), want \(test.results.joined(separator: " or "))")
        if let explanation = test.explanation {
            #expect((outcome.explanation ?? "DEFAULT") == explanation, "\(test): explanation")
        }
    }
}
