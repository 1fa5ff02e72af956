import Foundation
import PeilModel
import LabEndpoints

extension Lab {
    /// The lab CA's certificate (valid after an `up` with endpoints): the trust anchor for
    /// clients of the lab's web and mail servers (`curl --cacert`, `openssl s_client -CAfile`).
    public var certificateAuthorityFile: URL { LabCertificates(directory: paths.endpoints).caFile }

    /// The endpoint plan as `up` wrote it (with the configured RTT).
    var endpointPlanFile: URL { paths.endpoints.appendingPathComponent("plan.json") }

    /// Which TLSA stand-in became which served record, as `up` wrote it.
    var servedTLSAFile: URL { paths.endpoints.appendingPathComponent("tlsa.json") }

    /// The TLSA records this lab serves in place of the world's stand-ins (empty when the lab
    /// is not up with endpoints): the ground truth of a running lab applies them.
    public func servedTLSA() -> [String: String] {
        guard let data = try? Data(contentsOf: servedTLSAFile),
              let map = try? JSONDecoder().decode([String: String].self, from: data) else { return [:] }
        return map
    }

    /// `facts` as this running lab serves them: TLSA stand-ins replaced by the real records.
    public func served(_ facts: DNSFacts) -> DNSFacts {
        let map = servedTLSA()
        guard !map.isEmpty else { return facts }
        var facts = facts
        facts.webTLSA = facts.webTLSA.map { map[$0] ?? $0 }.sorted()
        for index in facts.mx.indices {
            facts.mx[index].tlsa = facts.mx[index].tlsa.map { map[$0] ?? $0 }.sorted()
        }
        return facts
    }

    /// Makes the CA, keys and certificates, writes the plan, and returns the world with every
    /// TLSA stand-in replaced by the SPKI SHA-256 of the platform's real key (`valid`) or of a
    /// key that no endpoint presents (`mismatch`). Runs before the zones are signed.
    func prepareEndpoints(_ plan: EndpointPlan) throws -> LabWorld {
        var plan = plan
        plan.rttMilliseconds = configuration.rttMilliseconds
        let certificates = LabCertificates(directory: paths.endpoints)
        let digests = try certificates.make(plan.platforms)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(plan).write(to: endpointPlanFile)
        var replacements: [String: String] = [:]
        for placeholder in plan.tlsa {
            guard let digest = digests[placeholder.matches ? placeholder.platform : ""] else { continue }
            replacements[placeholder.data] = "3 1 1 " + digest
        }
        try encoder.encode(replacements).write(to: servedTLSAFile)
        var served = world
        for zone in served.zones.indices {
            for record in served.zones[zone].records.indices where served.zones[zone].records[record].type == "TLSA" {
                if let real = replacements[served.zones[zone].records[record].data] { served.zones[zone].records[record].data = real }
            }
        }
        return served
    }

    /// Starts `peil lab serve` inside `<prefix>-web` (detached with `setsid -f`) and waits,
    /// bounded, until it has bound every listener and written its pid file.
    func startEndpointServer(_ plan: EndpointPlan) throws -> LabManifest.Process {
        guard let executable = configuration.endpointServer else {
            throw LabError(.invalidConfiguration, "the lab has endpoints but no endpoint server executable (LabConfiguration.endpointServer)")
        }
        let namespace = "\(configuration.prefix)-web"
        let pidFile = paths.endpoints.appendingPathComponent("serve.pid")
        let logFile = paths.endpoints.appendingPathComponent("serve.log")
        try? FileManager.default.removeItem(at: pidFile)
        let arguments = ["-f", try LabTool.ip.path(), "netns", "exec", namespace, executable.path, "lab", "serve",
                         "--plan", endpointPlanFile.path, "--certificates", paths.endpoints.path, "--pid-file", pidFile.path]
        let status = try runner.runDetached(.setsid, arguments, logFile: logFile)
        guard status == 0 else { throw LabError(.serverFailedToStart, "setsid exited \(status) starting the endpoint server; log \(logFile.path)") }
        let program = String(executable.lastPathComponent.prefix(15))
        for _ in 0..<600 {
            if let text = try? String(contentsOf: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
               LabProcesses.isAlive(pid, named: program) {
                return LabManifest.Process(program: program, role: "endpoints", pid: pid, namespace: namespace,
                                           configFile: endpointPlanFile.path, logFile: logFile.path, addresses: plan.addresses)
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        throw LabError(.serverFailedToStart, "the endpoint server did not become ready within 60 s; log \(logFile.path): \(log.suffix(600))")
    }
}
