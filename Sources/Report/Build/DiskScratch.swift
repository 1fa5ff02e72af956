#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import PeilModel
import Synchronization

/// A report's rows and baseline cells written to a file as they come (``DomainRowCodec``) and
/// read back one at a time: the rows in domain order when the report's files are written, a
/// baseline domain when the measurement's domain of that name is compared with it. What stays
/// in memory is an index entry per row and per baseline domain (its name and place in the
/// file), so the cells' and subtests' evidence stay on disk.
public struct DiskScratch: ReportScratch {
    private let file: SpoolFile
    private var index: [DomainRowFile.Entry] = []
    private var baseline: [String: DomainRowFile.Entry] = [:]
    private var buffer: [UInt8] = []
    private var written = 0

    /// A scratch file in `directory` (created if missing), removed from the directory at once:
    /// it lives as long as it is open, so nothing is left behind by a crash.
    public init(in directory: URL) throws(SpoolError) {
        file = try SpoolFile(in: directory)
    }

    public mutating func append(_ row: DomainRow) throws(SpoolError) {
        index.append(try write(row))
    }

    /// Encodes `row` into the buffer, written out when it holds a megabyte.
    private mutating func write(_ row: DomainRow) throws(SpoolError) -> DomainRowFile.Entry {
        let start = written + buffer.count
        DomainRowCodec.encode(row, into: &buffer)
        let entry = DomainRowFile.Entry(domain: row.domain, offset: start, length: buffer.count + written - start)
        if buffer.count >= 1 << 20 { try flush() }
        return entry
    }

    private mutating func flush() throws(SpoolError) {
        try file.write(buffer, at: written)
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    public mutating func rows(providers: [String: Providers]) throws(SpoolError) -> DomainRows {
        try flush()
        let sorted = index.sorted { $0.domain < $1.domain }
        index = []
        return DomainRows(DomainRowFile(file: file, entries: sorted, providers: providers))
    }

    public mutating func keepBaseline(_ domain: MeasuredDomain) throws(SpoolError) {
        guard baseline[domain.domain] == nil else { return }
        baseline[domain.domain] = try write(DomainRow(domain: domain.domain, sets: [], layer: nil, organisation: nil, cells: domain.cells,
                                                      providers: Providers()))
    }

    public mutating func baselineDomain(_ name: String) throws(SpoolError) -> MeasuredDomain? {
        guard let entry = baseline[name] else { return nil }
        if entry.offset + entry.length > written { try flush() }
        let row = try DomainRowCodec.decode(try file.read(entry.length, at: entry.offset))
        return MeasuredDomain(domain: row.domain, cells: row.cells)
    }

    public var baselineNames: [String] { Array(baseline.keys) }
}

/// An unlinked file read and written by position.
final class SpoolFile: Sendable {
    let descriptor: Int32

    init(in directory: URL) throws(SpoolError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw SpoolError("\(directory.path): \(error)")
        }
        let path = directory.appendingPathComponent(".rows-\(UUID().uuidString.prefix(8)).spool").path
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.error(errno, path) }
        unlink(path)
        descriptor = fd
    }

    deinit { close(descriptor) }

    func write(_ bytes: [UInt8], at offset: Int) throws(SpoolError) {
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw Self.error(errno, "the report's row spool") }
            done += count
        }
    }

    func read(_ length: Int, at offset: Int) throws(SpoolError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: length)
        var done = 0
        while done < length {
            let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, length - done, off_t(offset + done)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw count == 0 ? SpoolError("the report's row spool ended early") : Self.error(errno, "the report's row spool") }
            done += count
        }
        return bytes
    }

    static func error(_ code: Int32, _ path: String) -> SpoolError {
        SpoolError("\(path): \(String(cString: strerror(code)))")
    }
}

/// A spool file that could not be written or read back.
public struct SpoolError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The rows of a spool file in domain order, each read when it is reached.
final class DomainRowFile: Sendable {
    struct Entry {
        var domain: String
        var offset: Int
        var length: Int
    }

    let file: SpoolFile
    let entries: [Entry]
    let providers: [String: Providers]
    /// The first failure to read a row back; iteration stops at it (``DomainRows/failure``).
    let failure = Mutex<SpoolError?>(nil)

    init(file: SpoolFile, entries: [Entry], providers: [String: Providers]) {
        self.file = file
        self.entries = entries
        self.providers = providers
    }

    func row(at position: Int) -> DomainRow? {
        let entry = entries[position]
        do {
            var row = try DomainRowCodec.decode(try file.read(entry.length, at: entry.offset))
            row.providers = providers[row.domain] ?? Providers()
            return row
        } catch {
            failure.withLock { if $0 == nil { $0 = error } }
            return nil
        }
    }
}
