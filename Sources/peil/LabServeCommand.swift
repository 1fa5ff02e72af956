import ArgumentParser
import Foundation
import LabEndpoints

extension LabCommand {
    /// `peil lab serve`: one of the lab's own servers, started by `lab up` inside a lab namespace.
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the lab's web and mail endpoint server (`--plan`) or its DNS delay relay (`--dns-relay`); `lab up` starts them.")

        @Option(help: "The endpoint plan `lab up` wrote.")
        var plan: String?

        @Option(help: "The directory with ca.pem, keys/ and certs/ (with --plan).")
        var certificates: String?

        @Option(help: "The DNS relay plan `lab up` wrote: published nameserver addresses and their knotd ports.")
        var dnsRelay: String?

        @Option(help: "Written with our pid once every listener is bound.")
        var pidFile: String

        func validate() throws {
            guard (plan == nil) != (dnsRelay == nil) else { throw ValidationError("give either --plan or --dns-relay") }
            if plan != nil && certificates == nil { throw ValidationError("--plan needs --certificates") }
        }

        func run() throws {
            let pidFile = URL(fileURLWithPath: pidFile)
            if let dnsRelay {
                let plan = try JSONDecoder().decode(DNSRelayPlan.self, from: Data(contentsOf: URL(fileURLWithPath: dnsRelay)))
                try DNSRelay(plan: plan).run(pidFile: pidFile)
            }
            guard let plan, let certificates else { return }
            let endpoints = try JSONDecoder().decode(EndpointPlan.self, from: Data(contentsOf: URL(fileURLWithPath: plan)))
            let server = try EndpointServer(plan: endpoints, certificates: LabCertificates(directory: URL(fileURLWithPath: certificates, isDirectory: true)))
            try server.run(pidFile: pidFile)
        }
    }
}
