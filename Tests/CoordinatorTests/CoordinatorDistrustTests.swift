@testable import Coordinator
import Foundation
import PeilModel
import Store
import Testing
import Wire

/// The coordinator trusts no agent: results that are not the session's lease, attempt and kind,
/// or that exceed the limits, are refused, counted and logged once; floods cost no store work.
@Suite("Coordinator distrusts agents")
struct CoordinatorDistrustTests {
    typealias Machine = CoordinatorStateMachine
    typealias Action = Machine.Action
    let start = ContinuousClock.now
    static let honestKey = "honest-key"
    static let hostileKey = "hostile-key"
    static let honest = Data("honest/1".utf8)
    static let hostile = Data("hostile/1".utf8)

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int(seconds * 1000)) }

    static func settings() -> Machine.Settings {
        var settings = Machine.Settings(allowedAgents: [honestKey: "honest", hostileKey: "hostile"])
        settings.maxAttempts = 3
        return settings
    }

    /// Joins `key` under `routingID` and leases it `tasks` (as the store would have).
    func join(_ machine: inout Machine, key: String, as routingID: Data, concurrency: Int = 4,
              tasks: [TaskAssignment] = [], at seconds: Double = 0) {
        let hello = WireMessage.hello(.init(agentName: key, softwareVersion: "t", families: [.ipv4, .ipv6], concurrency: concurrency))
        for case .register(let agent) in machine.received(hello, from: routingID, key: key, now: at(seconds)) {
            _ = machine.agentRegistered(agent, sessionID: "\(agent.agentID)@\(seconds)", now: at(seconds))
        }
        guard !tasks.isEmpty else { return }
        let claims = machine.received(.ready(credits: tasks.count), from: routingID, key: key, now: at(seconds))
            .compactMap { if case .claim(let claim) = $0 { claim } else { nil } }
        #expect(claims.count == 1)
        _ = machine.tasksClaimed(tasks, for: claims[0], now: at(seconds))
    }

    static func task(_ id: Int64, _ kind: TaskKind, attempt: Int = 1) -> TaskAssignment {
        TaskAssignment(taskID: id, attempt: attempt, measurementID: 1, kind: kind, domain: "d.nl", webHost: "www.d.nl",
                       family: kind == .resolve ? nil : .ipv4,
                       target: kind == .resolve ? nil : ConnectTarget(address: "198.18.0.1", family: .ipv4, host: "www.d.nl"))
    }

    static func reach(_ id: Int64, attempt: Int = 1) -> TaskReport {
        TaskReport(taskID: id, attempt: attempt, outcome: .completed,
                   connect: ConnectObservation(reach: ReachObservation(ports: [PortProbe(port: 443, state: .open)])))
    }

    static func stores(_ actions: [Action]) -> [TaskReport] {
        actions.compactMap { if case .store(let report, _, _, _) = $0 { report } else { nil } }
    }

    static func logs(_ actions: [Action]) -> [String] {
        actions.compactMap { if case .log(_, let text) = $0 { text } else { nil } }
    }

    static func endedTasks(_ actions: [Action]) -> [Int64] {
        actions.compactMap { if case .endTask(let taskID, _, _, _, _) = $0 { taskID } else { nil } }
    }

    @Test func aResultOnTheSessionsOwnLeaseGoesToTheStore() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        join(&machine, key: Self.honestKey, as: Self.honest, tasks: [Self.task(1, .reach)])
        let report = Self.reach(1)
        #expect(machine.received(.result(report), from: Self.honest, key: Self.honestKey, now: at(1))
                == [.store(report, agentID: "honest", sessionID: "honest@0.0", routingID: Self.honest)])
        _ = machine.reportStored(report, disposition: .stored, from: Self.honest)
        #expect(machine.sessions[Self.honest]?.leases.isEmpty == true, "the lease is done with")
        #expect(machine.refusals.total == 0)
    }

    @Test func aResultForAnotherAgentsLeaseIsRefusedAcknowledgedAndCounted() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        join(&machine, key: Self.honestKey, as: Self.honest, tasks: [Self.task(1, .reach)])
        join(&machine, key: Self.hostileKey, as: Self.hostile)
        let actions = machine.received(.result(Self.reach(1)), from: Self.hostile, key: Self.hostileKey, now: at(1))
        #expect(Self.stores(actions).isEmpty)
        #expect(Self.endedTasks(actions).isEmpty, "the honest agent's task is not touched")
        #expect(actions.contains(.send(.ack(taskID: 1, attempt: 1), to: Self.hostile)), "answered: stop resending")
        #expect(machine.refusals.byAgent["hostile"]?[.otherAgentsLease] == 1)
        #expect(machine.sessions[Self.honest]?.leases[1] != nil)
    }

    /// A RESULTS is judged report by report: the one on the session's own lease goes to the
    /// store, the one on another agent's lease is refused and ACKed, as each alone would be.
    @Test func theReportsOfAResultsAreEachJudgedAlone() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        join(&machine, key: Self.honestKey, as: Self.honest, tasks: [Self.task(1, .reach)])
        join(&machine, key: Self.hostileKey, as: Self.hostile, tasks: [Self.task(2, .reach)])
        let actions = machine.received(.results([Self.reach(1), Self.reach(2)]), from: Self.hostile, key: Self.hostileKey, now: at(1))
        #expect(Self.stores(actions) == [Self.reach(2)])
        #expect(actions.contains(.send(.ack(taskID: 1, attempt: 1), to: Self.hostile)))
        #expect(machine.refusals.byAgent["hostile"]?[.otherAgentsLease] == 1)
        #expect(machine.sessions[Self.honest]?.leases[1] != nil, "the honest agent's lease stays")
    }

    @Test func aResultAtAnotherAttemptIsRefused() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        join(&machine, key: Self.honestKey, as: Self.honest, tasks: [Self.task(1, .reach, attempt: 2)])
        let actions = machine.received(.result(Self.reach(1, attempt: 1)), from: Self.honest, key: Self.honestKey, now: at(1))
        #expect(Self.stores(actions).isEmpty)
        #expect(machine.refusals.byAgent["honest"]?[.wrongAttempt] == 1)
    }

    @Test func aResultOfTheWrongKindIsRefusedAndEndsTheTaskWithTheReason() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        join(&machine, key: Self.honestKey, as: Self.honest, tasks: [Self.task(1, .web), Self.task(2, .resolve)])
        let reachForWeb = machine.received(.result(Self.reach(1)), from: Self.honest, key: Self.honestKey, now: at(1))
        #expect(Self.stores(reachForWeb).isEmpty)
        #expect(reachForWeb.contains(.endTask(taskID: 1, attempt: 1, agentID: "honest", sessionID: "honest@0.0", why: "result refused: not the observation of a web task")))
        #expect(reachForWeb.contains(.send(.ack(taskID: 1, attempt: 1), to: Self.honest)))
        let connectForResolve = machine.received(.result(Self.reach(2)), from: Self.honest, key: Self.honestKey, now: at(1))
        #expect(Self.endedTasks(connectForResolve) == [2])
        #expect(machine.refusals.byAgent["honest"]?[.wrongKind] == 2)
        // A failure report carries no observation and fits every kind.
        join(&machine, key: Self.honestKey, as: Self.honest, tasks: [Self.task(3, .web)], at: 2)
        let failure = TaskReport(taskID: 3, attempt: 1, outcome: .timeout, detail: "slow")
        #expect(Self.stores(machine.received(.result(failure), from: Self.honest, key: Self.honestKey, now: at(2))) == [failure])
    }

    @Test func theKindRulesOfReportAdmission() {
        let both = TaskReport(taskID: 1, attempt: 1, outcome: .completed,
                              connect: ConnectObservation(reach: ReachObservation(ports: []), nameserver: NameserverObservation(answered: true)))
        #expect(ReportAdmission.kindRefusal(both, kind: .reach) == .wrongKind, "exactly one member")
        #expect(ReportAdmission.kindRefusal(Self.reach(1), kind: .reach) == nil)
        #expect(ReportAdmission.kindRefusal(Self.reach(1), kind: .nameserver) == .wrongKind)
        #expect(ReportAdmission.kindRefusal(TaskReport(taskID: 1, attempt: 1, outcome: .completed), kind: .web) == nil,
                "no observation: the store treats it as a failure")
    }

    /// Every shape of report against every kind, judged as the rule says: no observation fits
    /// every kind (the store treats it as a failure); a resolve task takes a resolution alone; a
    /// connect task takes a connect observation alone with exactly its own member set. Shapes
    /// include a connect observation with no member, and each shape made both at once and by
    /// setting the observations one after the other.
    @Test func theKindRulesHoldForEveryShapeOfReport() {
        let resolution = ResolutionObservation(
            facts: DNSFacts(domain: "a.nl", dnssec: .secure, nsZone: nil, nameservers: [], domainAddresses: HostAddresses(host: "a.nl"),
                            web: HostAddresses(host: "www.a.nl"), webDNSSEC: .secure, mx: [], nullMX: false, txt: [], spf: [],
                            dmarc: [], domainKey: .error, caaFoundAt: nil, caa: [], webTLSA: []), queries: [])
        let tls = TLSScanResult(outcome: .unreachable, detail: "connect timeout")
        let connectKinds: [TaskKind] = [.reach, .nameserver, .web, .mail]
        var checked = 0
        for withResolution in [false, true] {
            // nil: no connect observation; otherwise the members set.
            let memberSets: [[TaskKind]?] = [nil] + (0..<(1 << connectKinds.count)).map { bits in
                connectKinds.enumerated().filter { bits & (1 << $0.offset) != 0 }.map(\.element)
            }
            for members in memberSets {
                let connect = members.map { set in
                    ConnectObservation(reach: set.contains(.reach) ? ReachObservation(ports: []) : nil,
                                       nameserver: set.contains(.nameserver) ? NameserverObservation(answered: true) : nil,
                                       web: set.contains(.web) ? WebObservation(tls: tls, https: nil, http: nil, port80: .timeout) : nil,
                                       mail: set.contains(.mail) ? MailServerObservation(tls: tls) : nil)
                }
                let made = TaskReport(taskID: 1, attempt: 1, outcome: .completed, resolution: withResolution ? resolution : nil, connect: connect)
                var set = TaskReport(taskID: 1, attempt: 1, outcome: .completed)
                set.connect = connect
                set.resolution = withResolution ? resolution : nil
                for kind in TaskKind.allCases {
                    let fits: Bool
                    if !withResolution && members == nil {
                        fits = true
                    } else if kind == .resolve {
                        fits = withResolution && members == nil
                    } else {
                        fits = !withResolution && members == [kind]
                    }
                    let expected: ReportRefusal? = fits ? nil : .wrongKind
                    #expect(ReportAdmission.kindRefusal(made, kind: kind) == expected, "resolution \(withResolution), members \(String(describing: members)), kind \(kind)")
                    #expect(ReportAdmission.kindRefusal(set, kind: kind) == expected, "set one after the other: resolution \(withResolution), members \(String(describing: members)), kind \(kind)")
                    checked += 1
                }
            }
        }
        #expect(checked == 2 * 17 * TaskKind.allCases.count)
    }

    @Test func anOversizedResultIsRefusedAndEndsItsTask() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        join(&machine, key: Self.honestKey, as: Self.honest, tasks: [Self.task(1, .nameserver)])
        let huge = String(repeating: "x", count: ReportAdmission.maximumObservationBytes)
        let report = TaskReport(taskID: 1, attempt: 1, outcome: .completed,
                                connect: ConnectObservation(nameserver: NameserverObservation(answered: true, detail: huge)))
        let actions = machine.received(.result(report), from: Self.honest, key: Self.honestKey, now: at(1))
        #expect(Self.stores(actions).isEmpty)
        #expect(Self.endedTasks(actions) == [1])
        #expect(machine.refusals.byAgent["honest"]?[.tooLarge] == 1)
        let longDetail = TaskReport(taskID: 9, attempt: 1, outcome: .probeError,
                                    detail: String(repeating: "y", count: ReportAdmission.maximumDetailBytes + 1))
        #expect(ReportAdmission.shapeRefusal(longDetail) == .tooLarge)
    }

    @Test func agentSuppliedIntegersCannotTrap() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        join(&machine, key: Self.hostileKey, as: Self.hostile, concurrency: Int.min)
        #expect(machine.sessions[Self.hostile]?.concurrency == 0)
        for credits in [Int.max, Int.max, Int.min, -1, 0] {
            #expect(machine.received(.ready(credits: credits), from: Self.hostile, key: Self.hostileKey, now: at(0.1)).isEmpty)
        }
        #expect(machine.sessions[Self.hostile]?.credits == 0)
        for (taskID, attempt) in [(Int64.max, Int.max), (Int64.min, Int.min), (-1, -1), (1, 0), (1, Int(Int32.max) + 1)] {
            let report = TaskReport(taskID: taskID, attempt: attempt, outcome: .timeout)
            let actions = machine.received(.result(report), from: Self.hostile, key: Self.hostileKey, now: at(0.2))
            #expect(Self.stores(actions).isEmpty, "attempt \(attempt) is not a PostgreSQL integer from 1")
            #expect(actions.contains(.send(.ack(taskID: taskID, attempt: attempt), to: Self.hostile)))
        }
        #expect(machine.refusals.byAgent["hostile"]?[.wrongAttempt] == 5)
        var grants = AgentSession(routingID: Self.hostile, agentID: "h", sessionID: "s", publicKey: Self.hostileKey, families: [], concurrency: Int.max,
                                  credits: Int.max - 1, lastHeard: at(0))
        #expect(grants.grant(Int.max) == 1)
        #expect(grants.grant(Int.max) == 0)
        // A HELLO with a thousand families registers each once.
        let repeated = WireMessage.hello(.init(agentName: "x", softwareVersion: "", families: Array(repeating: .ipv6, count: 1000) + [.ipv4], concurrency: 1))
        let registration = machine.received(repeated, from: Self.hostile, key: Self.hostileKey, now: at(2))
            .compactMap { if case .register(let agent) = $0 { agent } else { nil } }
        #expect(registration.map(\.families) == [[.ipv4, .ipv6]])
        // A HELLO with absurd numbers is rejected or clamped, never trapped on.
        let absurd = WireMessage.hello(.init(agentName: "x", protocolVersion: Int.min, softwareVersion: "", families: [], concurrency: Int.max))
        #expect(machine.received(absurd, from: Self.hostile, key: Self.hostileKey, now: at(5))
                == [.send(.reject(reason: "protocol \(WireMessage.protocolVersion) required, agent speaks \(Int.min)"), to: Self.hostile)])
    }

    @Test func aFloodOfReadyCannotHoardMoreTasksThanTheConcurrency() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        join(&machine, key: Self.hostileKey, as: Self.hostile, concurrency: 2, tasks: [Self.task(1, .reach), Self.task(2, .reach)])
        for _ in 0..<1000 {
            #expect(machine.received(.ready(credits: Int.max), from: Self.hostile, key: Self.hostileKey, now: at(1)).isEmpty)
        }
        #expect(machine.sessions[Self.hostile]?.credits == 0, "two tasks held, no result: no room for more")
        _ = machine.reportStored(Self.reach(1), disposition: .stored, from: Self.hostile)
        let claims = machine.received(.ready(credits: Int.max), from: Self.hostile, key: Self.hostileKey, now: at(2))
            .compactMap { if case .claim(let claim) = $0 { claim.limit } else { nil } }
        #expect(claims == [1], "a result frees one slot")
    }

    @Test func refusalsAreLoggedOncePerSessionAndKindAndCountedInThePeriodicLine() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        join(&machine, key: Self.honestKey, as: Self.honest, tasks: [Self.task(1, .reach)])
        join(&machine, key: Self.hostileKey, as: Self.hostile)
        var logged: [String] = []
        for _ in 0..<1000 {
            logged += Self.logs(machine.received(.result(Self.reach(1)), from: Self.hostile, key: Self.hostileKey, now: at(1)))
            logged += Self.logs(machine.malformed(from: Self.hostile, key: Self.hostileKey, why: "garbage"))
            logged += Self.logs(machine.received(.ack(taskID: 1, attempt: 1), from: Self.hostile, key: Self.hostileKey, now: at(1)))
            logged += Self.logs(machine.received(.acks([.init(taskID: 1, attempt: 1)]), from: Self.hostile, key: Self.hostileKey, now: at(1)))
        }
        #expect(logged.count == 2, "one line per kind, not one per message")
        #expect(machine.refusals.total == 4000)
        // The store's refusals are counted the same way.
        let stored = machine.reportStored(Self.reach(5), disposition: .refusedNotLeased, from: Self.hostile)
        #expect(Self.logs(stored).count == 1)
        #expect(stored.contains(.send(.ack(taskID: 5, attempt: 1), to: Self.hostile)))
        // The periodic line gives the counts, once they changed.
        let line = Self.logs(machine.tick(now: at(60)))
        #expect(line == ["results refused: 4001 (hostile: malformed 3000, not_leased 1, other_agents_lease 1000)"])
        #expect(Self.logs(machine.tick(now: at(121))).isEmpty, "nothing new, nothing logged")
        // A new session of the agent is logged afresh.
        join(&machine, key: Self.hostileKey, as: Data("hostile/2".utf8), at: 122)
        #expect(Self.logs(machine.malformed(from: Data("hostile/2".utf8), key: Self.hostileKey, why: "garbage")).count == 1)
    }

    @Test func aResultTheStoreCannotHoldIsAnsweredAndEndsTheTask() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        join(&machine, key: Self.honestKey, as: Self.honest, tasks: [Self.task(1, .reach)])
        let report = Self.reach(1)
        let actions = machine.reportNotStorable(report, from: Self.honest, why: "unsupported Unicode escape sequence")
        #expect(actions.contains(.endTask(taskID: 1, attempt: 1, agentID: "honest", sessionID: "honest@0.0", why: "result could not be stored: unsupported Unicode escape sequence")))
        #expect(actions.contains(.send(.ack(taskID: 1, attempt: 1), to: Self.honest)), "the agent stops resending it")
        #expect(machine.refusals.byAgent["honest"]?[.notStorable] == 1)
    }

    @Test func aMessageUnderAnotherKeysRoutingIDIsNotThatSessions() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        join(&machine, key: Self.honestKey, as: Self.honest, tasks: [Self.task(1, .reach)])
        let actions = machine.received(.result(Self.reach(1)), from: Self.honest, key: Self.hostileKey, now: at(1))
        #expect(actions == [.send(.reject(reason: "unknown session: say HELLO"), to: Self.honest)])
        #expect(machine.received(.bye, from: Self.honest, key: Self.hostileKey, now: at(1)).count == 1)
        #expect(machine.sessions[Self.honest]?.agentID == "honest", "the honest session stays")
    }

    @Test func aFloodOfHellosRegistersOncePerInterval() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        let hello = WireMessage.hello(.init(agentName: "h", softwareVersion: "t", families: [.ipv4], concurrency: 1))
        var registrations = 0
        for index in 0..<10_000 {
            let actions = machine.received(hello, from: Self.hostile, key: Self.hostileKey, now: at(Double(index) / 5000))
            registrations += actions.filter { if case .register = $0 { true } else { false } }.count
        }
        #expect(registrations == 2, "two seconds of HELLOs, one store write per second")
    }

    @Test func leasesLongPastTheirTimeAreForgotten() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        join(&machine, key: Self.honestKey, as: Self.honest, tasks: [Self.task(1, .reach)])
        for second in stride(from: 1.0, through: 260, by: 1) {
            _ = machine.received(.heartbeat, from: Self.honest, key: Self.honestKey, now: at(second))
            _ = machine.tick(now: at(second))
        }
        #expect(machine.sessions[Self.honest]?.leases.isEmpty == true)
        // A late result on it goes to the store, which judges it.
        #expect(Self.stores(machine.received(.result(Self.reach(1)), from: Self.honest, key: Self.honestKey, now: at(261))).count == 1)
    }

    @Test func aPollRoundHandlesAtMostItsLimit() throws {
        var waiting = 100_000
        var handled = 0
        let taken = PollRound.drain(limit: 256, next: { () -> Int? in
            guard waiting > 0 else { return nil }
            waiting -= 1
            return waiting
        }, handle: { _ in handled += 1 })
        #expect(taken == 256)
        #expect(handled == 256)
        #expect(PollRound.drain(limit: 256, next: { () -> Int? in nil }, handle: { _ in }) == 0)
    }

    /// A round's messages decode to what each decodes to alone, in their order, whether the round
    /// is shared out over threads (large bodies) or not; a malformed one stays an error in its place.
    @Test func aRoundDecodesInOrderSharedOrNot() throws {
        let large = TaskReport(taskID: 1, attempt: 1, outcome: .completed, detail: String(repeating: "x", count: 4_000),
                               connect: ConnectObservation(reach: ReachObservation(ports: [PortProbe(port: 443, state: .open)])))
        for detail in ["small", String(repeating: "x", count: 4_000)] {
            var round: [[Data]] = []
            for index in 0..<40 {
                let routing = Data("agent-\(index % 3)".utf8)
                if index % 7 == 3 {
                    round.append([routing, Data("RESULT".utf8), Data("{not json".utf8)])
                } else {
                    var report = large
                    report.taskID = Int64(index)
                    report.detail = detail
                    round.append([routing] + (try WireMessage.result(report).frames()))
                }
            }
            #expect(RoundDecoding.isShared(round) == (detail.count > 100))
            #expect(!RoundDecoding.isShared(Array(round.prefix(1))), "one message alone")
            if detail == "small" {
                let many = Array(repeating: round[0], count: 200)
                #expect(many.reduce(0) { $0 + ($1.last?.count ?? 0) } >= RoundDecoding.sharedFromBytes)
                #expect(!RoundDecoding.isShared(many), "many small messages: decoded where they arrive")
            }
            let decoded = RoundDecoding.decode(round)
            #expect(decoded.count == round.count)
            for (index, result) in decoded.enumerated() {
                if index % 7 == 3 {
                    #expect(throws: WireError.self) { try result.get() }
                } else {
                    let received = try result.get()
                    guard case .result(let report) = received.message else { Issue.record("message \(index)"); continue }
                    #expect(report.taskID == Int64(index))
                    #expect(report.detail == detail)
                    // Where the observation stands: its bytes decode to the report's observation.
                    let range = try #require(received.reports.first?.observation)
                    let body = round[index][2]
                    let bytes = body[(body.startIndex + range.lowerBound)..<(body.startIndex + range.upperBound)]
                    #expect(try JSONDecoder().decode(ConnectObservation.self, from: bytes) == report.connect)
                }
            }
        }
    }

    @Test func forgedResultsCostTheStoreOnlyUntilTheAgentsLookupBudgetIsSpent() {
        var settings = Self.settings()
        settings.storeLookups = TokenBudget(capacity: 3, refillPerSecond: 1)
        var machine = Machine(settings: settings, now: at(0))
        join(&machine, key: Self.hostileKey, as: Self.hostile)
        join(&machine, key: Self.honestKey, as: Self.honest)
        var lookups = 0
        for id in Int64(100)..<Int64(110) {
            let actions = machine.received(.result(Self.reach(id)), from: Self.hostile, key: Self.hostileKey, now: at(1))
            let stores = Self.stores(actions)
            for report in stores {
                lookups += 1
                _ = machine.reportStored(report, disposition: .refusedNotLeased, from: Self.hostile)
            }
            if stores.isEmpty { #expect(actions.contains(.send(.ack(taskID: id, attempt: 1), to: Self.hostile)), "refused, answered") }
        }
        #expect(lookups == 3, "ten forged results, three store lookups")
        #expect(machine.refusals.byAgent["hostile"]?[.notLeased] == 10, "three by the store, seven without asking it")
        // A new session does not refill the budget; time does, by one a second.
        join(&machine, key: Self.hostileKey, as: Self.hostile, at: 2)
        #expect(Self.stores(machine.received(.result(Self.reach(200)), from: Self.hostile, key: Self.hostileKey, now: at(2.5))).count == 1)
        _ = machine.reportStored(Self.reach(200), disposition: .refusedNotLeased, from: Self.hostile)
        #expect(Self.stores(machine.received(.result(Self.reach(201)), from: Self.hostile, key: Self.hostileKey, now: at(2.6))).isEmpty)
        // The honest agent's results on leases from before a restart still reach the store, and
        // those the store takes cost nothing.
        for id in Int64(300)..<Int64(310) {
            let actions = machine.received(.result(Self.reach(id)), from: Self.honest, key: Self.honestKey, now: at(3))
            #expect(Self.stores(actions).count == 1)
            _ = machine.reportStored(Self.reach(id), disposition: .stored, from: Self.honest)
        }
    }

    @Test func aTokenBudgetRefillsToItsCapacityAndNoFurther() {
        var budget = TokenBudget(capacity: 2, refillPerSecond: 0.5)
        budget.spend(now: at(0)); budget.spend(now: at(0)); budget.spend(now: at(0))
        let early = budget.available(now: at(1.9)), onTime = budget.available(now: at(2.0)), rested = budget.available(now: at(100))
        #expect(!early && onTime && rested)
        budget.spend(now: at(100)); budget.spend(now: at(100))
        let afterTwo = budget.available(now: at(100))
        #expect(!afterTwo, "two at most, however long it rested")
    }

    @Test func aKeyTakenOffTheAllowListLosesItsSessionAndLeasesAndIsRefusedFromThenOn() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        join(&machine, key: Self.honestKey, as: Self.honest, tasks: [Self.task(1, .reach)])
        join(&machine, key: Self.hostileKey, as: Self.hostile)
        let actions = machine.allowListChanged([Self.hostileKey: "hostile"])
        #expect(actions == [.releaseLeases(agentID: "honest", sessionID: "honest@0.0", why: "its key was taken off the allow-list"),
                            .send(.reject(reason: "key not allow-listed"), to: Self.honest)])
        #expect(machine.sessions[Self.honest] == nil && machine.sessions[Self.hostile] != nil, "the other agent stays")
        // Its result, and its HELLO again, are refused and nothing goes to the store.
        let late = machine.received(.result(Self.reach(1)), from: Self.honest, key: Self.honestKey, now: at(1))
        #expect(Self.stores(late).isEmpty && late.contains(.send(.reject(reason: "key not allow-listed"), to: Self.honest)))
        let hello = WireMessage.hello(.init(agentName: "honest", softwareVersion: "t", families: [.ipv4], concurrency: 4))
        let again = machine.received(hello, from: Self.honest, key: Self.honestKey, now: at(5))
        #expect(!again.contains { if case .register = $0 { true } else { false } }, "not admitted again")
        #expect(Self.logs(again).isEmpty, "logged once, not per message")
        // Put back on the list, it may join again.
        _ = machine.allowListChanged([Self.hostileKey: "hostile", Self.honestKey: "honest"])
        let back = machine.received(hello, from: Self.honest, key: Self.honestKey, now: at(10))
        #expect(back.contains { if case .register = $0 { true } else { false } })
    }
}
