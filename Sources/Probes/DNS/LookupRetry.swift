import PeilModel

/// When a resolution asks a failed question once more. A question that got no usable answer
/// (SERVFAIL, a timeout, a resolver error; not a bogus verdict, which is an answer) is asked
/// again after ``pause`` if the resolution's deadline leaves ``leastTimeLeft`` after it: a
/// nameserver that lost one burst of packets under load then still answers, and the verdicts
/// rest on what the zone holds, not on one lost packet (docs/ARCHITECTURE.md, "A failed
/// question is asked twice").
public struct LookupRetry: Sendable, Hashable {
    /// The wait before the second try.
    public var pause: Duration
    /// The least time before the deadline that must remain after the pause.
    public var leastTimeLeft: Duration

    /// Six seconds: libunbound 1.17.1 keeps a SERVFAIL for 5 s (`NORR_TTL`) and a server that
    /// timed out at the 5 s wait (``ResolverConfiguration/serverWait``) as down for 6 s
    /// (`probedelay`), in whole seconds, so a second try sooner would get the same failure back.
    public static let standard = LookupRetry(pause: .seconds(6), leastTimeLeft: .seconds(2))

    public init(pause: Duration, leastTimeLeft: Duration) {
        self.pause = pause
        self.leastTimeLeft = leastTimeLeft
    }

    /// Whether `record` failed in a way a second try may mend: a failed lookup
    /// (``PeilModel/DNSQueryRecord/isFailedLookup``) not cut short by the resolution's own deadline.
    public static func isWorthAskingAgain(_ record: DNSQueryRecord) -> Bool {
        record.isFailedLookup && record.reason != AnswerDeadline.reason
    }

    /// The record a question keeps after two tries: the second, unless the deadline cut it
    /// short, with a note of how the first try ended (after its own reason, as ``AnswerCaps``
    /// notes a cut), so the stored answer shows it took two.
    public static func kept(first: DNSQueryRecord, second: DNSQueryRecord) -> DNSQueryRecord {
        if second.reason == AnswerDeadline.reason { return first }
        let firstTry = first.reason.map { "\(first.rcode): \($0)" } ?? first.rcode
        return second.noting(isWorthAskingAgain(second) ? "asked twice, the first try \(firstTry)" : "answered on the second try, the first \(firstTry)")
    }
}
