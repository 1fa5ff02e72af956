import Foundation
import Wire

extension CoordinatorStateMachine.Action {
    /// The actions for one committed batch of results with each agent's ACKs sent as one
    /// message: the other actions first, in order, then per agent (in the order its first ACK
    /// came) an ACK when it has one, else ACKS of up to ``WireMessage/maximumAcknowledgements``
    /// each, the ACKs in their order. An agent whose results one transaction committed learns
    /// it from one message instead of one each (docs/PROTOCOL.md).
    static func coalescingAcks(_ actions: [Self]) -> [Self] {
        var others: [Self] = []
        var order: [Data] = []
        var acks: [Data: [WireMessage.Acknowledgement]] = [:]
        for action in actions {
            guard case .send(.ack(let taskID, let attempt), let routingID) = action else {
                others.append(action)
                continue
            }
            if acks[routingID] == nil { order.append(routingID) }
            acks[routingID, default: []].append(.init(taskID: taskID, attempt: attempt))
        }
        return others + order.flatMap { routingID -> [Self] in
            let list = acks[routingID] ?? []
            guard list.count > 1 else { return list.map { .send(.ack(taskID: $0.taskID, attempt: $0.attempt), to: routingID) } }
            return list.chunks(of: WireMessage.maximumAcknowledgements).map { .send(.acks(Array($0)), to: routingID) }
        }
    }
}
