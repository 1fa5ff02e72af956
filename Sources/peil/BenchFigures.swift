import Foundation

/// The nearest-rank percentile of `sorted` (ascending): the smallest value with at least
/// `fraction` of the values at or below it; 0 for no values. The claim and ingest benches' p50/p99.
func nearestRank(_ sorted: [Double], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * fraction).rounded(.up)) - 1))]
}

/// Writes a bench's figures to `path` as JSON (pretty, keys sorted); nothing when `path` is nil.
func writeBenchFigures(_ figures: some Encodable, to path: String?) throws {
    guard let path else { return }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(figures).write(to: URL(fileURLWithPath: path))
}
