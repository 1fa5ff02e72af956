import Foundation
import Lab
import LabEndpoints
import PeilTestSupport
import Testing

/// `peil lab serve --plan` on 127.0.0.1 with one platform whose ports each have a hostile mode:
/// the lab's real endpoint server, for the tests that check it serves the behaviours the
/// in-process hostile servers do.
struct HostilePlanServer {
    let server: TestProcess
    /// The port of each mode.
    let ports: [EndpointPortMode: UInt16]

    /// Makes the certificates and the plan in `folder` and starts the server; nil (with an
    /// issue recorded) when it did not come up.
    ///
    /// The ports are found free and then bound by the server, so a test running alongside can
    /// take one in between (seen in CI: `errno 98`); then it starts again on new ports, up to
    /// three times.
    static func start(_ modes: [EndpointPortMode], service: EndpointService, id: String, name: String,
                      starttls: Bool = false, in folder: String) throws -> HostilePlanServer? {
        for attempt in 1...3 {
            switch try startOnce(modes, service: service, id: id, name: name, starttls: starttls, in: folder) {
            case .started(let server): return server
            case .portTaken where attempt < 3: continue
            case .portTaken(let output), .failed(let output):
                Issue.record("the server did not start: \(output)")
                return nil
            }
        }
        return nil
    }

    private enum Start {
        case started(HostilePlanServer)
        case portTaken(String)
        case failed(String)
    }

    private static func startOnce(_ modes: [EndpointPortMode], service: EndpointService, id: String, name: String,
                                  starttls: Bool, in folder: String) throws -> Start {
        var ports: [EndpointPortMode: UInt16] = [:]
        for mode in modes { ports[mode] = try LoopbackTLSServers.freePort() }
        let tls = EndpointTLS(versions: ["TLSv1.2", "TLSv1.3"], ciphers: ["ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"],
                              groups: ["X25519"], key: "rsa-2048", certificate: "valid", clientRenegotiation: false)
        let platform = EndpointPlatform(id: id, service: service, addresses: [
            EndpointAddress(address: "127.0.0.1", ports: modes.map { EndpointPort(port: Int(ports[$0]!), mode: $0) }),
        ], tls: tls, names: [name], starttls: starttls)
        let plan = EndpointPlan(rttMilliseconds: 0, platforms: [platform], sites: [])
        let certificates = LabCertificates(directory: URL(fileURLWithPath: folder).appendingPathComponent("certs"))
        _ = try certificates.make(plan.platforms)
        let planFile = folder + "/endpoints.json", pidFile = folder + "/serve.pid"
        try JSONEncoder().encode(plan).write(to: URL(fileURLWithPath: planFile))
        let peil = try #require(TestProcess.peil)
        let server = try TestProcess(peil, ["lab", "serve", "--plan", planFile, "--certificates", certificates.directory.path, "--pid-file", pidFile],
                                     log: folder + "/serve.log")
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: pidFile) && server.isRunning { Thread.sleep(forTimeInterval: 0.1) }
        guard FileManager.default.fileExists(atPath: pidFile) else {
            let output = server.errorOutput + server.output
            server.stop()
            return output.contains("errno 98") ? .portTaken(output) : .failed(output)
        }
        return .started(HostilePlanServer(server: server, ports: ports))
    }
}
