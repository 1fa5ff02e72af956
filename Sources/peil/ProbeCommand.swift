import Agent
import ArgumentParser
import Foundation
import PeilModel
import Probes

/// `peil probe`: one connect task run by hand exactly as an agent runs it (`ConnectProber`,
/// its fence, its probes), the report printed as JSON — for an operator checking what an agent
/// would do with an address, and for the field fence's packet test.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Run one connect task (reach, web, nameserver, mail) as an agent would and print its report as JSON.",
        discussion: """
            Only loopback and the lab ranges unless --any-address (then public addresses only, as \
            an agent with --any-upstream: a special-purpose address is refused before any socket, \
            the report saying why).
            """
    )

    @Argument(help: "Task kind: reach, web, nameserver or mail.")
    var kind: String

    @Option(help: "Numeric address to probe.")
    var address: String

    @Option(help: "Host name (SNI, Host, EHLO target, the nameserver's name).")
    var host: String = "peil.invalid"

    @Option(help: "PEM file of the roots to verify certificates against.")
    var trustStore: String = "/etc/ssl/certs/ca-certificates.crt"

    @Option(help: "The task's deadline in seconds.")
    var deadline: Double = 100

    @Flag(help: "Make every TLS handshake of the full scan, also those whose outcome cannot change a verdict (docs/SCALE.md, \"Scan plan\").")
    var everyHandshake = false

    @Flag(help: "Allow any public address (never a special-purpose one), as an agent with --any-upstream.")
    var anyAddress = false

    func validate() throws {
        guard let kind = TaskKind(rawValue: kind), kind != .resolve else {
            throw ValidationError("unknown connect task kind '\(kind)' (reach, web, nameserver, mail)")
        }
        guard deadline > 0, deadline <= 600 else { throw ValidationError("--deadline must be between 0 and 600 seconds") }
    }

    func run() async throws {
        let kind = TaskKind(rawValue: kind)!
        let family = ConnectTarget.family(of: address)
        let task = TaskAssignment(taskID: 1, attempt: 1, measurementID: 0, kind: kind, domain: host, webHost: host, family: family,
                                  target: ConnectTarget(address: address, family: family, host: host))
        let prober = ConnectProber(web: .live(scanOptions: TLSScanOptions(cipherOrderPlan: .internetnlCurrent, trustStorePEMFile: trustStore,
                                                                          scanPlan: everyHandshake ? .everything : .internetnl),
                                              ehloName: "peil.invalid"),
                                   fence: anyAddress ? .publicOnly : .labAndLoopback, mailBackOff: [])
        let report = await prober.run(task, finalAttempt: 1,
                                      deadline: ProbeDeadline(.now + .milliseconds(Int64(deadline * 1000))))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
        if report.outcome != .completed { throw ExitCode(2) }
    }
}
