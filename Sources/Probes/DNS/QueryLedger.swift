import PeilModel

/// Asks each (name, type) once per resolution and remembers every answer, within
/// ``AnswerCaps``: concurrent askers of the same question wait for the first one's answer
/// instead of asking again. Every question ends by the resolution's `deadline`: one still open
/// then, or asked after it, is a `TIMEOUT` record. With a ``LookupRetry``, a failed question is
/// asked once more after its pause when the deadline leaves time (its askers wait for that too).
actor QueryLedger {
    private struct Question: Hashable {
        var name: String
        var type: DNSRecordType
    }

    private let resolver: any DNSQuestionAnswering
    private let deadline: ContinuousClock.Instant
    private let retry: LookupRetry?
    private var answers: [Question: DNSQueryRecord] = [:]
    private var waiting: [Question: [CheckedContinuation<DNSQueryRecord, Never>]] = [:]

    init(resolver: any DNSQuestionAnswering, deadline: ContinuousClock.Instant, retry: LookupRetry? = nil) {
        self.resolver = resolver
        self.deadline = deadline
        self.retry = retry
    }

    func ask(_ name: String, _ type: DNSRecordType) async -> DNSQueryRecord {
        let question = Question(name: DNSNames.normalise(name), type: type)
        if let answer = answers[question] { return answer }
        if waiting[question] != nil {
            return await withCheckedContinuation { waiting[question, default: []].append($0) }
        }
        waiting[question] = []
        var answer = AnswerCaps.apply(await resolver.ask(question.name, type, by: deadline))
        if let retry, LookupRetry.isWorthAskingAgain(answer), ContinuousClock.now + retry.pause + retry.leastTimeLeft <= deadline {
            try? await Task.sleep(for: retry.pause)
            answer = LookupRetry.kept(first: answer, second: AnswerCaps.apply(await resolver.ask(question.name, type, by: deadline)))
        }
        answers[question] = answer
        for waiter in waiting.removeValue(forKey: question) ?? [] { waiter.resume(returning: answer) }
        return answer
    }

    /// Every answer so far, ordered by name then type.
    var records: [DNSQueryRecord] {
        answers.values.sorted { ($0.name, $0.type) < ($1.name, $1.type) }
    }
}
