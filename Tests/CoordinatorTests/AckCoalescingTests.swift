import Foundation
import Testing
import Wire
@testable import Coordinator

/// A committed batch's ACKs go out as one message per agent.
@Suite("ACK coalescing")
struct AckCoalescingTests {
    typealias Action = CoordinatorStateMachine.Action
    static let one = Data("agent-one".utf8), two = Data("agent-two".utf8)

    static func ack(_ id: Int64, _ attempt: Int = 1, to routingID: Data) -> Action { .send(.ack(taskID: id, attempt: attempt), to: routingID) }

    @Test func eachAgentsAcksBecomeOneAcksAfterTheOtherActionsInTheirOrder() {
        let log = Action.log(.info, "refused")
        let end = Action.endTask(taskID: 4, attempt: 1, agentID: "two", sessionID: "s2", why: "result could not be stored")
        let actions = [Self.ack(1, to: Self.one), Self.ack(4, to: Self.two), log, Self.ack(3, 2, to: Self.one), end, Self.ack(2, to: Self.one)]
        #expect(Action.coalescingAcks(actions) == [
            log, end,
            .send(.acks([.init(taskID: 1, attempt: 1), .init(taskID: 3, attempt: 2), .init(taskID: 2, attempt: 1)]), to: Self.one),
            Self.ack(4, to: Self.two),
        ])
    }

    @Test func aLoneAckStaysAnAckAndNothingElseChanges() {
        let others: [Action] = [.log(.debug, "x"), .send(.heartbeat, to: Self.one), .expireLeases]
        #expect(Action.coalescingAcks(others) == others)
        #expect(Action.coalescingAcks([Self.ack(9, to: Self.two)]) == [Self.ack(9, to: Self.two)])
        #expect(Action.coalescingAcks([]) == [])
    }

    @Test func moreAcksThanOneMessageCarriesAreSplitInOrder() throws {
        let count = WireMessage.maximumAcknowledgements * 2 + 1
        let coalesced = Action.coalescingAcks((1...Int64(count)).map { Self.ack($0, to: Self.one) })
        #expect(coalesced.count == 3)
        var ids: [Int64] = []
        for action in coalesced {
            guard case .send(.acks(let acks), let routingID) = action else { Issue.record("\(action)"); continue }
            #expect(routingID == Self.one)
            #expect(acks.count <= WireMessage.maximumAcknowledgements)
            _ = try WireMessage.acks(acks).frames()
            ids += acks.map(\.taskID)
        }
        #expect(ids == Array(1...Int64(count)))
    }
}
