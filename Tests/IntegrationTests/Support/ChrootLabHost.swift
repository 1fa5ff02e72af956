import Foundation
import Lab
import PeilTestSupport
import XCTest

/// An agent host of the lab as a machine of its own for Ansible: a copy of the Debian root made
/// by `ops/lab-root` (a lab host is only a network namespace and shares the machine's files),
/// with `/proc`, `/dev` and `/dev/pts` mounted in it, an ed25519 host key, the test's public
/// key in root's `authorized_keys`, and `sshd` running chrooted inside the host's namespace on
/// its lab addresses only. ``tearDown()`` ends every process whose root is this copy, unmounts
/// what was mounted (checked against `/proc/mounts`) and removes the copy.
final class ChrootLabHost {
    let host: LabHost
    /// The host's root filesystem.
    let root: URL
    /// Extra read-only bind mounts: a directory of the machine at the same path inside.
    private let readOnlyBinds: [String]
    private var mounted: [String] = []
    private var sshd: TestProcess?

    init(host: LabHost, base: URL, rootsDirectory: URL, authorizedKey: String, readOnlyBinds: [String] = [], logDirectory: URL) throws {
        self.host = host
        self.readOnlyBinds = readOnlyBinds
        root = rootsDirectory.appendingPathComponent(host.namespace)
        try? FileManager.default.createDirectory(at: rootsDirectory, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: root.path) {
            try Self.refuseMounts(under: root.path)
            try Self.run("/bin/rm", ["-rf", root.path])
        }
        try Self.run("/bin/cp", ["-a", base.path, root.path], timeout: .seconds(300))
        let ssh = root.appendingPathComponent("root/.ssh")
        try FileManager.default.createDirectory(at: ssh, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        _ = FileManager.default.createFile(atPath: ssh.appendingPathComponent("authorized_keys").path, contents: Data((authorizedKey + "\n").utf8),
                                           attributes: [.posixPermissions: 0o600])
        try FileManager.default.createDirectory(at: root.appendingPathComponent("run/sshd"), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        try Self.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", host.namespace, "-f", hostKey.path])
        try mountAll()
        let listen = [host.ipv4, host.ipv6].compactMap { $0 }.flatMap { ["-o", "ListenAddress=\($0)"] }
        sshd = try TestProcess("/usr/sbin/ip", ["netns", "exec", host.namespace, "/usr/sbin/chroot", root.path, "/usr/sbin/sshd", "-D", "-e", "-p", "22",
                                                 "-h", "/etc/ssh/ssh_host_ed25519_key", "-o", "PermitRootLogin=prohibit-password",
                                                 "-o", "PasswordAuthentication=no", "-o", "UsePAM=no"] + listen,
                               log: logDirectory.appendingPathComponent("sshd-\(host.name).log").path)
    }

    /// The host's public key, for a `known_hosts` line.
    var hostPublicKey: String {
        get throws { try String(contentsOf: hostKey.appendingPathExtension("pub"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The address Ansible reaches the host at: IPv4 when it has it.
    var address: String { host.ipv4 ?? host.ipv6 ?? "" }

    /// Waits until sshd accepts connections on `address`, probing from `namespace`.
    func waitForSSH(from namespace: String, timeout: TimeInterval = 20) throws {
        let target = host.ipv4 ?? "[\(host.ipv6 ?? "")]"
        let listening = try eventually(timeout: timeout, every: 0.2) {
            guard sshd?.isRunning == true else { return false }
            let probe = try TestProcess.run("/usr/sbin/ip", ["netns", "exec", namespace, "/bin/bash", "-c", "exec 3<>/dev/tcp/\(target.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))/22"],
                                            timeout: .seconds(5))
            return probe.status == 0
        }
        if !listening { throw IntegrationError("sshd on \(host.namespace) does not listen:\n\(sshd?.output ?? "")") }
    }

    /// A file inside the host, by its path there.
    func file(_ path: String) -> URL { root.appendingPathComponent(String(path.drop { $0 == "/" })) }

    /// Ends the host's processes (SIGTERM, then SIGKILL), unmounts and removes its root.
    /// - Returns: what could not be cleaned up (empty when everything was).
    @discardableResult
    func tearDown() -> [String] {
        var problems: [String] = []
        sshd?.stop(grace: .seconds(5))
        for signal in [SIGTERM, SIGKILL] {
            let pids = processesInRoot()
            for pid in pids { kill(pid, signal) }
            if !pids.isEmpty { _ = eventually(timeout: 10, every: 0.1) { processesInRoot().isEmpty } }
        }
        if !processesInRoot().isEmpty { problems.append("processes left in \(root.path): \(processesInRoot())") }
        for target in mounted.reversed() {
            if (try? Self.run("/bin/umount", [target])) == nil { problems.append("could not unmount \(target)") }
        }
        mounted = []
        if let remaining = try? Self.mounts(under: root.path), !remaining.isEmpty {
            problems.append("still mounted: \(remaining)")
        } else {
            _ = try? Self.run("/bin/rm", ["-rf", root.path], timeout: .seconds(120))
        }
        return problems
    }

    private var hostKey: URL { file("/etc/ssh/ssh_host_ed25519_key") }

    private func mountAll() throws {
        try mount(["-t", "proc", "proc"], at: "/proc")
        try mount(["--bind", "/dev"], at: "/dev")
        try mount(["--bind", "/dev/pts"], at: "/dev/pts")
        for directory in readOnlyBinds {
            try FileManager.default.createDirectory(at: file(directory), withIntermediateDirectories: true)
            try mount(["--bind", directory], at: directory)
            try Self.run("/bin/mount", ["-o", "remount,bind,ro", file(directory).path])
        }
    }

    private func mount(_ arguments: [String], at path: String) throws {
        let target = file(path).path
        try Self.run("/bin/mount", arguments + [target])
        mounted.append(target)
    }

    /// The processes whose root directory is this host's root (sshd, the agent, anything they started).
    private func processesInRoot() -> [pid_t] {
        let ownRoot = root.resolvingSymlinksInPath().path
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/root")) == ownRoot
        }
    }

    /// Mount points at or below `path` in `/proc/mounts`.
    static func mounts(under path: String) throws -> [String] {
        try String(contentsOfFile: "/proc/mounts", encoding: .utf8).split(separator: "\n").compactMap { line in
            let point = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            return point == path || point.hasPrefix(path + "/") ? point : nil
        }
    }

    private static func refuseMounts(under path: String) throws {
        let left = try mounts(under: path)
        if !left.isEmpty { throw IntegrationError("\(path) still has mounts from an earlier run: \(left)") }
    }

    @discardableResult
    static func run(_ program: String, _ arguments: [String], timeout: Duration = .seconds(60)) throws -> String {
        let result = try TestProcess.run(program, arguments, mergeErrors: true, timeout: timeout)
        guard result.status == 0 else {
            throw IntegrationError("\(program) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.standardOutput)")
        }
        return result.standardOutput
    }
}
