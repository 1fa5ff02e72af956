import ArgumentParser
import Foundation
import Wire

/// `peil hostile-agent` (hidden): attacks a coordinator as an agent turned hostile
/// (``HostileAgent``) and prints one line of figures, `attack=… name=value …`. For the
/// hostile-agent tests and `ops/hostile-agent-bench`; it connects only to `--coordinator`.
struct HostileAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostile-agent",
        abstract: "Attack a coordinator as a hostile agent (for tests and ops/hostile-agent-bench).",
        shouldDisplay: false)

    enum Attack: String, ExpressibleByArgument, CaseIterable {
        case oversized, handshakes, flood
    }

    @Argument(help: "oversized (one message of --bytes), handshakes (--count random keys) or flood (--rate for --seconds).")
    var attack: Attack

    @Option(help: "The coordinator's endpoint, e.g. ipc:///tmp/x/coordinator.sock.")
    var coordinator: String

    @Option(help: "The coordinator's public key file.")
    var coordinatorKey: String

    @Option(help: "The allow-listed secret key file the agent speaks under (oversized, flood).")
    var key: String?

    @Option(help: "oversized: the message's size in bytes.")
    var bytes: Int = 1 << 30

    @Option(help: "handshakes: how many.")
    var count: Int = 10_000

    @Option(help: "handshakes: connections open at once.")
    var parallel: Int = 50

    @Option(help: "flood: messages a second.")
    var rate: Int = 50_000

    @Option(help: "flood: for how long.")
    var seconds: Double = 10

    @Option(name: .customLong("task-ids"), help: "flood: forged results name the tasks 1…N.")
    var taskIDs: Int = 64

    func validate() throws {
        guard bytes > 0, count > 0, parallel > 0, parallel <= 200, rate > 0, seconds > 0, seconds <= 600 else {
            throw ValidationError("--bytes, --count, --rate, --seconds (at most 600) and --parallel (at most 200) must be positive")
        }
    }

    func run() throws {
        let agent = HostileAgent(endpoint: coordinator, serverKey: try CurveKeyFile.readPublicKey(URL(fileURLWithPath: coordinatorKey)))
        let figures: [(String, String)]
        switch attack {
        case .oversized: figures = try agent.oversized(bytes: bytes, key: try allowListedKey())
        case .handshakes: figures = try agent.handshakes(count: count, parallel: parallel)
        case .flood: figures = try agent.flood(rate: rate, duration: .milliseconds(Int(seconds * 1000)), taskIDs: taskIDs, key: try allowListedKey())
        }
        let peak = Self.statusField("VmHWM").map { [("sender-peak-rss-mib", "\($0 / 1024)")] } ?? []
        print((["attack=\(attack.rawValue)"] + (figures + peak).map { "\($0.0)=\($0.1)" }).joined(separator: " "))
    }

    private func allowListedKey() throws -> CurveKeyPair {
        guard let key else { throw ValidationError("\(attack.rawValue) speaks under an allow-listed key: give --key") }
        return try CurveKeyFile.readPair(URL(fileURLWithPath: key))
    }

    /// A `kB` field of `/proc/self/status`, in KiB.
    static func statusField(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix("\(name):") }
        return line?.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }
}
