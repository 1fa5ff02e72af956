import CUnbound
import PeilModel
import Synchronization

/// Answers one DNS question as a ``PeilModel/DNSQueryRecord``. The seam for tests and for
/// other resolvers: ``DomainResolution`` only needs this.
public protocol DNSQuestionAnswering: Sendable {
    /// Asks `name` (any case, trailing dot optional) for `type`. Never throws: failures are
    /// part of the record (rcode `TIMEOUT`/`ERROR`/`SERVFAIL`, status `error`).
    func ask(_ name: String, _ type: DNSRecordType) async -> DNSQueryRecord
    /// Asks, giving up at `deadline` with a `TIMEOUT` record. A requirement (with a default that
    /// races ``ask(_:_:)``), so that a resolver which can cancel a question itself is called
    /// through an existential too.
    func ask(_ name: String, _ type: DNSRecordType, by deadline: ContinuousClock.Instant) async -> DNSQueryRecord
}

/// A validating resolver over libunbound: one validating context, and one iterator-only
/// context used to still see the records of a bogus answer and to ask a zone for the keys a
/// bogus answer says did not come (``QueryRecordBuilder/keysNotFetched(_:)``).
///
/// Safe to call from many tasks at once. It is `Sendable` because its stored properties are
/// immutable (or a `Mutex`) and Sendable: each context is owned by an ``UnboundEventLoop`` whose thread is the
/// only one that touches it. Calls never block a Swift executor thread; they await the loop.
/// The caches are shared by all questions, so later domains profit from earlier ones.
public final class ValidatingResolver: DNSQuestionAnswering {
    public let configuration: ResolverConfiguration
    private let validating: UnboundEventLoop
    private let unvalidated: UnboundEventLoop
    /// How many ``validatedAfresh(_:_:deadline:)`` contexts run now; at most ``maxFreshValidations``.
    private let freshValidations = Mutex(0)
    /// Each fresh validation is a context and a thread of its own.
    static let maxFreshValidations = 4

    /// Checks `configuration` (see ``ResolverConfiguration/validate()``), then starts both contexts.
    public init(_ configuration: ResolverConfiguration) throws(ResolverError) {
        try configuration.validate()
        self.configuration = configuration
        let validatingContext = try UnboundContextFactory.make(configuration, validating: true)
        let uncheckedContext: OpaquePointer
        do {
            uncheckedContext = try UnboundContextFactory.make(configuration, validating: false)
        } catch {
            ub_ctx_delete(validatingContext)
            throw error
        }
        let validatingLoop: UnboundEventLoop
        do {
            validatingLoop = try UnboundEventLoop(context: validatingContext, timeout: configuration.queryTimeout,
                                                  maxInFlight: configuration.maxQueriesInFlight, name: "peil-unbound-validating")
        } catch {
            ub_ctx_delete(uncheckedContext)
            throw error
        }
        do {
            self.unvalidated = try UnboundEventLoop(context: uncheckedContext, timeout: configuration.queryTimeout,
                                                    maxInFlight: configuration.maxQueriesInFlight, name: "peil-unbound-unchecked")
        } catch {
            validatingLoop.shutdown()
            throw error
        }
        self.validating = validatingLoop
    }

    public func ask(_ name: String, _ type: DNSRecordType) async -> DNSQueryRecord {
        await ask(name, type, deadline: nil)
    }

    /// Asks as ``ask(_:_:)`` does, but cancels the question inside libunbound at `deadline`
    /// when that comes before the query timeout: then it is `TIMEOUT`, "resolution deadline
    /// reached before an answer".
    public func ask(_ name: String, _ type: DNSRecordType, by deadline: ContinuousClock.Instant) async -> DNSQueryRecord {
        await ask(name, type, deadline: deadline)
    }

    private func ask(_ name: String, _ type: DNSRecordType, deadline: ContinuousClock.Instant?) async -> DNSQueryRecord {
        let queryName = DNSNames.normalise(name)
        let outcome = await validating.resolve(queryName, type: type.rawValue, deadline: deadline)
        var unchecked: UnboundOutcome?
        if QueryRecordBuilder.needsUnvalidatedAnswer(outcome) {
            unchecked = await unvalidated.resolve(queryName, type: type.rawValue, deadline: deadline)
        }
        var record = QueryRecordBuilder.record(name: queryName, type: type, validated: outcome,
                                               unvalidated: unchecked, timeout: configuration.queryTimeout)
        // Bogus for want of keys: bogus only if the keys' zone answers for them when asked
        // itself; keys slower than the nameserver wait are not a broken chain. After one failed
        // fetch of a zone's keys libunbound blacks the zone out for 60 s (`BOGUS_KEY_TTL`): its
        // names are then bogus, "key for validation Z is marked as invalid because of a
        // previous …". That is no verdict on the zone, so when the keys come without
        // validation, the question is validated afresh.
        if let keys = QueryRecordBuilder.keysNotFetched(outcome) {
            let direct = await unvalidated.resolve(keys.zone, type: keys.type, deadline: deadline)
            if !QueryRecordBuilder.keysCame(direct) {
                record = QueryRecordBuilder.keysDidNotCome(record, zone: keys.zone, type: keys.type)
            } else if QueryRecordBuilder.keysArePublished(direct) {
                switch await validatedAfresh(queryName, type, deadline: deadline) {
                case .verdict(let fresh): record = QueryRecordBuilder.validatedAfresh(fresh, zone: keys.zone)
                case .keysMissingAgain: break
                case .notAdmitted: record = QueryRecordBuilder.keysNotCheckedAfresh(record, zone: keys.zone, type: keys.type)
                }
            }
        }
        if let deadline, record.rcode == DNSResponseCode.timeout, ContinuousClock.now >= deadline {
            return AnswerDeadline.notAnswered(queryName, type)
        }
        return record
    }

    /// How a fresh validation ended.
    private enum FreshValidation {
        /// The new validator's record (a failure too: the chain was then not checked).
        case verdict(DNSQueryRecord)
        /// The new validator too says the keys are missing: the first verdict stands.
        case keysMissingAgain
        /// ``maxFreshValidations`` were running, or no context could be made.
        case notAdmitted
    }

    /// The question asked of a new validating context, with no failure cached.
    private func validatedAfresh(_ name: String, _ type: DNSRecordType, deadline: ContinuousClock.Instant?) async -> FreshValidation {
        let admitted = freshValidations.withLock { running in
            guard running < Self.maxFreshValidations else { return false }
            running += 1
            return true
        }
        guard admitted else { return .notAdmitted }
        defer { freshValidations.withLock { $0 -= 1 } }
        guard let context = try? UnboundContextFactory.make(configuration, validating: true),
              let loop = try? UnboundEventLoop(context: context, timeout: configuration.queryTimeout, maxInFlight: 1,
                                               name: "peil-unbound-afresh") else { return .notAdmitted }
        defer { loop.shutdown() }
        let outcome = await loop.resolve(name, type: type.rawValue, deadline: deadline)
        guard QueryRecordBuilder.keysNotFetched(outcome) == nil else { return .keysMissingAgain }
        var unchecked: UnboundOutcome?
        if QueryRecordBuilder.needsUnvalidatedAnswer(outcome) {
            unchecked = await unvalidated.resolve(name, type: type.rawValue, deadline: deadline)
        }
        return .verdict(QueryRecordBuilder.record(name: name, type: type, validated: outcome, unvalidated: unchecked,
                                                  timeout: configuration.queryTimeout))
    }

    /// Stops both contexts; questions still open end as `ERROR`. Also done on deinit.
    public func shutdown() {
        validating.shutdown()
        unvalidated.shutdown()
    }

    deinit {
        shutdown()
    }
}
