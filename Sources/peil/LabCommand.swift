import ArgumentParser
import Foundation
import Lab
import PeilModel

/// `peil lab`: the stand-in internet (namespaces, Knot, DNSSEC) that tests and demos measure.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Bring the lab (a DNS world in network namespaces) up or down, show it, print its ground truth.",
        subcommands: [Up.self, Down.self, Status.self, Truth.self]
    )

    /// Which lab: `--prefix` and `--state`.
    struct Options: ParsableArguments {
        @Option(help: "Namespace name prefix (1–10 of [a-z0-9]).")
        var prefix: String = LabConfiguration.defaultPrefix

        @Option(help: "State directory (default: <repo>/var/lab, or <repo>/var/lab-<prefix> for another prefix).")
        var state: String?

        var lab: Lab {
            Lab(prefix: prefix, stateDirectory: state.map { URL(fileURLWithPath: $0, isDirectory: true) })
        }
    }

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Build the lab (tears down a stale one of the same prefix first).")

        @OptionGroup var options: Options

        func run() throws {
            let lab = options.lab
            let started = Date()
            let manifest = try lab.up()
            let seconds = Date().timeIntervalSince(started)
            print("lab \(manifest.prefix) up in \(String(format: "%.2f", seconds)) s: \(manifest.namespaces.count) namespaces, \(manifest.processes.count) knotd, \(lab.world.zones.count) zones, \(lab.world.domains.count) domains")
            for (families, namespace) in manifest.vantages.sorted(by: { $0.key < $1.key }) {
                print("  vantage \(families): \(namespace)")
            }
            print("  root hints:   \(lab.rootHintsFile.path)")
            print("  trust anchor: \(lab.trustAnchorFile.path)")
            print("  manifest:     \(lab.manifestFile.path)")
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every namespace, process and file the lab made.")

        @OptionGroup var options: Options

        @Flag(help: "Keep the state directory's zones, keys and logs.")
        var keepState = false

        func run() throws {
            let started = Date()
            try options.lab.down(keepState: keepState)
            print("lab \(options.prefix) down in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the lab's namespaces, processes and addresses.")

        @OptionGroup var options: Options

        func run() throws {
            let status = try options.lab.status()
            print("lab \(status.prefix) (\(status.stateDirectory)): \(status.isUp ? "up" : status.complete ? "degraded" : "not up")")
            for namespace in status.namespaces {
                print("  namespace \(namespace.name): \(namespace.exists ? "present" : "absent")")
                for address in namespace.addresses { print("    \(address)") }
            }
            for process in status.processes {
                print("  \(process.program) \(process.role) pid \(process.pid): \(process.alive ? "running" : "gone") on \(process.addresses.joined(separator: " "))")
            }
        }
    }

    struct Truth: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the DNS facts a correct resolver must find for every lab domain.")

        @Flag(help: "Print JSON (an array of DNSFacts).")
        var json = false

        func run() throws {
            let facts = LabWorld.minimal.expectedFacts()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(facts), as: UTF8.self))
                return
            }
            for fact in facts { print(Self.summary(fact)) }
        }

        static func summary(_ facts: DNSFacts) -> String {
            let mx = facts.nullMX ? "null MX" : facts.mx.isEmpty ? "no MX"
                : facts.mx.map { "\($0.preference) \($0.host) (\($0.dnssec.rawValue))" }.joined(separator: ", ")
            let web = facts.web.ipv4.isEmpty && facts.web.ipv6.isEmpty ? "none"
                : "\(facts.web.ipv4.count) A, \(facts.web.ipv6.count) AAAA, \(facts.webDNSSEC.rawValue)"
            return [
                "\(facts.domain): \(facts.dnssec.rawValue); NS \(facts.nsZone ?? "-") \(facts.nameservers.map(\.host).joined(separator: " "))",
                "  web \(facts.web.host): \(web); TLSA \(facts.webTLSA.count); CAA \(facts.caaFoundAt ?? "none")",
                "  mail: \(mx); SPF \(facts.spf.count); DMARC \(facts.dmarc.count); _domainkey \(facts.domainKey.rawValue)",
            ].joined(separator: "\n")
        }
    }
}
