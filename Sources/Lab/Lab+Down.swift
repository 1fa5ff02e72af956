import Foundation

extension Lab {
    /// Takes the lab down: ends its knotd processes (and anything else still running inside
    /// its namespaces), deletes its namespaces, and removes the files it made (all of them, or
    /// only the manifest when `keepState`). Works from the manifest of any earlier process and
    /// also when there is nothing to take down. Throws `teardownIncomplete` if a namespace or
    /// process survives.
    public func down(keepState: Bool = false) throws {
        try configuration.validate()
        guard geteuid() == 0 else {
            throw LabError(.notRoot, "the lab's namespaces and processes belong to root: run `lab down` as root")
        }
        let manifest = try LabManifest.load(from: paths)
        if let manifest, manifest.prefix != configuration.prefix {
            throw LabError(.invalidConfiguration,
                           "\(paths.root.path) holds the lab '\(manifest.prefix)', not '\(configuration.prefix)': use --prefix \(manifest.prefix) or another state directory")
        }
        let recorded = manifest?.processes ?? []
        for process in recorded where LabProcesses.isAlive(process.pid, named: process.program) {
            LabProcesses.terminate(process.pid)
        }
        let namespaces = Array(Set(topology.namespaces + (manifest?.namespaces ?? []))).sorted()
        let existing = Set(LabTopology.existingNamespaces(runner: runner))
        for namespace in namespaces where existing.contains(namespace) {
            for pid in LabProcesses.inNamespace(namespace, runner: runner) { LabProcesses.terminate(pid) }
        }
        try topology.remove(runner: runner, extra: manifest?.namespaces ?? [])

        let fileManager = FileManager.default
        for item in keepState ? [paths.manifest] : paths.made where fileManager.fileExists(atPath: item.path) {
            try fileManager.removeItem(at: item)
        }
        if !keepState, let contents = try? fileManager.contentsOfDirectory(atPath: paths.root.path), contents.isEmpty {
            try? fileManager.removeItem(at: paths.root)
        }

        let leftNamespaces = Set(LabTopology.existingNamespaces(runner: runner)).intersection(namespaces)
        let leftProcesses = recorded.filter { LabProcesses.isAlive($0.pid, named: $0.program) }
        guard leftNamespaces.isEmpty && leftProcesses.isEmpty else {
            throw LabError(.teardownIncomplete,
                           "still there after down: namespaces \(leftNamespaces.sorted()), processes \(leftProcesses.map(\.pid))")
        }
    }
}
