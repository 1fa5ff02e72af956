import Foundation
import PeilModel

/// What the coordinator knows of one connected agent process. Not persisted: a restarted
/// coordinator asks agents to say HELLO again, and PostgreSQL holds the leases.
struct AgentSession: Equatable {
    let routingID: Data
    let agentID: String
    let publicKey: String
    let families: [AddressFamily]
    /// The tasks the agent said in HELLO it runs at once: its credits never exceed this.
    let concurrency: Int
    /// Tasks the agent has asked for and not yet been sent.
    var credits: Int = 0
    var lastHeard: ContinuousClock.Instant

    /// Adds the credits of a READY, clamped so that the total never exceeds the concurrency
    /// (a negative or huge count cannot overflow or oversubscribe the agent).
    mutating func grant(_ count: Int) {
        credits += min(max(0, count), concurrency - credits)
    }
}

/// An agent the coordinator is about to admit: what its HELLO said, under its allow-listed name.
struct AgentRegistration: Equatable, Sendable {
    let routingID: Data
    let agentID: String
    let publicKey: String
    let families: [AddressFamily]
    let concurrency: Int
    let softwareVersion: String
}

/// Tasks to lease to one agent session.
struct ClaimRequest: Equatable, Sendable {
    let routingID: Data
    let agentID: String
    let families: [AddressFamily]
    let limit: Int
}
