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

    /// Starts the endpoint server for the platforms it serves (none: not started), then nginx
    /// and Postfix for theirs; `record` is called with each process as soon as it runs.
    func startEndpoints(_ plan: EndpointPlan, record: (LabManifest.Process) throws -> Void) throws {
        let namespace = "\(configuration.prefix)-web"
        let own = plan.served(by: nil)
        if !own.platforms.isEmpty {
            let arguments = ["--plan", endpointPlanFile.path, "--certificates", paths.endpoints.path]
            try record(try startServe(arguments, role: "endpoints", namespace: namespace, directory: paths.endpoints, prefix: "serve",
                                      configFile: endpointPlanFile, addresses: own.addresses))
        }
        let certificates = LabCertificates(directory: paths.endpoints)
        let nginx = NginxConfiguration(plan: plan, certificates: certificates, directory: paths.nginx)
        if !nginx.plan.platforms.isEmpty { try record(try startNginx(nginx, namespace: namespace)) }
        let postfix = PostfixConfiguration(plan: plan, certificates: certificates, directory: paths.postfix)
        if !postfix.plan.platforms.isEmpty { try record(try startPostfix(postfix, namespace: namespace)) }
    }

    /// Starts `peil lab serve <arguments>` inside `namespace` (detached with `setsid -f`) and
    /// waits, bounded, until it has bound every listener and written its pid file
    /// (`<directory>/<prefix>.pid`, log `<prefix>.log`).
    func startServe(_ arguments: [String], role: String, namespace: String, directory: URL, prefix: String,
                    configFile: URL, addresses: [String]) throws -> LabManifest.Process {
        guard let executable = configuration.endpointServer else {
            throw LabError(.invalidConfiguration, "the lab needs `peil lab serve` for its \(role) but has no executable (LabConfiguration.endpointServer)")
        }
        let pidFile = directory.appendingPathComponent("\(prefix).pid")
        let logFile = directory.appendingPathComponent("\(prefix).log")
        try? FileManager.default.removeItem(at: pidFile)
        let command = ["-f", try LabTool.ip.path(), "netns", "exec", namespace, executable.path, "lab", "serve"] + arguments + ["--pid-file", pidFile.path]
        let status = try runner.runDetached(.setsid, command, logFile: logFile)
        guard status == 0 else { throw LabError(.serverFailedToStart, "setsid exited \(status) starting the \(role) server; log \(logFile.path)") }
        let program = String(executable.lastPathComponent.prefix(15))
        guard let pid = waitForPidFile(pidFile, program: program, seconds: 60) else {
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            throw LabError(.serverFailedToStart, "the \(role) server did not become ready within 60 s; log \(logFile.path): \(log.suffix(600))")
        }
        return LabManifest.Process(program: program, role: role, pid: pid, namespace: namespace,
                                   configFile: configFile.path, logFile: logFile.path, addresses: addresses)
    }

    /// Polls (every 0.1 s, at most `seconds`) until `file` names a live process called `program`.
    func waitForPidFile(_ file: URL, program: String, seconds: Int) -> Int32? {
        for _ in 0..<(seconds * 10) {
            if let text = try? String(contentsOf: file, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
               LabProcesses.isAlive(pid, named: program) {
                return pid
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return nil
    }
}
