import PeilModel

extension DNSQuestionAnswering {
    /// Asks `name` for `type`, giving up at `deadline`: a question still open then is a
    /// `TIMEOUT` record ("resolution deadline reached"). This default races ``ask(_:_:)`` against
    /// the deadline and leaves the question to end on its own; ``ValidatingResolver`` cancels it
    /// inside libunbound instead.
    public func ask(_ name: String, _ type: DNSRecordType, by deadline: ContinuousClock.Instant) async -> DNSQueryRecord {
        guard ContinuousClock.now < deadline else { return AnswerDeadline.notAnswered(name, type) }
        let first = FirstOf<DNSQueryRecord>()
        return await withCheckedContinuation { continuation in
            first.set(continuation)
            let timer = Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                first.resume(AnswerDeadline.notAnswered(name, type))
            }
            Task {
                first.resume(await self.ask(name, type))
                timer.cancel()
            }
        }
    }
}

/// The record of a question the resolution's deadline cut short. Pure.
enum AnswerDeadline {
    static let reason = "resolution deadline reached before an answer"

    static func notAnswered(_ name: String, _ type: DNSRecordType) -> DNSQueryRecord {
        DNSQueryRecord(name: DNSNames.normalise(name), type: type.mnemonic, rcode: DNSResponseCode.timeout, dnssec: .error,
                       reason: reason, records: [])
    }
}
