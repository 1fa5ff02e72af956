import ArgumentParser
import Coordinator
import Foundation

/// `peil agents`: every agent the store knows, and whether it is connected.
struct AgentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "List known agents: families, concurrency, version, registration, last contact, connected or gone."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Seconds since the last contact within which an agent counts as connected.")
    var connectedWithin: Double = 30

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    func validate() throws {
        guard connectedWithin > 0 else { throw ValidationError("--connected-within must be positive") }
    }

    func run() throws {
        let roster = AgentRoster(try database.open().agents(), connectedWithin: .milliseconds(Int64(connectedWithin * 1000)))
        print(json ? try roster.json() : roster.table, terminator: "")
    }
}
