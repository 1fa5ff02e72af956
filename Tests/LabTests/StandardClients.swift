import Foundation
import Lab
import PeilModel
import PeilTestSupport

/// Standard DNS clients (dig, unbound-host, ldns-verify-zone), run inside lab namespaces, with
/// their output parsed by the tests themselves, independent of Peil's and the lab's code.
enum StandardClients {
    struct Output {
        let status: Int32
        let text: String
    }

    /// Runs a program (found on PATH or in sbin) with stdout and stderr merged; bounded.
    static func run(_ arguments: [String], timeout: TimeInterval = 20) throws -> Output {
        guard let program = arguments.first.flatMap(TestProcess.which) else {
            return Output(status: 127, text: "\(arguments.first ?? "") not found")
        }
        let path = (ProcessInfo.processInfo.environment["PATH"].map { $0 + ":" } ?? "") + "/usr/sbin:/sbin:/usr/bin:/bin"
        let result = try TestProcess.run(program, Array(arguments.dropFirst()), environment: ["PATH": path], mergeErrors: true,
                                         timeout: .milliseconds(Int(timeout * 1000)))
        guard !result.timedOut else { throw ClientTimeout(command: arguments.joined(separator: " ")) }
        return Output(status: result.status, text: result.standardOutput)
    }

    struct ClientTimeout: Error {
        let command: String
    }

    /// Whether a program is installed.
    static func has(_ program: String) -> Bool {
        TestProcess.which(program) != nil
    }

    /// One non-recursive dig answer.
    struct DigAnswer {
        var rcode: String
        var authoritative: Bool
        /// Answer data of the asked type, normalised like ``DNSFacts`` (see ``normalise``).
        var records: [String]
    }

    /// `dig +norec @server name type` from inside `namespace`; nil when no server answered.
    static func dig(_ namespace: String, server: String, _ name: String, _ type: String, dnssec: Bool = false) throws -> DigAnswer? {
        var arguments = ["ip", "netns", "exec", namespace, "dig", "+norec", "+time=2", "+tries=2", "+noall", "+comments", "+answer"]
        if dnssec { arguments.append("+dnssec") }
        let output = try run(arguments + ["@" + server, name, type])
        guard output.status == 0, let statusRange = output.text.range(of: "status: ") else { return nil }
        let rcode = output.text[statusRange.upperBound...].prefix { $0 != "," }
        let flags = output.text.split(separator: "\n").first { $0.hasPrefix(";; flags:") } ?? ""
        var records: [String] = []
        for line in output.text.split(separator: "\n") where !line.hasPrefix(";") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 5, fields[3] == type || (dnssec && fields[3] == "RRSIG") else { continue }
            records.append(fields[3] == type ? normalise(type, Array(fields[4...])) : "RRSIG " + fields[4])
        }
        return DigAnswer(rcode: String(rcode), authoritative: flags.contains(" aa"), records: records.sorted())
    }

    /// dig's presentation to the ``DNSFacts`` rules: names without trailing dot, TXT
    /// concatenated unquoted, TLSA hex joined and lower case.
    static func normalise(_ type: String, _ fields: [String]) -> String {
        switch type {
        case "MX":
            let host = fields[1].lowercased()
            return fields[0] + " " + (host == "." ? "" : String(host.dropLast()))
        case "NS":
            return String(fields[0].lowercased().dropLast())
        case "TXT":
            return characterStrings(fields.joined(separator: " ")).joined()
        case "TLSA":
            return fields[0...2].joined(separator: " ") + " " + fields[3...].joined().lowercased()
        default:
            return fields.joined(separator: " ")
        }
    }

    /// The character-strings of TXT presentation: quoted runs, with `\"` and `\\` escapes.
    static func characterStrings(_ text: String) -> [String] {
        var strings: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in text {
            if escaped { current.append(character); escaped = false; continue }
            switch character {
            case "\\" where quoted: escaped = true
            case "\"":
                if quoted { strings.append(current); current = "" }
                quoted.toggle()
            default: if quoted { current.append(character) }
            }
        }
        return strings
    }

    /// The DNSSEC status `unbound-host` reports for `name`/`type`, resolving from the lab's
    /// root with the lab's trust anchor (`config`) inside `namespace`. `.error` when it got no
    /// answer it could judge (SERVFAIL without a bogus verdict, no reachable server).
    /// A bogus zone behind a nameserver whose AAAA is silent costs unbound tens of seconds of
    /// retries before it says BOGUS (the agents' resolver allows 45 s per question, and asks
    /// again): the 90 s bound only catches a hang.
    static func validate(_ namespace: String, config: URL, _ name: String, _ type: String) throws -> (DNSSECStatus, String) {
        let output = try run(["ip", "netns", "exec", namespace, "unbound-host", "-C", config.path, "-v", "-t", type, name], timeout: 90)
        let text = output.text
        if text.contains("(BOGUS") { return (.bogus, text) }
        if text.contains("(insecure)") { return (.insecure, text) }
        if text.contains("(secure)") && !text.contains("SERVFAIL") { return (.secure, text) }
        return (.error, text)
    }
}

/// Failures collected from concurrent checks, asserted afterwards on the test's thread.
final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String] = []

    func add(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        entries.append(message)
    }

    /// Records a failure unless the two values are equal.
    func expect<T: Equatable>(_ actual: T, _ expected: T, _ what: String) {
        if actual != expected { add("\(what): got \(actual), expected \(expected)") }
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }
}
