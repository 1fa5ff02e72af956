import Foundation
import LabEndpoints

/// Which lab instance: its name prefix and where it keeps its state.
public struct LabConfiguration: Sendable, Hashable {
    /// Prefix of every namespace (`<prefix>-core`, `<prefix>-dns`, `<prefix>-v4`, …): 1–10
    /// characters `[a-z0-9]`, starting with a letter. Tests use their own so they never collide
    /// with a demo lab.
    public var prefix: String
    /// Zones, keys, knot configurations, logs, `root.hints`, `root.key` and `lab.json`.
    public var stateDirectory: URL
    /// The `peil` executable that `up` runs as the endpoint server (`peil lab serve`) when the
    /// lab has endpoints, and as the DNS delay relay; nil: no endpoints, knotd answers at once.
    public var endpointServer: URL?
    /// Latency the endpoints and the DNS relay inject per response, in milliseconds (jitter
    /// ±25%); 0: none, and knotd listens on the published addresses itself.
    public var rttMilliseconds = 20
    /// Answers to questions of some types held back longer than the RTT (the DNS relay runs
    /// then, whatever the RTT); nil: none.
    public var slowDNSAnswers: DNSSlowAnswers?
    /// The share of UDP queries the DNS relay drops unanswered, in percent (the relay runs
    /// then, whatever the RTT); nil: none.
    public var dnsLossPercent: Double?
    /// Without endpoints: whether every web, mail and other host address refuses connections at
    /// once (`<prefix>-closed` holds those pools as local addresses with nothing listening, so
    /// the kernel answers a SYN with a reset) instead of being unrouted (a connection then waits
    /// for the prober's timeout). For tests whose subject is not the probes' timeouts.
    public var refusesUnservedAddresses = false
    /// Agent hosts to make (0–31), with a coordinator host when more than 0 (see ``LabHost``):
    /// a fleet on them runs as on separate machines, over TCP on lab addresses.
    public var hosts = 0

    /// The default prefix, `peil`.
    public static let defaultPrefix = "peil"

    /// A configuration; the state directory defaults to ``defaultStateDirectory(prefix:)``.
    public init(prefix: String = LabConfiguration.defaultPrefix, stateDirectory: URL? = nil) {
        self.prefix = prefix
        self.stateDirectory = (stateDirectory ?? Self.defaultStateDirectory(prefix: prefix)).standardizedFileURL
    }

    /// `<repo>/var/lab` for the default prefix and `<repo>/var/lab-<prefix>` for others, so
    /// that a test lab never shares state with a demo lab.
    public static func defaultStateDirectory(prefix: String) -> URL {
        let base = defaultStateDirectory()
        guard prefix != defaultPrefix else { return base }
        return base.deletingLastPathComponent().appendingPathComponent("lab-\(prefix)", isDirectory: true)
    }

    /// `<repo>/var/lab` (git-ignored) when run inside the Peil checkout — found by walking up
    /// from the working directory to the folder holding `Package.swift` and `Sources/Lab` —
    /// otherwise `./var/lab`.
    public static func defaultStateDirectory() -> URL {
        let fileManager = FileManager.default
        var directory = URL(fileURLWithPath: fileManager.currentDirectoryPath, isDirectory: true).standardizedFileURL
        for _ in 0..<32 {
            let isCheckout = fileManager.fileExists(atPath: directory.appendingPathComponent("Package.swift").path)
                && fileManager.fileExists(atPath: directory.appendingPathComponent("Sources/Lab").path)
            if isCheckout { return directory.appendingPathComponent("var/lab", isDirectory: true) }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        return URL(fileURLWithPath: fileManager.currentDirectoryPath, isDirectory: true)
            .appendingPathComponent("var/lab", isDirectory: true).standardizedFileURL
    }

    /// Throws `invalidConfiguration` unless the prefix is usable in namespace names.
    public func validate() throws {
        let scalars = Array(prefix.unicodeScalars)
        let valid = (1...10).contains(scalars.count) && ("a"..."z").contains(scalars[0])
            && scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        guard valid else {
            throw LabError(.invalidConfiguration, "lab prefix '\(prefix)' must be 1–10 characters [a-z0-9], starting with a letter")
        }
        guard (0...LabHost.maximumAgentHosts).contains(hosts) else {
            throw LabError(.invalidConfiguration, "a lab has 0–\(LabHost.maximumAgentHosts) agent hosts, not \(hosts)")
        }
        guard stateDirectory.path != "/" else {
            throw LabError(.invalidConfiguration, "the lab state directory cannot be /")
        }
    }
}
