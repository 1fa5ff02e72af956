import PeilModel

/// A domain row as bytes for a report's scratch file (``DiskScratch``): length-prefixed UTF-8 strings
/// and counts, every field but the providers (attached when read). Decoding what was not
/// encoded here throws ``SpoolError``.
enum DomainRowCodec {
    static func encode(_ row: DomainRow, into out: inout [UInt8]) {
        var writer = Writer(out: out)
        out = []
        writer.string(row.domain)
        writer.strings(row.sets)
        writer.optional(row.layer)
        writer.optional(row.organisation)
        writer.count(row.cells.count)
        for (key, cell) in row.cells {
            writer.string(key)
            writer.cell(cell)
        }
        writer.strings(row.formalReaction)
        writer.count(row.subtests.count)
        for (id, cell) in row.subtests {
            writer.string(id.rawValue)
            writer.cell(cell)
        }
        writer.count(row.peilSubtests.count)
        for (id, cell) in row.peilSubtests {
            writer.string(id.rawValue)
            writer.cell(cell)
        }
        out = writer.out
    }

    static func decode(_ bytes: [UInt8]) throws(SpoolError) -> DomainRow {
        var reader = Reader(bytes: bytes)
        let domain = try reader.string()
        let sets = try reader.strings()
        let layer = try reader.optional(), organisation = try reader.optional()
        var cells: [String: StatusCell] = [:]
        for _ in 0..<(try reader.count()) { cells[try reader.string()] = try reader.cell() }
        let formalReaction = try reader.strings()
        var subtests: [SubtestID: StatusCell] = [:]
        for _ in 0..<(try reader.count()) {
            let name = try reader.string()
            guard let id = SubtestID(rawValue: name) else { throw SpoolError("the row spool names no subtest '\(name)'") }
            subtests[id] = try reader.cell()
        }
        var peilSubtests: [PeilSubtestID: StatusCell] = [:]
        for _ in 0..<(try reader.count()) {
            let name = try reader.string()
            guard let id = PeilSubtestID(rawValue: name) else { throw SpoolError("the row spool names no Peil subtest '\(name)'") }
            peilSubtests[id] = try reader.cell()
        }
        guard reader.position == bytes.count else { throw SpoolError("a spooled row has \(bytes.count - reader.position) bytes left over") }
        return DomainRow(domain: domain, sets: sets, layer: layer, organisation: organisation, cells: cells, providers: Providers(),
                         formalReaction: formalReaction, subtests: subtests, peilSubtests: peilSubtests)
    }

    struct Writer {
        var out: [UInt8]

        mutating func count(_ value: Int) {
            var value = UInt32(value)
            for _ in 0..<4 {
                out.append(UInt8(value & 0xff))
                value >>= 8
            }
        }

        mutating func string(_ text: String) {
            let utf8 = text.utf8
            count(utf8.count)
            out.append(contentsOf: utf8)
        }

        mutating func strings(_ texts: [String]) {
            count(texts.count)
            for text in texts { string(text) }
        }

        mutating func optional(_ text: String?) {
            out.append(text == nil ? 0 : 1)
            if let text { string(text) }
        }

        mutating func cell(_ cell: StatusCell) {
            string(cell.status.rawValue)
            string(cell.because)
            optional(cell.derived?.rawValue)
            optional(cell.explanation)
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func count() throws(SpoolError) -> Int {
            guard position + 4 <= bytes.count else { throw SpoolError("a spooled row ends early") }
            var value = 0
            for shift in 0..<4 { value |= Int(bytes[position + shift]) << (8 * shift) }
            position += 4
            return value
        }

        mutating func string() throws(SpoolError) -> String {
            let length = try count()
            guard position + length <= bytes.count else { throw SpoolError("a spooled row ends early") }
            defer { position += length }
            return String(decoding: bytes[position..<position + length], as: UTF8.self)
        }

        mutating func strings() throws(SpoolError) -> [String] {
            var texts: [String] = []
            for _ in 0..<(try count()) { texts.append(try string()) }
            return texts
        }

        mutating func optional() throws(SpoolError) -> String? {
            guard position < bytes.count else { throw SpoolError("a spooled row ends early") }
            position += 1
            return bytes[position - 1] == 0 ? nil : try string()
        }

        mutating func status() throws(SpoolError) -> Status {
            let word = try string()
            guard let status = Status(rawValue: word) else { throw SpoolError("the row spool has no status '\(word)'") }
            return status
        }

        mutating func cell() throws(SpoolError) -> StatusCell {
            let status = try status()
            let because = try string()
            var derived: Status?
            if let word = try optional() {
                guard let status = Status(rawValue: word) else { throw SpoolError("the row spool has no status '\(word)'") }
                derived = status
            }
            return StatusCell(status, because, derived: derived, explanation: try optional())
        }
    }
}
