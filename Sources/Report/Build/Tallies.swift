import PeilModel

/// A tally's place: a set, optionally a layer, a column.
struct TallyKey: Hashable {
    var set: String
    var layer: String?
    var column: String
}

/// Every tally of one measurement over the compared sets: per set and column, and per set,
/// layer and column — or, given a tag, per set, tag value and column instead of the layer
/// (`--by TAG`: the tag takes the layer's place, so both slice through one loop).
struct Tallies {
    var tallies: [TallyKey: Tally] = [:]
    /// Members of each set with at least one cell.
    var measured: [String: Int] = [:]
    /// Layers seen per set (published layers can add one the set does not give).
    var layers: [String: Set<String>] = [:]

    /// The tallies of a whole measurement.
    init(_ measurement: MeasurementInput, sets: [ReportSet], tag: String? = nil) {
        var counter = TallyCounter(sets: sets, tag: tag, sourceSet: measurement.sourceSet)
        for domain in measurement.domains { counter.add(domain) }
        self = counter.tallies()
    }

    init(tallies: [TallyKey: Tally], measured: [String: Int], layers: [String: Set<String>]) {
        self.tallies = tallies
        self.measured = measured
        self.layers = layers
    }
}

/// ``Tallies`` gathered domain by domain: what a report keeps of a measurement's cells while
/// its batches pass. Columns are numbered as they are first seen, so a cell costs one lookup.
struct TallyCounter {
    let sets: [ReportSet]
    let tag: String?
    /// The set an imported measurement's results were published for: its members take the
    /// published layer per test.
    let sourceSet: String?
    private var columnIndex: [String: Int] = [:]
    private var keys: [String] = []
    private var tests: [String] = []
    /// Per set: per column, then per layer and column.
    private var all: [[Tally]]
    private var byLayer: [[String: [Tally]]]
    private var measured: [String: Int] = [:]

    init(sets: [ReportSet], tag: String?, sourceSet: String?) {
        self.sets = sets
        self.tag = tag
        self.sourceSet = sourceSet
        all = Array(repeating: [], count: sets.count)
        byLayer = Array(repeating: [:], count: sets.count)
    }

    mutating func add(_ domain: MeasuredDomain) {
        guard !domain.cells.isEmpty else { return }
        for (position, set) in sets.enumerated() {
            guard let member = set.members[domain.domain] else { continue }
            measured[set.name, default: 0] += 1
            let published = sourceSet == set.name
            for (key, cell) in domain.cells where member.tests(key) {
                let index = number(key)
                let layerName: String
                if let tag {
                    layerName = member.tags[tag] ?? SetTags.none
                } else {
                    layerName = ((published ? domain.publishedLayers[tests[index]] : nil) ?? member.layer)?.rawValue ?? "none"
                }
                Self.add(cell, at: index, to: &all[position])
                Self.add(cell, at: index, to: &byLayer[position][layerName, default: []])
            }
        }
    }

    private mutating func number(_ key: String) -> Int {
        if let index = columnIndex[key] { return index }
        columnIndex[key] = keys.count
        keys.append(key)
        tests.append(ReportColumn(key: key).test)
        return keys.count - 1
    }

    private static func add(_ cell: StatusCell, at index: Int, to row: inout [Tally]) {
        if row.count <= index { row += Array(repeating: Tally(), count: index + 1 - row.count) }
        row[index].add(cell)
    }

    func tallies() -> Tallies {
        var result = Tallies(tallies: [:], measured: measured, layers: [:])
        for (position, set) in sets.enumerated() {
            for (index, tally) in all[position].enumerated() where tally.total > 0 {
                result.tallies[TallyKey(set: set.name, layer: nil, column: keys[index])] = tally
            }
            for (layerName, row) in byLayer[position] {
                result.layers[set.name, default: []].insert(layerName)
                for (index, tally) in row.enumerated() where tally.total > 0 {
                    result.tallies[TallyKey(set: set.name, layer: layerName, column: keys[index])] = tally
                }
            }
        }
        return result
    }
}
