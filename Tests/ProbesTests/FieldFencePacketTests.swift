import Foundation
import PeilTestSupport
import Testing

/// The field fence sends nothing: the agent's connect prober (`peil probe KIND --any-address`:
/// `ConnectProber` with the live probes and the fence an agent with `--any-upstream` has) and
/// `peil scan --any-address` are pointed at the zoo's special-purpose addresses inside a fresh,
/// empty network namespace (`unshare --net`: only `lo`, brought up so that a connect to
/// loopback would show), and the namespace's interface counters (`/proc/net/dev`) and the
/// kernel's SNMP counters (`/proc/net/snmp`, `/proc/net/snmp6`) are the same before and after.
/// A control probe of 127.0.0.2 under the lab fence, which does connect, moves them: the
/// counters would see a packet. Nothing leaves the namespace, which has no route anywhere.
@Suite("Field fence packets", .enabled(if: TestRequirements.isMet(.root, .peilBinary, .program("/usr/bin/unshare")),
                                       "needs root, unshare and the built peil"), .blockingWork)
struct FieldFencePacketTests {
    static let zoo = ["127.0.0.2", "10.0.0.1", "169.254.169.254", "::1", "fd00::1"]
    static let kinds = ["reach", "web", "nameserver", "mail"]

    /// "section name" → value for every counter of the three files (`lo` for the interface).
    static func counters(_ text: String) -> [String: Int] {
        var values: [String: Int] = [:]
        let lines = text.split(separator: "\n").map(String.init)
        var index = 0
        while index < lines.count {
            let words = lines[index].split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if let section = words.first, section.hasSuffix(":"), section != "lo:", index + 1 < lines.count {
                let numbers = lines[index + 1].split(separator: " ").map(String.init)
                if numbers.first == section, words.count == numbers.count, Int(numbers.dropFirst().first ?? "") != nil {
                    for (name, value) in zip(words.dropFirst(), numbers.dropFirst()) { values["\(section) \(name)"] = Int(value) }
                    index += 2
                    continue
                }
            }
            if words.first == "lo:" {
                for (offset, value) in words.dropFirst().enumerated() { values["lo \(offset)"] = Int(value) }
            } else if words.count == 2, let value = Int(words[1]) {
                values[words[0]] = value
            }
            index += 1
        }
        return values
    }

    static func changed(_ before: [String: Int], _ after: [String: Int]) -> [String] {
        Set(before.keys).union(after.keys).sorted().filter { before[$0] != after[$0] }
            .map { "\($0): \(before[$0].map(String.init) ?? "-") → \(after[$0].map(String.init) ?? "-")" }
    }

    @Test func noPacketToASpecialPurposeAddress() throws {
        let folder = try TestProcess.scratchFolder("fence")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ip = try #require(TestProcess.which("ip"), "the ip command")
        let peil = TestProcess.peil!
        let snapshot = "cat /proc/net/dev /proc/net/snmp /proc/net/snmp6"
        let scans = Self.zoo.enumerated().flatMap { index, address in
            ["\"$PEIL\" scan zoo.example --address '\(address)' --any-address > \"$DIR/scan-\(index)\" 2>&1; echo $? >> \"$DIR/scan-\(index)\""]
                + Self.kinds.map { kind in
                    "\"$PEIL\" probe \(kind) --host zoo.example --address '\(address)' --any-address > \"$DIR/probe-\(kind)-\(index)\" 2>&1; echo $? >> \"$DIR/probe-\(kind)-\(index)\""
                }
        }.joined(separator: "\n")
        let script = """
            set -u
            DIR='\(folder)'; PEIL='\(peil)'
            [ "$(grep -c ':' /proc/net/dev)" = 1 ] || { echo "not a fresh namespace"; exit 3; }
            '\(ip)' link set lo up
            sleep 2
            \(snapshot) > "$DIR/before"
            \(scans)
            \(snapshot) > "$DIR/after"
            "$PEIL" probe reach --host zoo.example --address 127.0.0.2 > "$DIR/control-probe" 2>&1
            \(snapshot) > "$DIR/control"
            """
        let result = try TestProcess.run("/usr/bin/unshare", ["--net", "/bin/sh", "-c", script], mergeErrors: true, timeout: .seconds(60))
        #expect(result.status == 0, "\(result.standardOutput)")
        func read(_ name: String) throws -> String { try String(contentsOfFile: folder + "/" + name, encoding: .utf8) }
        let before = Self.counters(try read("before")), after = Self.counters(try read("after")), control = Self.counters(try read("control"))
        #expect(before["Tcp: ActiveOpens"] != nil && before["Ip6OutRequests"] != nil && before["lo 0"] != nil, "counters read: \(before.count)")
        #expect(Self.changed(before, after).isEmpty, "counters moved while scanning special-purpose addresses: \(Self.changed(before, after))")
        for (index, address) in Self.zoo.enumerated() {
            let output = try read("scan-\(index)")
            #expect(output.contains("not probed: \(address) is a special-purpose address ("), "\(address): \(output)")
            #expect(!output.hasSuffix("\n0\n"), "\(address): refused, not scanned: \(output)")
            for kind in Self.kinds {
                let report = try read("probe-\(kind)-\(index)")
                #expect(report.contains("\"outcome\" : \"not_permitted\""), "\(kind) \(address): \(report)")
                #expect(report.contains("\"detail\" : \"not probed: \(address) is a special-purpose address ("), "\(kind) \(address): \(report)")
                #expect(!report.contains("\"connect\""), "\(kind) \(address): no observation")
            }
        }
        // The control connects to 127.0.0.2 ports 80 and 443 (refused: nothing listens), so the counters can see it.
        let controlReport = try read("control-probe")
        #expect(controlReport.contains("\"refused\""), "control: \(controlReport)")
        #expect((control["Tcp: ActiveOpens"] ?? 0) > (after["Tcp: ActiveOpens"] ?? 0), "control: \(Self.changed(after, control))")
        #expect((control["lo 1"] ?? 0) > (after["lo 1"] ?? 0), "control: lo received packets")
    }

    /// No route from the vantage (here: a lab address in an empty namespace; nothing can leave)
    /// is not a server that refused: the reach probe says timeout, so port 443 cannot read
    /// "refused" and make HTTPS `failed`. Before, every connect error but a timeout was refused.
    @Test func noRouteIsNoAnswerNotARefusal() throws {
        let folder = try TestProcess.scratchFolder("noroute")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ip = try #require(TestProcess.which("ip"), "the ip command")
        let script = """
            set -u
            [ "$(grep -c ':' /proc/net/dev)" = 1 ] || { echo "not a fresh namespace"; exit 3; }
            '\(ip)' link set lo up
            '\(TestProcess.peil!)' probe reach --host zoo.example --address 198.18.0.1 > '\(folder)/v4' 2>&1
            '\(TestProcess.peil!)' probe reach --host zoo.example --address 2001:2::1 > '\(folder)/v6' 2>&1
            """
        let result = try TestProcess.run("/usr/bin/unshare", ["--net", "/bin/sh", "-c", script], mergeErrors: true, timeout: .seconds(60))
        #expect(result.status == 0, "\(result.standardOutput)")
        for family in ["v4", "v6"] {
            let report = try String(contentsOfFile: folder + "/" + family, encoding: .utf8)
            #expect(report.contains("\"timeout\"") && !report.contains("\"refused\""), "\(family): \(report)")
        }
    }
}
