import PeilModel
import Synchronization
@testable import Probes

/// A resolver answering from a table, recording what was asked and how many questions were
/// open at once. Unknown questions get an insecure NXDOMAIN.
final class TableResolver: DNSQuestionAnswering {
    private struct State {
        var asked: [String] = []
        var open = 0
        var maxOpen = 0
    }

    private let table: [String: DNSQueryRecord]
    private let state = Mutex(State())
    private let delay: Duration

    init(_ records: [DNSQueryRecord], delay: Duration = .milliseconds(2)) {
        var table: [String: DNSQueryRecord] = [:]
        for record in records { table["\(record.name) \(record.type)"] = record }
        self.table = table
        self.delay = delay
    }

    func ask(_ name: String, _ type: DNSRecordType) async -> DNSQueryRecord {
        let key = "\(DNSNames.normalise(name)) \(type.mnemonic)"
        state.withLock { state in
            state.asked.append(key)
            state.open += 1
            state.maxOpen = max(state.maxOpen, state.open)
        }
        try? await Task.sleep(for: delay)
        state.withLock { $0.open -= 1 }
        return table[key] ?? DNSQueryRecord(name: DNSNames.normalise(name), type: type.mnemonic, rcode: "NXDOMAIN", dnssec: .insecure, records: [])
    }

    /// Every question asked, in order, as "name TYPE".
    var asked: [String] { state.withLock { $0.asked } }
    var maxOpen: Int { state.withLock { $0.maxOpen } }
}

/// Shorthand for building query records in tests.
func rr(_ name: String, _ type: String, _ records: [String] = [], rcode: String = "NOERROR",
        _ status: DNSSECStatus = .secure, reason: String? = nil) -> DNSQueryRecord {
    DNSQueryRecord(name: name, type: type, rcode: rcode, dnssec: status, reason: reason, records: records.sorted())
}
