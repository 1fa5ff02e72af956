import Foundation

/// What is running of a lab, as `peil lab status` shows it.
public struct LabStatus: Codable, Sendable, Hashable {
    /// One of the lab's namespaces and the addresses in it (`interface address/length`).
    public struct Namespace: Codable, Sendable, Hashable {
        public var name: String
        public var exists: Bool
        public var addresses: [String]
    }

    /// One of the lab's processes.
    public struct Process: Codable, Sendable, Hashable {
        public var program: String
        public var role: String
        public var pid: Int32
        public var alive: Bool
        public var addresses: [String]
    }

    public var prefix: String
    public var stateDirectory: String
    /// Whether a manifest exists and says `up` finished.
    public var complete: Bool
    public var namespaces: [Namespace]
    public var processes: [Process]
    /// The coordinator and agent hosts the lab made (empty: none).
    public var hosts: [LabHost]

    /// True when `up` finished and every namespace and process is there.
    public var isUp: Bool {
        complete && namespaces.allSatisfy(\.exists) && !processes.isEmpty && processes.allSatisfy(\.alive)
    }
}

extension Lab {
    /// The lab's namespaces (with their addresses) and processes, from the manifest and the
    /// kernel. Reading addresses inside namespaces needs root; without it they are empty.
    public func status() throws -> LabStatus {
        try configuration.validate()
        let manifest = try LabManifest.load(from: paths)
        let existing = Set(LabTopology.existingNamespaces(runner: runner))
        let names = Array(Set(topology.namespaces + (manifest?.namespaces ?? []))).sorted()
        let namespaces = names.map { name in
            LabStatus.Namespace(name: name, exists: existing.contains(name), addresses: existing.contains(name) ? addresses(in: name) : [])
        }
        let processes = (manifest?.processes ?? []).map { process in
            LabStatus.Process(program: process.program, role: process.role, pid: process.pid,
                              alive: LabProcesses.isAlive(process.pid, named: process.program), addresses: process.addresses)
        }
        return LabStatus(prefix: configuration.prefix, stateDirectory: paths.root.path, complete: manifest?.complete ?? false,
                         namespaces: namespaces, processes: processes, hosts: manifest?.hosts ?? [])
    }

    /// Global addresses in a namespace as `interface address/length` (`ip -brief address`).
    private func addresses(in namespace: String) -> [String] {
        guard let output = try? runner.runAllowingFailure(.ip, ["-n", namespace, "-brief", "address"], timeout: 10), output.status == 0 else {
            return []
        }
        return output.standardOutput.split(whereSeparator: \.isNewline).flatMap { line -> [String] in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard fields.count > 2 else { return [] }
            let interface = fields[0].split(separator: "@").first.map(String.init) ?? fields[0]
            return fields.dropFirst(2).filter { !$0.hasPrefix("fe80:") && $0 != "127.0.0.1/8" && $0 != "::1/128" }
                .map { "\(interface) \($0)" }
        }
    }
}
