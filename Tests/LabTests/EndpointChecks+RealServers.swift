import Foundation
import PeilModel

@testable import Lab

extension EndpointChecks {
    /// Who listens where in `<prefix>-web` (`ss -Hltnp`): every nginx platform address on its
    /// ports is nginx's, every Postfix address on 25 Postfix's master, and nothing of theirs the
    /// endpoint server's.
    func checkListeners(_ failures: FailureLog) {
        let namespace = "\(lab.configuration.prefix)-web"
        let output = run(namespace, ["ss", "-Hltnp"]).text
        var owners: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, let program = line.range(of: "((\"").map({ line[$0.upperBound...].prefix { $0 != "\"" } }) else { continue }
            owners[String(fields[3]).replacingOccurrences(of: "[", with: "").replacingOccurrences(of: "]", with: "")] = String(program)
        }
        for platform in twin.webPlatforms where platform.server == .nginx {
            let ports = platform.https == .tls ? [80, 443] : [80]
            for address in platform.ipv4 { for port in ports { expectOwner(owners, address, port, "nginx", failures) } }
            guard platform.ipv6Service != .none else { continue }
            for address in platform.ipv6 {
                for port in ports where !(port == 80 && platform.ipv6Service == .fewerPorts) { expectOwner(owners, address, port, "nginx", failures) }
            }
        }
        for platform in twin.mailPlatforms where platform.server == .postfix {
            for address in platform.ipv4 + (platform.ipv6Service == .none ? [] : platform.ipv6) { expectOwner(owners, address, 25, "master", failures) }
        }
    }

    private func expectOwner(_ owners: [String: String], _ address: String, _ port: Int, _ program: String, _ failures: FailureLog) {
        let owner = owners["\(address):\(port)"]
        if owner != program { failures.add("\(address):\(port) is served by \(owner ?? "nobody"), expected \(program)") }
    }

    /// nginx answers as nginx (`Server: nginx`) on 80 and, with TLS, on 443.
    func checkNginx(_ domain: TwinDomain, _ platform: TwinWebPlatform, _ failures: FailureLog) {
        guard let ipv4 = platform.ipv4.first else { return }
        let host = domain.web.host
        let (_, _, plain) = curl(v4, "http://\(host)/", host: host, port: 80, address: ipv4)
        if plain["server"] != "nginx" { failures.add("\(host) :80 Server \(plain["server"] ?? "-"), expected nginx") }
        guard platform.https == .tls else { return }
        let (_, _, secure) = curl(v4, "https://\(host)/", host: host, port: 443, address: ipv4, insecure: true)
        if secure["server"] != "nginx" { failures.add("\(host) :443 Server \(secure["server"] ?? "-"), expected nginx") }
    }

    /// Postfix's own banner and EHLO (`250 CHUNKING` last), and it never takes mail: a relay
    /// recipient is refused and so is DATA, even for `postmaster`.
    func checkPostfix(_ name: String, _ platform: TwinMailPlatform, _ failures: FailureLog) {
        guard let ipv4 = platform.ipv4.first else { return }
        let script = """
        exec 3<>/dev/tcp/\(ipv4)/25 || exit 9; read -t 3 line <&3; echo "$line"
        for c in 'EHLO client.lab' 'MAIL FROM:<a@client.lab>' 'RCPT TO:<someone@elsewhere.example>' 'RCPT TO:<postmaster>' 'DATA' 'QUIT'; do
          printf '%s\\r\\n' "$c" >&3
          for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do read -t 3 line <&3 || break; echo "$line"; case "$line" in [0-9][0-9][0-9]\\ *) break;; esac; done
        done
        """
        let lines = run(v4, [], stdin: script).text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let finals = lines.filter { $0.count > 3 && $0.dropFirst(3).first == " " }
        let expected = ["220 \(platform.hostNames[0]) ESMTP", "250 CHUNKING", "250 2.1.0", "554 5.7.1", "250 2.1.5", "554 5.7.1", "221"]
        if finals.count != expected.count || zip(finals, expected).contains(where: { !$0.hasPrefix($1) }) {
            failures.add("\(name) Postfix session: \(finals), expected prefixes \(expected)")
        }
    }

    /// dig's `Query time` (ms) for `name`/`type` at `server` from `namespace`; nil without an answer.
    func digTime(_ namespace: String, _ server: String, _ name: String, _ type: String, options: [String] = []) -> (Int, String)? {
        let output = run(namespace, ["dig", "+norec", "+time=2", "+tries=1", "@" + server] + options + [name, type])
        guard output.status == 0, let range = output.text.range(of: "Query time: ") else { return nil }
        return Int(output.text[range.upperBound...].prefix { $0.isNumber }).map { ($0, output.text) }
    }

    /// The answer section of a dig output (what the relay must pass unchanged).
    static func answerSection(_ text: String) -> [String] {
        text.split(separator: "\n").filter { !$0.hasPrefix(";") && !$0.isEmpty }.map(String.init)
    }
}
