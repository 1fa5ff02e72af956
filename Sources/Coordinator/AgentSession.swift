import Foundation
import PeilModel

/// What the coordinator knows of one connected agent process. Not persisted: a restarted
/// coordinator asks agents to say HELLO again, and PostgreSQL holds the leases.
struct AgentSession {
    let routingID: Data
    let agentID: String
    let publicKey: String
    let families: [AddressFamily]
    /// Tasks the agent has asked for and not yet been sent.
    var credits: Int = 0
    var lastHeard: ContinuousClock.Instant
}
