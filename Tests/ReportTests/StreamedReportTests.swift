import Foundation
import PeilModel
@testable import Report
import XCTest

/// A report built batch by batch with its rows spooled to disk (what `peil report` does) is the
/// report built from the whole measurement in memory (what the dashboard does), file for file.
final class StreamedReportTests: XCTestCase {
    /// The full twin against March 2021 with regressions, explanations and the layer slice,
    /// fed in batches of 1, 250 and all domains in a scrambled order (the baseline's reversed,
    /// kept in the scratch file too): every file byte for byte.
    func testBatchesThroughTheSpoolWriteTheSameFilesAsTheWholeMeasurement() throws {
        var input = try ReportFixtures.twinInput()
        var explanations: [Explanation] = []
        for index in stride(from: 0, to: input.measurement.domains.count, by: 37) {
            let domain = input.measurement.domains[index]
            for (key, cell) in domain.cells where cell.status == .passed {
                input.measurement.domains[index].cells[key] = StatusCell(.failed, "regressed on purpose (\(index))")
            }
            if let key = input.measurement.domains[index].cells.keys.sorted().first, let column = BulkColumnID(key: key) {
                explanations.append(Explanation(id: Int64(index), domain: domain.domain, column: column, text: "fixed next month",
                                                by: "BZK", recordedAt: "2021-03-01T09:00:00Z", until: nil))
            }
        }
        input.measurementUnderBaselineRules = input.measurement
        input.explanations = explanations
        input.sliceBy = "layer"
        let whole = ReportBuilder.build(input, title: "streamed")
        XCTAssertFalse(whole.domains.isSpooled)
        XCTAssertGreaterThan(whole.changes?.regressions.count ?? 0, 100, "regressions against March 2021")
        XCTAssertGreaterThan(whole.adoption.reduce(0) { $0 + $1.current.explainedFailures }, 0, "explained failures")
        let expected = try Self.files(of: whole, in: try ReportFixtures.scratch("streamed-whole"))

        let domains = input.measurement.domains, count = domains.count
        let scrambled = (0..<count).map { domains[($0 * 7919) % count] }
        XCTAssertEqual(Set(scrambled.map(\.domain)).count, count, "a permutation")
        for size in [1, 250, count] {
            let folder = try ReportFixtures.scratch("streamed-\(size)")
            var accumulator = ReportAccumulator(input, scratch: try DiskScratch(in: folder))
            let baseline = input.baseline?.domains.reversed() ?? []
            for start in stride(from: 0, to: baseline.count, by: size) {
                try accumulator.addBaseline(Array(baseline[start..<min(start + size, baseline.count)]))
            }
            for start in stride(from: 0, to: count, by: size) {
                let batch = Array(scrambled[start..<min(start + size, count)])
                try accumulator.add(batch, underBaselineRules: batch)
            }
            let report = try accumulator.finish(title: "streamed")
            XCTAssertTrue(report.domains.isSpooled)
            XCTAssertEqual(report.domains.count, whole.domains.count)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [], "the spool's file is unlinked at once")
            let written = try Self.files(of: report, in: folder)
            XCTAssertEqual(Set(written.keys), Set(expected.keys))
            for (name, data) in expected { XCTAssertTrue(written[name] == data, "\(name) with batches of \(size)") }
            XCTAssertTrue(report.domains == whole.domains, "the rows read back are the rows")
            XCTAssertNil(report.domains.failure)
        }
    }

    /// A diff fed in batches, the earlier side's cells in a scratch file, finds what the whole
    /// comparison finds, in the same order: changes of every kind (and all cells when asked).
    func testADiffInBatchesThroughTheScratchIsTheWholeDiff() throws {
        let truth = try ReportFixtures.twinTruth.get()
        let before = ReportFixtures.twinMeasurement(truth)
        var after = before
        after.name = "later"
        for index in stride(from: 0, to: after.domains.count, by: 29) {
            for key in after.domains[index].cells.keys.sorted().prefix(3) {
                after.domains[index].cells[key] = StatusCell(.failed, "changed on purpose (\(index))")
            }
            after.domains[index].cells["web.tls_ncsc"] = nil
        }
        after.domains.removeLast(7)
        after.domains.append(MeasuredDomain(domain: "nieuw.example", cells: ["web.hsts": StatusCell(.passed)]))
        let sets = try ReportFixtures.sets()
        let beforeReversed = Array(before.domains.reversed())
        for includeUnchanged in [false, true] {
            let whole = MeasurementDiff.compare(before, after, sets: sets, includeUnchanged: includeUnchanged)
            XCTAssertGreaterThan(whole.counts[.regressed] ?? 0, 50)
            XCTAssertGreaterThan(whole.counts[.gone] ?? 0, 0)
            for size in [1, 300] {
                var accumulator = MeasurementDiff.Accumulator(sets: sets, includeUnchanged: includeUnchanged,
                                                              scratch: try DiskScratch(in: try ReportFixtures.scratch("diff-\(size)")))
                for start in stride(from: 0, to: before.domains.count, by: size) {
                    try accumulator.addBefore(Array(beforeReversed[start..<min(start + size, before.domains.count)]))
                }
                for start in stride(from: 0, to: after.domains.count, by: size) {
                    try accumulator.addAfter(Array(after.domains[start..<min(start + size, after.domains.count)]))
                }
                let batched = try accumulator.finish(before: before, after: after)
                XCTAssertEqual(batched.counts, whole.counts, "batches of \(size)")
                XCTAssertTrue(batched == whole, "batches of \(size), unchanged kept: \(includeUnchanged)")
            }
        }
    }

    /// Hostile text (quotes, line breaks, combining marks, NUL-free control characters) comes
    /// back from the spool's bytes as it went in; bytes cut short or with a word that is no
    /// status are an error, not a crash or a wrong row.
    func testTheSpoolCodecRoundTripsHostileRowsAndRefusesDamagedOnes() throws {
        let report = HostileReport.report()
        XCTAssertFalse(report.domains.isEmpty)
        for row in report.domains {
            var bytes: [UInt8] = [0xAA]
            DomainRowCodec.encode(row, into: &bytes)
            XCTAssertEqual(bytes.first, 0xAA, "appends")
            var decoded = try DomainRowCodec.decode(Array(bytes.dropFirst()))
            decoded.providers = row.providers
            XCTAssertEqual(decoded, row)
            for cut in [1, 5, bytes.count / 2, bytes.count - 2] {
                XCTAssertThrowsError(try DomainRowCodec.decode(Array(bytes[1..<cut])), "cut at \(cut)")
            }
            XCTAssertThrowsError(try DomainRowCodec.decode(Array(bytes.dropFirst()) + [0]), "a byte left over")
        }
        var damaged: [UInt8] = []
        DomainRowCodec.encode(DomainRow(domain: "a.nl", sets: [], layer: nil, organisation: nil,
                                        cells: ["web.hsts": StatusCell(.passed, "x")], providers: Providers()), into: &damaged)
        let word = Array("passed".utf8)
        let at = try XCTUnwrap((0...(damaged.count - word.count)).first { Array(damaged[$0..<$0 + word.count]) == word })
        damaged[at] = UInt8(ascii: "q")
        XCTAssertThrowsError(try DomainRowCodec.decode(damaged)) { error in
            XCTAssertTrue("\(error)".contains("no status 'qassed'"), "\(error)")
        }
    }

    static func files(of report: Report, in folder: URL) throws -> [String: Data] {
        let written = try ReportFiles.write(report, to: folder)
        return Dictionary(uniqueKeysWithValues: try written.map { ($0.lastPathComponent, try Data(contentsOf: $0)) })
    }
}
