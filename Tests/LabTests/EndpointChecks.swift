import Foundation
import PeilModel

@testable import Lab

/// Standard clients (curl, openssl s_client, bash's /dev/tcp) against the lab's endpoints,
/// with expectations read from the world file only (not from the endpoint plan).
struct EndpointChecks: Sendable {
    enum Host: Sendable {
        case web(TwinDomain, TwinWebPlatform, TwinTLSProfile)
        case mail(String, TwinMailPlatform, TwinTLSProfile)
    }

    let lab: Lab
    let twin: TwinWorld
    var ca: String { lab.certificateAuthorityFile.path }
    var v4: String { lab.vantageNamespace(for: [.ipv4]) }
    var v6: String { lab.vantageNamespace(for: [.ipv6]) }

    /// Every web host and MX host of the world.
    func hosts() -> [Host] {
        let profiles = Dictionary(twin.tlsProfiles.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let web = Dictionary(twin.webPlatforms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var hosts: [Host] = twin.domains.compactMap { domain in
            guard let platform = web[domain.web.platform], let profile = profiles[platform.tlsProfile] else { return nil }
            return .web(domain, platform, profile)
        }
        for platform in twin.mailPlatforms {
            guard let profile = profiles[platform.tlsProfile] else { continue }
            hosts += platform.hostNames.map { .mail($0, platform, profile) }
        }
        return hosts
    }

    func run(_ namespace: String, _ arguments: [String], stdin: String? = nil) -> StandardClients.Output {
        var command = ["ip", "netns", "exec", namespace] + arguments
        if let stdin { command = ["ip", "netns", "exec", namespace, "bash", "-c", stdin] }
        return (try? StandardClients.run(command, timeout: 25)) ?? StandardClients.Output(status: -1, text: "timeout")
    }

    /// curl's exit status, HTTP status and response headers (lower-case names).
    func curl(_ namespace: String, _ url: String, host: String, port: Int, address: String, insecure: Bool = false) -> (Int32, Int, [String: String]) {
        let resolve = "\(host):\(port):\(address.contains(":") ? "[\(address)]" : address)"
        var arguments = ["curl", "-sS", "-o", "/dev/null", "-D", "-", "--connect-timeout", "2", "--max-time", "6",
                         "--resolve", resolve, "--cacert", ca, "--ciphers", "DEFAULT@SECLEVEL=0"]
        if insecure { arguments.append("-k") }
        let output = run(namespace, arguments + [url])
        var status = 0
        var headers: [String: String] = [:]
        for line in output.text.split(separator: "\r\n") {
            if line.hasPrefix("HTTP/") { status = Int(line.split(separator: " ")[1]) ?? 0 }
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return (output.status, status, headers)
    }

    /// `openssl s_client` handshake; the output when it completed, nil when it failed.
    func handshake(_ namespace: String, _ address: String, port: Int, name: String, _ options: [String] = [], starttls: Bool = false) -> String? {
        let target = address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
        var arguments = ["openssl", "s_client", "-connect", target, "-servername", name, "-CAfile", ca]
        // DANE-EE (usage 3) ignores names and dates; a forced host name check would not.
        if !options.contains("-dane_tlsa_domain") { arguments += ["-verify_hostname", name] }
        if starttls { arguments += ["-starttls", "smtp"] }
        if !options.contains("-cipher") { arguments += ["-cipher", "DEFAULT@SECLEVEL=0"] }
        let output = run(namespace, ["timeout", "8"] + arguments + options)
        guard output.status == 0, output.text.contains("Cipher is"), !output.text.contains("Cipher is (NONE)") else { return nil }
        return output.text
    }

    func check(_ host: Host, failures: FailureLog) {
        switch host {
        case let .web(domain, platform, profile):
            checkWeb(domain, platform, profile, failures)
            if platform.server == .nginx { checkNginx(domain, platform, failures) }
        case let .mail(name, platform, profile):
            checkMail(name, platform, profile, failures)
            if platform.server == .postfix { checkPostfix(name, platform, failures) }
        }
    }
}
