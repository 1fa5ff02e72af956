import ArgumentParser
import Foundation
import Lab
import LabEndpoints
import PeilModel

/// `peil lab`: the stand-in internet (namespaces, Knot, DNSSEC) that tests and demos measure.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Bring the lab (a DNS world in network namespaces) up or down, show it, print its ground truth, compare results with it.",
        subcommands: [Up.self, Down.self, Status.self, Truth.self, World.self, Routing.self, Serve.self, Compare.self, Fleet.self]
    )

    /// Which lab: `--prefix` and `--state`.
    struct Options: ParsableArguments {
        @Option(help: "Namespace name prefix (1–10 of [a-z0-9]).")
        var prefix: String = LabConfiguration.defaultPrefix

        @Option(help: "State directory (default: <repo>/var/lab, or <repo>/var/lab-<prefix> for another prefix).")
        var state: String?

        var lab: Lab { lab(world: .minimal) }

        func lab(world: LabWorld) -> Lab {
            Lab(prefix: prefix, stateDirectory: state.map { URL(fileURLWithPath: $0, isDirectory: true) }, world: world)
        }
    }

    /// `--world FILE`: a twin world file (`peil lab world` writes one), or a plain `LabWorld` JSON.
    struct WorldOption: ParsableArguments {
        @Option(help: "World file: a twin (from `peil lab world`) or a LabWorld JSON. Default: the minimal world.")
        var world: String?

        /// The twin, when the file is one.
        func twin() throws -> TwinWorld? {
            guard let world else { return nil }
            let url = URL(fileURLWithPath: world)
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
            return object?["format"] == nil ? nil : try TwinWorld.load(from: url)
        }

        func labWorld() throws -> LabWorld {
            guard let world else { return .minimal }
            if let twin = try twin() { return TwinCompiler.labWorld(twin) }
            return try JSONDecoder().decode(LabWorld.self, from: Data(contentsOf: URL(fileURLWithPath: world)))
        }
    }

    struct World: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate the twin's world file from the seed data (deterministic for a seed).")

        @Option(help: "Seed of the generator.")
        var seed: UInt64 = 2021

        @Option(help: "The seed data directory (with primary-2021-03/ and broad-2021-03/). Default: $PEIL_SHARED/data, else <repo>/../shared/data.")
        var data: String?

        @Option(help: "Where to write the world file.")
        var out: String

        @Option(help: "Also write the ground truth (JSON) here.")
        var truth: String?

        func run() throws {
            let shared = ProcessInfo.processInfo.environment["PEIL_SHARED"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
                ?? LabConfiguration.defaultStateDirectory().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("shared", isDirectory: true)
            let directory = data.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? shared.appendingPathComponent("data", isDirectory: true)
            let twin = TwinGenerator.generate(seed: seed, data: try TwinSeedData.load(from: directory))
            try twin.encoded().write(to: URL(fileURLWithPath: out))
            print("world (seed \(seed)): \(twin.domains.count) domains, \(twin.dnsProviders.count) DNS providers, \(twin.webPlatforms.count) web platforms, \(twin.mailPlatforms.count) mail platforms → \(out)")
            if let truth {
                try Truth.encoder.encode(twin.truth()).write(to: URL(fileURLWithPath: truth))
                print("ground truth → \(truth)")
            }
        }
    }

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Build the lab (tears down a stale one of the same prefix first).")

        @OptionGroup var options: Options
        @OptionGroup var world: WorldOption

        @Option(help: "Latency the web and mail endpoints and the DNS relay inject per response, in milliseconds (jitter ±25%; 0: none).")
        var rtt: Int = 20

        @Flag(help: "Serve DNS only: no web and mail endpoints for a twin world.")
        var noEndpoints = false

        @Option(help: ArgumentHelp("Hold back the DNS answers to questions of these types by a fixed time, every other answer as --rtt says (e.g. DNSKEY:6000).",
                                   valueName: "TYPE[,TYPE…]:MS"))
        var slowDNS: String?

        @Option(help: ArgumentHelp("Drop this share of the DNS queries over UDP unanswered, in percent (0–50), as a lossy path would.",
                                   valueName: "PERCENT"))
        var dnsLoss: Double?

        @Option(help: "Agent hosts to add (0–31), with a coordinator host <prefix>-coord: <prefix>-h1 IPv4-only, h2 IPv6-only, h3 and on dual-stack, each with its own lab addresses (for `lab fleet --on-hosts`).")
        var hosts: Int = 0

        func run() throws {
            let started = Date()
            var configuration = options.lab.configuration
            configuration.rttMilliseconds = rtt
            configuration.hosts = hosts
            configuration.slowDNSAnswers = try slowDNS.map { text in
                guard let slow = DNSSlowAnswers(text) else {
                    throw ValidationError("--slow-dns must be TYPE[,TYPE…]:MS (types by name or number, 0–60000 ms), not '\(text)'")
                }
                return slow
            }
            if let dnsLoss {
                guard DNSRelayPlan.lossLimits.contains(dnsLoss) else {
                    throw ValidationError("--dns-loss must be a percentage from 0 to 50, not \(dnsLoss)")
                }
                configuration.dnsLossPercent = dnsLoss
            }
            configuration.endpointServer = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let plan = noEndpoints ? nil : try world.twin().map { TwinEndpoints.plan($0, rttMilliseconds: rtt) }
            let lab = Lab(configuration: configuration, world: try world.labWorld(), endpoints: plan)
            let manifest = try lab.up()
            let seconds = Date().timeIntervalSince(started)
            print("lab \(manifest.prefix) up in \(String(format: "%.2f", seconds)) s: \(manifest.namespaces.count) namespaces, \(manifest.processes.count) processes, \(lab.world.zones.count) zones, \(lab.world.domains.count) domains")
            if let plan {
                let nginx = plan.served(by: .nginx).platforms.count, postfix = plan.served(by: .postfix).platforms.count
                print("  endpoints: \(plan.platforms.count) platforms (\(nginx) on nginx, \(postfix) on Postfix) on \(plan.addresses.count) addresses, CA \(lab.certificateAuthorityFile.path)")
            }
            if let relay = manifest.processes.first(where: { $0.role == "dns-relay" }) {
                print("  DNS relay: \(relay.addresses.count) nameserver addresses, rtt \(rtt) ms" + (dnsLoss.map { ", \($0) % of UDP queries dropped" } ?? ""))
            }
            for (families, namespace) in manifest.vantages.sorted(by: { $0.key < $1.key }) {
                print("  vantage \(families): \(namespace)")
            }
            for host in lab.hosts { print("  " + Self.describe(host)) }
            print("  root hints:   \(lab.rootHintsFile.path)")
            print("  trust anchor: \(lab.trustAnchorFile.path)")
            print("  manifest:     \(lab.manifestFile.path)")
        }

        /// `coordinator host peil-coord (ipv4+ipv6): 198.19.32.2 2001:2:0:120::2`.
        static func describe(_ host: LabHost) -> String {
            let addresses = [host.ipv4, host.ipv6].compactMap { $0 }.joined(separator: " ")
            return "\(host.role.rawValue) host \(host.namespace) (\(host.families.map(\.rawValue).joined(separator: "+"))): \(addresses)"
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
            for host in status.hosts { print("  " + Up.describe(host)) }
            for process in status.processes {
                print("  \(process.program) \(process.role) pid \(process.pid): \(process.alive ? "running" : "gone") on \(process.addresses.joined(separator: " "))")
            }
        }
    }

    struct Truth: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the DNS facts a correct resolver must find for every lab domain.")

        @Flag(help: "Print JSON (an array of DNSFacts; for a twin, per domain the 20 bulk columns with causes and the facts).")
        var json = false
        @OptionGroup var world: WorldOption
        /// A running lab serves real TLSA digests in place of the world's stand-ins; its truth says so.
        @OptionGroup var options: Options

        static var encoder: JSONEncoder {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return encoder
        }

        func run() throws {
            let running = options.lab
            if let twin = try world.twin() {
                let truth = twin.truth().map { domain in
                    var domain = domain
                    domain.facts = running.served(domain.facts)
                    return domain
                }
                if json {
                    print(String(decoding: try Self.encoder.encode(truth), as: UTF8.self))
                } else {
                    for domain in truth {
                        let web = BulkColumns.web.map { "\($0.name)=\(domain.web[$0.name]?.status.rawValue ?? "-")" }.joined(separator: " ")
                        let mail = BulkColumns.mail.map { "\($0.name)=\(domain.mail[$0.name]?.status.rawValue ?? "-")" }.joined(separator: " ")
                        print("\(domain.domain) [\(domain.sets.joined(separator: ","))]\n  web \(domain.webHost): \(web)\n  mail: \(mail)")
                    }
                }
                return
            }
            let facts = try world.labWorld().expectedFacts().map(running.served)
            if json {
                print(String(decoding: try Self.encoder.encode(facts), as: UTF8.self))
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
