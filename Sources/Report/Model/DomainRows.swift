/// A report's per-domain rows in domain order: held in memory, or read one at a time from the
/// scratch file a large report was built with (``DiskScratch``). Iterating a spooled report reads
/// its rows again each time; a row that cannot be read back ends the iteration and is kept in
/// ``failure`` (``ReportFiles/write(_:to:)`` checks it after each file).
public struct DomainRows: Sequence, Sendable, ExpressibleByArrayLiteral {
    enum Storage: Sendable {
        case memory([DomainRow])
        case file(DomainRowFile)
    }

    let storage: Storage

    public init(_ rows: [DomainRow]) { storage = .memory(rows) }

    public init(arrayLiteral rows: DomainRow...) { storage = .memory(rows) }

    init(_ file: DomainRowFile) { storage = .file(file) }

    public var count: Int {
        switch storage {
        case .memory(let rows): rows.count
        case .file(let file): file.entries.count
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// Whether the rows are read from disk rather than held.
    public var isSpooled: Bool {
        if case .file = storage { return true }
        return false
    }

    /// The first row that could not be read back from the spool, nil when all were.
    public var failure: (any Error)? {
        if case .file(let file) = storage { return file.failure.withLock { $0 } }
        return nil
    }

    public struct Iterator: IteratorProtocol {
        let storage: Storage
        var position = 0

        public mutating func next() -> DomainRow? {
            switch storage {
            case .memory(let rows):
                guard position < rows.count else { return nil }
                defer { position += 1 }
                return rows[position]
            case .file(let file):
                guard position < file.entries.count, file.failure.withLock({ $0 }) == nil else { return nil }
                defer { position += 1 }
                return file.row(at: position)
            }
        }
    }

    public func makeIterator() -> Iterator { Iterator(storage: storage) }

    public var underestimatedCount: Int { count }

    /// The first row by name, nil without rows.
    public var first: DomainRow? { first { _ in true } }

    /// The last row by name, nil without rows.
    public var last: DomainRow? {
        switch storage {
        case .memory(let rows): rows.last
        case .file(let file): file.entries.isEmpty ? nil : file.row(at: file.entries.count - 1)
        }
    }
}

extension DomainRows: Equatable {
    /// The same rows in the same order, wherever they are kept.
    public static func == (lhs: DomainRows, rhs: DomainRows) -> Bool {
        lhs.count == rhs.count && lhs.elementsEqual(rhs)
    }
}

extension DomainRows: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try [DomainRow](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for row in self { try container.encode(row) }
        if let failure { throw failure }
    }
}
