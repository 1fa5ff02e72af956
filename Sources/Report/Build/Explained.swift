import PeilModel

/// Comply or explain: marks the failed cells of a measurement that a recorded explanation counts
/// for (``Explanation/counts(forMeasurementOn:reportTime:)``, against the measurement's own
/// date). Pure. When several count for one cell, the one recorded last is shown.
enum Explained {
    static func apply(_ explanations: [Explanation], to measurement: MeasurementInput, reportTime: String) -> MeasurementInput {
        var byDomain: [String: [String: Explanation]] = [:]
        for explanation in explanations where explanation.counts(forMeasurementOn: measurement.date, reportTime: reportTime) {
            let key = explanation.column.key
            if let shown = byDomain[explanation.domain]?[key], (shown.recordedAt, shown.id) > (explanation.recordedAt, explanation.id) { continue }
            byDomain[explanation.domain, default: [:]][key] = explanation
        }
        guard !byDomain.isEmpty else { return measurement }
        var marked = measurement
        for index in marked.domains.indices {
            guard let explained = byDomain[marked.domains[index].domain] else { continue }
            for (key, explanation) in explained where marked.domains[index].cells[key]?.status == .failed {
                marked.domains[index].cells[key]?.explanation = explanation.note
            }
        }
        return marked
    }
}
