import Foundation
import LabEndpoints
import XCTest

@testable import Lab

/// The platforms the twin gives to real nginx and Postfix, and their configurations, without
/// a running lab (`nginx -t` and `postconf` read the generated files).
final class TwinRealServerTests: XCTestCase {
    func testNginxAndPostfixPlatformsCoverWhatTheyCanServe() throws {
        let twin = try TwinWorldTests.twin.get()
        let profiles = Dictionary(uniqueKeysWithValues: twin.tlsProfiles.map { ($0.id, $0) })
        let nginx = twin.webPlatforms.filter { $0.server == .nginx }
        let postfix = twin.mailPlatforms.filter { $0.server == .postfix }
        for platform in nginx { print("nginx   \(platform.id): \(platform.https) \(platform.tlsProfile), IPv6 \(platform.ipv6Service)") }
        for platform in postfix { print("postfix \(platform.id): \(platform.smtp) \(platform.tlsProfile), IPv6 \(platform.ipv6Service), TLSA \(platform.tlsa)") }
        XCTAssertTrue((8...12).contains(nginx.count), "\(nginx.count) nginx platforms")
        XCTAssertTrue((3...5).contains(postfix.count), "\(postfix.count) Postfix platforms")
        XCTAssertFalse(twin.webPlatforms.contains { $0.server == .postfix } || twin.mailPlatforms.contains { $0.server == .nginx })

        let served = Set(nginx.filter { $0.https == .tls }.map(\.tlsProfile))
        for wanted in ["modern", "legacy-versions", "cbc-sufficient", "rsa-key-exchange", "self-signed", "expired-certificate", "wrong-name"] {
            XCTAssertTrue(served.contains(wanted), "no nginx platform with \(wanted)")
        }
        XCTAssertTrue(nginx.contains { profiles[$0.tlsProfile]?.versions == ["TLSv1.2"] }, "TLS 1.2 only")
        XCTAssertTrue(nginx.contains { $0.https == .refused }, "HTTP only")
        let domains = twin.domains.filter { domain in nginx.contains { $0.id == domain.web.platform } }
        XCTAssertEqual(domains.count, nginx.count, "one domain per nginx platform")
        XCTAssertTrue(domains.contains { $0.web.hsts != nil } && domains.contains { $0.web.hsts == nil }, "with and without HSTS")
        XCTAssertTrue(domains.contains { $0.web.redirect == .sameHostHTTPS } && domains.contains { $0.web.redirect == .none }, "redirects")
        XCTAssertTrue(Set(nginx.map(\.ipv6Service)).isSuperset(of: [.answering, .none]), "IPv6 and not")

        XCTAssertTrue(postfix.contains { $0.smtp == .starttls && $0.tlsa == .valid }, "DANE valid")
        XCTAssertTrue(postfix.contains { $0.smtp == .starttls && $0.tlsa == .mismatch }, "DANE mismatch")
        XCTAssertTrue(postfix.contains { $0.smtp == .starttls && $0.tlsProfile == "legacy-versions" }, "TLS 1.0/1.1 on")
        XCTAssertTrue(postfix.contains { $0.smtp == .noStarttls }, "no STARTTLS")

        let plan = TwinEndpoints.plan(twin)
        XCTAssertEqual(plan.served(by: .nginx).platforms.count, nginx.count)
        XCTAssertEqual(plan.served(by: .postfix).platforms.count, postfix.count)
        let certificates = LabCertificates(directory: URL(fileURLWithPath: "/nonexistent"))
        XCTAssertEqual(NginxConfiguration(plan: plan, certificates: certificates, directory: certificates.directory).problems(), [])
        XCTAssertEqual(PostfixConfiguration(plan: plan, certificates: certificates, directory: certificates.directory).problems(), [])
    }

    /// A world file from before `server` existed reads as a world served by the endpoint server.
    func testWorldFilesWithoutServerStillLoad() throws {
        let twin = try TwinWorldTests.twin.get()
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: twin.encoded()) as? [String: Any])
        for key in ["webPlatforms", "mailPlatforms"] {
            object[key] = (object[key] as? [[String: Any]])?.map { platform in platform.filter { $0.key != "server" } }
        }
        let old = try JSONDecoder().decode(TwinWorld.self, from: JSONSerialization.data(withJSONObject: object))
        var expected = twin
        for index in expected.webPlatforms.indices { expected.webPlatforms[index].server = nil }
        for index in expected.mailPlatforms.indices { expected.mailPlatforms[index].server = nil }
        XCTAssertEqual(old, expected)
        XCTAssertTrue(TwinEndpoints.plan(old).platforms.allSatisfy { $0.server == nil })
    }

    /// What nginx and Postfix cannot do is refused before anything starts.
    func testSilentPortsAndClientRenegotiationAreRefusedForRealServers() {
        let tls = EndpointTLS(versions: ["TLSv1", "TLSv1.2"], ciphers: ["ECDHE-RSA-AES128-GCM-SHA256"], groups: ["X25519"], key: "ec-p256",
                              certificate: "valid", clientRenegotiation: true)
        let platform = EndpointPlatform(id: "web-x", service: .web, addresses: [
            EndpointAddress(address: "2001:2:0:80::9", ports: [EndpointPort(port: 80, mode: .silent), EndpointPort(port: 443, mode: .silent)]),
        ], tls: tls, names: ["www.x.nl"], server: .nginx)
        let problems = EndpointSoftware.nginx.problems(platform).joined(separator: "\n")
        for expected in ["port 80 silent", "port 443 silent", "leave a hole", "client-initiated renegotiation"] {
            XCTAssertTrue(problems.contains(expected), "\(expected) in \(problems)")
        }
        XCTAssertFalse(EndpointSoftware.postfix.problems(platform).isEmpty)
    }

    /// main.cf and master.cf parse without warnings; nginx.conf has a server per host and port.
    /// (`nginx -t` also binds, so it runs inside the lab's namespace at `up`, not here.)
    func testGeneratedConfigurationsParse() throws {
        let twin = try TwinWorldTests.twin.get()
        let plan = TwinEndpoints.plan(twin)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-realservers-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = LabCertificates(directory: directory)
        _ = try certificates.make(plan.platforms.filter { $0.server != nil })
        let nginx = NginxConfiguration(plan: plan, certificates: certificates, directory: directory.appendingPathComponent("nginx"))
        try FileManager.default.createDirectory(at: nginx.temporaryDirectory, withIntermediateDirectories: true)
        try nginx.text().write(to: nginx.configFile, atomically: true, encoding: .utf8)
        let text = nginx.text()
        for platform in nginx.plan.platforms {
            let ports = Set(platform.addresses.flatMap(\.ports).map(\.port))
            let hosts = platform.names.filter { name in plan.sites.contains { $0.host == name } }
            XCTAssertEqual(text.components(separatedBy: "ssl_certificate \(certificates.certificateFile(platform.id).path);").count - 1,
                           ports.contains(443) ? hosts.count + 1 : 0, platform.id)
            for host in hosts { XCTAssertEqual(text.components(separatedBy: "server_name \(host);").count - 1, ports.count, host) }
        }

        let postfix = PostfixConfiguration(plan: plan, certificates: certificates, directory: directory.appendingPathComponent("postfix"))
        try FileManager.default.createDirectory(at: postfix.configDirectory, withIntermediateDirectories: true)
        try postfix.mainText().write(to: postfix.configDirectory.appendingPathComponent("main.cf"), atomically: true, encoding: .utf8)
        try postfix.masterText().write(to: postfix.configDirectory.appendingPathComponent("master.cf"), atomically: true, encoding: .utf8)
        let main = try StandardClients.run(["postconf", "-c", postfix.configDirectory.path, "-n"])
        let master = try StandardClients.run(["postconf", "-c", postfix.configDirectory.path, "-M"])
        XCTAssertEqual(main.status, 0, main.text)
        XCTAssertFalse(main.text.contains("warning") || master.text.contains("warning"), main.text + master.text)
        XCTAssertTrue(main.text.contains("default_transport = error:no outbound") && main.text.contains("smtpd_relay_restrictions = reject"))
        XCTAssertFalse(master.text.contains(" smtp\n") || master.text.contains(" local\n") || master.text.contains("pickup"), "no outbound or local service")
    }
}
