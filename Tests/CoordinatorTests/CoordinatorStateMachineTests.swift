@testable import Coordinator
import Foundation
import PeilModel
import Store
import Testing
import Wire

/// The coordinator's protocol logic, driven by events and instants: no socket, no clock, no database.
@Suite("Coordinator state machine")
struct CoordinatorStateMachineTests {
    typealias Machine = CoordinatorStateMachine
    typealias Action = Machine.Action
    let start = ContinuousClock.now
    static let key = "agent-key-1"
    static let process = Data("a1/0001".utf8)
    static let restarted = Data("a1/0002".utf8)

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int(seconds * 1000)) }

    static func settings() -> Machine.Settings {
        var settings = Machine.Settings(allowedAgents: [key: "a1"])
        settings.maxAttempts = 2
        settings.batchSize = 32
        return settings
    }

    static func hello(concurrency: Int = 4, version: Int = WireMessage.protocolVersion) -> WireMessage {
        .hello(.init(agentName: "vantage-1", protocolVersion: version, softwareVersion: "test", families: [.ipv4], concurrency: concurrency))
    }

    static func task(_ id: Int64, attempt: Int = 1) -> TaskAssignment {
        TaskAssignment(taskID: id, attempt: attempt, measurementID: 1, kind: .resolve, domain: "d\(id).nl", webHost: "www.d\(id).nl")
    }

    /// Runs a HELLO through registration, as the loop would; returns the actions of both steps.
    func join(_ machine: inout Machine, process: Data = Self.process, concurrency: Int = 4, at seconds: Double = 0) -> [Action] {
        var actions = machine.received(Self.hello(concurrency: concurrency), from: process, key: Self.key, now: at(seconds))
        for case .register(let agent) in actions { actions += machine.agentRegistered(agent, sessionID: "\(agent.agentID)@\(seconds)", now: at(seconds)) }
        return actions
    }

    static func claims(_ actions: [Action]) -> [ClaimRequest] {
        actions.compactMap { if case .claim(let claim) = $0 { claim } else { nil } }
    }

    static func releases(_ actions: [Action]) -> [String] {
        actions.compactMap { if case .releaseLeases(let agentID, _, let why) = $0 { "\(agentID): \(why)" } else { nil } }
    }

    @Test func helloRegistersThenWelcomesWithTheMaxAttempts() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        let hello = machine.received(Self.hello(), from: Self.process, key: Self.key, now: at(0))
        let registration = AgentRegistration(routingID: Self.process, agentID: "a1", publicKey: Self.key, families: [.ipv4],
                                             concurrency: 4, softwareVersion: "test", resumes: nil)
        #expect(hello == [.register(registration)], "results are recorded under the allow-list's name, not the agent's own")
        #expect(machine.sessions.isEmpty, "no session before the store has the agent")
        let welcome = machine.agentRegistered(registration, sessionID: "s1", now: at(0))
        #expect(welcome.contains(.send(.welcome(.init(agentID: "a1", heartbeatSeconds: 2, leaseSeconds: 120, maxAttempts: 2, session: "s1")), to: Self.process)))
    }

    @Test func anotherProtocolVersionIsRejected() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        let actions = machine.received(Self.hello(version: 2), from: Self.process, key: Self.key, now: at(0))
        #expect(actions == [.send(.reject(reason: "protocol \(WireMessage.protocolVersion) required, agent speaks 2"), to: Self.process)])
    }

    @Test func aMessageFromAnUnknownSessionAsksForHelloAndStoresNothing() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        let actions = machine.received(.result(TaskReport(taskID: 1, attempt: 1, outcome: .completed)), from: Self.process, key: Self.key, now: at(0))
        #expect(actions == [.send(.reject(reason: "unknown session: say HELLO"), to: Self.process)])
    }

    @Test func creditsAreClaimedInBatchesAndUsedUpByTasks() {
        var settings = Self.settings()
        settings.batchSize = 2
        var machine = Machine(settings: settings, now: at(0))
        _ = join(&machine)
        let claims = Self.claims(machine.received(.ready(credits: 3), from: Self.process, key: Self.key, now: at(0.1)))
        #expect(claims == [ClaimRequest(routingID: Self.process, agentID: "a1", sessionID: "a1@0.0", families: [.ipv4], limit: 2)])
        #expect(machine.tasksClaimed([Self.task(1), Self.task(2)], for: claims[0], now: at(0.1)) == [.send(.tasks([Self.task(1), Self.task(2)]), to: Self.process)])
        #expect(machine.sessions[Self.process]?.credits == 1)
        // The next sweep offers the remaining credit; a claim that finds nothing sends nothing.
        let next = Self.claims(machine.tick(now: at(0.6)))
        #expect(next.map(\.limit) == [1])
        #expect(machine.tasksClaimed([], for: next[0], now: at(0.6)).isEmpty)
        #expect(machine.sessions[Self.process]?.credits == 1)
    }

    /// Work that appears is offered at once to the other sessions whose last claim found nothing
    /// and that can take such tasks, not at the next sweep: an agent whose claim came back empty
    /// just before a measurement started is not left idle while another takes everything.
    @Test func tasksFoundAreOfferedAtOnceToOtherSessionsOfTheirFamilies() throws {
        var settings = Self.settings()
        settings.allowedAgents = [Self.key: "a1", "key-2": "a2", "key-6": "a6"]
        var machine = Machine(settings: settings, now: at(0))
        func join(_ key: String, _ process: Data, _ families: [AddressFamily]) -> [ClaimRequest] {
            let hello = WireMessage.hello(.init(agentName: key, protocolVersion: WireMessage.protocolVersion, softwareVersion: "test",
                                                families: families, concurrency: 4))
            for case .register(let agent) in machine.received(hello, from: process, key: key, now: at(0)) {
                _ = machine.agentRegistered(agent, sessionID: "\(agent.agentID)@0", now: at(0))
            }
            return Self.claims(machine.received(.ready(credits: 4), from: process, key: key, now: at(0.1)))
        }
        let first = try #require(join(Self.key, Self.process, [.ipv4]).first)
        let second = try #require(join("key-2", Data("a2/0001".utf8), [.ipv4, .ipv6]).first)
        let six = try #require(join("key-6", Data("a6/0001".utf8), [.ipv6]).first)
        // Nothing queued yet: those claims come back empty, and nobody is offered anything.
        #expect(machine.tasksClaimed([], for: second, now: at(0.1)).isEmpty)
        #expect(machine.tasksClaimed([], for: six, now: at(0.1)).isEmpty)
        // A measurement starts; the first session's claim finds tasks.
        let ipv4 = [Int64(1), 2].map { TaskAssignment(taskID: $0, attempt: 1, measurementID: 1, kind: .resolve, domain: "d\($0).nl",
                                                      webHost: "www.d\($0).nl", family: .ipv4) }
        let actions = machine.tasksClaimed(ipv4, for: first, now: at(0.2))
        #expect(actions.first == .send(.tasks(ipv4), to: Self.process))
        #expect(Self.claims(actions).map(\.agentID) == ["a2"], "the IPv6-only session cannot take IPv4 tasks")
        // A session with its claim still with the store is not asked twice; one whose last claim
        // found tasks is left to its own READYs.
        let again = try #require(Self.claims(machine.tick(now: at(0.7))).first { $0.agentID == "a1" })
        #expect(Self.claims(machine.tasksClaimed(ipv4, for: second, now: at(0.7))).map(\.agentID) == [],
                "a1 is claiming, a6 cannot take IPv4 tasks")
        #expect(Self.claims(machine.tasksClaimed(ipv4, for: again, now: at(0.8))).isEmpty, "a2's last claim found tasks")
    }

    @Test func noSecondClaimIsAskedWhileOneIsWithTheStore() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine, concurrency: 8)
        let first = Self.claims(machine.received(.ready(credits: 2), from: Self.process, key: Self.key, now: at(0.1)))
        #expect(first.map(\.limit) == [2])
        // The store answers on another thread: READYs and sweeps meanwhile add credits only.
        #expect(Self.claims(machine.received(.ready(credits: 3), from: Self.process, key: Self.key, now: at(0.2))).isEmpty)
        #expect(Self.claims(machine.tick(now: at(0.7))).isEmpty)
        #expect(machine.sessions[Self.process]?.credits == 5)
        // An empty answer (nothing queued, or the claim failed) frees the session to claim again.
        #expect(machine.tasksClaimed([], for: first[0], now: at(0.8)).isEmpty)
        #expect(Self.claims(machine.tick(now: at(1.3))).map(\.limit) == [5])
    }

    @Test func aResendWhileTheResultIsWithTheStoreIsNotStoredTwiceUnlessTheStoreFailed() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine)
        let claim = Self.claims(machine.received(.ready(credits: 1), from: Self.process, key: Self.key, now: at(0.1)))
        _ = machine.tasksClaimed([Self.task(5)], for: claim[0], now: at(0.1))
        let report = TaskReport(taskID: 5, attempt: 1, outcome: .completed)
        let store = Action.store(report, agentID: "a1", sessionID: "a1@0.0", routingID: Self.process)
        #expect(machine.received(.result(report), from: Self.process, key: Self.key, now: at(1)) == [store])
        // The store is slow: the agent's resends are not queued again (the ACK follows the commit).
        #expect(machine.received(.result(report), from: Self.process, key: Self.key, now: at(11)).isEmpty)
        // The transaction failed: the next resend goes to the store again.
        machine.reportsNotStored([report], from: Self.process)
        #expect(machine.received(.result(report), from: Self.process, key: Self.key, now: at(21)) == [store])
        #expect(machine.reportStored(report, disposition: .stored, from: Self.process) == [.send(.ack(taskID: 5, attempt: 1), to: Self.process)])
    }

    @Test func aClaimAnsweredAfterTheSessionWasReplacedDoesNotFreeTheNewOne() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine, concurrency: 8)
        let old = Self.claims(machine.received(.ready(credits: 2), from: Self.process, key: Self.key, now: at(0.1)))
        _ = join(&machine, concurrency: 8, at: 2)
        let new = Self.claims(machine.received(.ready(credits: 2), from: Self.process, key: Self.key, now: at(2.1)))
        #expect(new.map(\.sessionID) == ["a1@2.0"])
        #expect(Self.releases(machine.tasksClaimed([Self.task(1)], for: old[0], now: at(2.2))) == ["a1: left while its tasks were being claimed"])
        #expect(machine.sessions[Self.process]?.claiming == true, "the new session's claim is still with the store")
    }

    @Test func aReadyRightAfterAResultIsGrantedBeforeTheResultIsStored() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine, concurrency: 2)
        let claim = Self.claims(machine.received(.ready(credits: 2), from: Self.process, key: Self.key, now: at(0.1)))
        _ = machine.tasksClaimed([Self.task(1), Self.task(2)], for: claim[0], now: at(0.1))
        // The agent sends the RESULT, then at once the READY for the slot it freed; the loop
        // stores the round's results only after both were handled.
        let report = TaskReport(taskID: 1, attempt: 1, outcome: .completed)
        #expect(machine.received(.result(report), from: Self.process, key: Self.key, now: at(1)).count == 1)
        let ready = Self.claims(machine.received(.ready(credits: 1), from: Self.process, key: Self.key, now: at(1)))
        #expect(ready.map(\.limit) == [1], "a READY clamped to nothing here left the agent waiting for tasks for good")
        _ = machine.reportStored(report, disposition: .stored, from: Self.process)
        #expect(machine.sessions[Self.process]?.leases.keys.sorted() == [2])
    }

    @Test func creditsNeverExceedTheConcurrencyDeclaredInHello() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine, concurrency: 4)
        // Int.max twice used to overflow `credits += n` and stop the coordinator.
        let first = machine.received(.ready(credits: Int.max), from: Self.process, key: Self.key, now: at(0.1))
        let second = machine.received(.ready(credits: Int.max), from: Self.process, key: Self.key, now: at(0.2))
        #expect(machine.sessions[Self.process]?.credits == 4)
        #expect(Self.claims(first).map(\.limit) == [4])
        #expect(second.isEmpty, "no new credits, no claim: a flood of READY costs the store nothing")
        _ = machine.received(.ready(credits: -7), from: Self.process, key: Self.key, now: at(0.3))
        #expect(machine.sessions[Self.process]?.credits == 4, "a negative grant takes nothing away")
    }

    @Test func creditsOfAnAgentWithHugeConcurrencyDoNotOverflow() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine, concurrency: Int.max)
        #expect(machine.sessions[Self.process]?.concurrency == 65_536, "clamped at HELLO: the store keeps an integer")
        _ = machine.received(.ready(credits: Int.max), from: Self.process, key: Self.key, now: at(0.1))
        _ = machine.received(.ready(credits: Int.max), from: Self.process, key: Self.key, now: at(0.2))
        #expect(machine.sessions[Self.process]?.credits == 65_536)
    }

    @Test func aResultIsAcknowledgedOnlyAfterItIsStored() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine)
        let report = TaskReport(taskID: 7, attempt: 2, outcome: .completed)
        let actions = machine.received(.result(report), from: Self.process, key: Self.key, now: at(1))
        #expect(actions == [.store(report, agentID: "a1", sessionID: "a1@0.0", routingID: Self.process)], "no ACK before the row is committed")
        #expect(machine.reportStored(report, disposition: .stored, from: Self.process) == [.send(.ack(taskID: 7, attempt: 2), to: Self.process)])
        // A duplicate (the ACK was lost) is stored again, where it is recognised, and acknowledged again.
        #expect(machine.received(.result(report), from: Self.process, key: Self.key, now: at(2)) == actions)
    }

    @Test func heartbeatsGoToEverySessionEveryInterval() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine)
        #expect(!machine.tick(now: at(1.9)).contains(.send(.heartbeat, to: Self.process)))
        #expect(machine.tick(now: at(2)).contains(.send(.heartbeat, to: Self.process)))
    }

    /// An agent's heartbeat is answered (it holds results until it hears the coordinator), at
    /// most every 25 ms, so a flood of heartbeats costs little.
    @Test func anAgentsHeartbeatIsAnsweredAtMostEvery25Milliseconds() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine)
        #expect(machine.received(.heartbeat, from: Self.process, key: Self.key, now: at(1)) == [.send(.heartbeat, to: Self.process)])
        #expect(machine.received(.heartbeat, from: Self.process, key: Self.key, now: at(1.02)).isEmpty)
        #expect(machine.received(.heartbeat, from: Self.process, key: Self.key, now: at(1.025)) == [.send(.heartbeat, to: Self.process)])
    }

    @Test func aSilentAgentIsDroppedAndItsLeasesReleasedAndLeasesExpireEverySweep() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine)
        _ = machine.received(.heartbeat, from: Self.process, key: Self.key, now: at(5))
        let early = machine.tick(now: at(15))
        #expect(Self.releases(early).isEmpty)
        #expect(early.contains(.expireLeases))
        #expect(!machine.tick(now: at(15.2)).contains(.expireLeases), "not before the sweep interval")
        let late = machine.tick(now: at(15.6))
        #expect(Self.releases(late) == ["a1: missed its heartbeats"])
        #expect(machine.sessions.isEmpty)
        // Its late result is not stored from a dead session: the agent is asked to say HELLO, then resends.
        let report = TaskReport(taskID: 1, attempt: 1, outcome: .completed)
        #expect(machine.received(.result(report), from: Self.process, key: Self.key, now: at(16))
                == [.send(.reject(reason: "unknown session: say HELLO"), to: Self.process)])
    }

    @Test func byeReleasesTheLeasesAndEndsTheSession() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine)
        #expect(Self.releases(machine.received(.bye, from: Self.process, key: Self.key, now: at(1))) == ["a1: said BYE"])
        #expect(machine.sessions.isEmpty)
    }

    @Test func aRestartedProcessReplacesTheOldOneAndItsLeasesAreReleased() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine, process: Self.process)
        let actions = join(&machine, process: Self.restarted, at: 1)
        #expect(Self.releases(actions) == ["a1: was replaced by a new process"])
        #expect(Array(machine.sessions.keys) == [Self.restarted])
        // The same process saying HELLO again (a reconnect) keeps its leases: its new session takes them over.
        let again = join(&machine, process: Self.restarted, at: 2)
        #expect(Self.releases(again).isEmpty)
        #expect(again.contains { if case .register(let agent) = $0 { agent.resumes == "a1@1.0" } else { false } })
        #expect(machine.sessions[Self.restarted]?.sessionID == "a1@2.0")
    }

    @Test func aHelloNamingItsLastSessionTakesItOverWithoutReleasingIt() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine, process: Self.process)
        // The process reconnects under another routing id (or to another coordinator) and names
        // the session it was welcomed with: its leases pass to the new session, none is released.
        let hello = WireMessage.hello(.init(agentName: "vantage-1", softwareVersion: "test", families: [.ipv4], concurrency: 4, resumes: "a1@0.0"))
        let actions = machine.received(hello, from: Self.restarted, key: Self.key, now: at(1))
        #expect(Self.releases(actions).isEmpty)
        #expect(actions.contains { if case .register(let agent) = $0 { agent.resumes == "a1@0.0" } else { false } })
        #expect(machine.sessions[Self.process] == nil, "the old routing id's session is over")
        // A session of another key on this routing id is never taken over, whatever the HELLO names.
        var other = Machine(settings: { var settings = Self.settings(); settings.allowedAgents["key-2"] = "a2"; return settings }(), now: at(0))
        _ = join(&other, process: Self.process)
        let taken = other.received(hello, from: Self.process, key: "key-2", now: at(1))
        #expect(Self.releases(taken) == ["a1: lost its routing id to another agent"])
    }

    @Test func tasksThatCannotBeSentMeanTheAgentIsGone() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine)
        #expect(machine.sendFailed(.heartbeat, to: Self.process).isEmpty)
        #expect(Self.releases(machine.sendFailed(.tasks([Self.task(1)]), to: Self.process)) == ["a1: cannot be reached"])
        #expect(machine.sessions.isEmpty)
    }

    @Test func tasksClaimedForASessionThatLeftGoBackToTheQueue() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine)
        let claims = Self.claims(machine.received(.ready(credits: 1), from: Self.process, key: Self.key, now: at(0.1)))
        _ = machine.received(.bye, from: Self.process, key: Self.key, now: at(0.2))
        #expect(Self.releases(machine.tasksClaimed([Self.task(1)], for: claims[0], now: at(0.2))).count == 1)
    }

    @Test func shutdownTellsEveryAgentToSayHelloAgain() {
        var machine = Machine(settings: Self.settings(), now: at(0))
        _ = join(&machine)
        #expect(machine.shutdown() == [.send(.reject(reason: "coordinator shutting down"), to: Self.process)])
    }
}
