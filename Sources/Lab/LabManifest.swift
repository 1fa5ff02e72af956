import Foundation

/// Everything a lab made, written to `<state>/lab.json` as it is made, so that `down` can undo
/// it from a fresh process, even after an `up` that failed part-way.
public struct LabManifest: Codable, Sendable, Hashable {
    /// A process the lab started.
    public struct Process: Codable, Sendable, Hashable {
        /// The program (`knotd`); checked against `/proc/<pid>/comm` before it is signalled.
        public var program: String
        /// What it serves (the server group id).
        public var role: String
        public var pid: Int32
        public var namespace: String
        public var configFile: String
        public var logFile: String
        /// The addresses it listens on.
        public var addresses: [String]
    }

    public var prefix: String
    public var stateDirectory: String
    /// Network namespaces, recorded before each is created.
    public var namespaces: [String]
    public var processes: [Process]
    /// The vantage namespaces by families: `"ipv4"`, `"ipv6"`, `"ipv4+ipv6"`.
    public var vantages: [String: String]
    /// The coordinator and agent hosts (``LabHost``); nil in a manifest from before hosts.
    public var hosts: [LabHost]?
    public var rootHintsFile: String
    public var trustAnchorFile: String
    public var startedAt: Date
    /// True once `up` finished.
    public var complete: Bool

    init(prefix: String, paths: LabPaths, vantages: [String: String], startedAt: Date) {
        self.prefix = prefix
        self.stateDirectory = paths.root.path
        self.namespaces = []
        self.processes = []
        self.vantages = vantages
        self.rootHintsFile = paths.rootHints.path
        self.trustAnchorFile = paths.trustAnchor.path
        self.startedAt = startedAt
        self.complete = false
    }

    /// Reads the manifest in a state directory; nil if there is none.
    static func load(from paths: LabPaths) throws -> LabManifest? {
        guard FileManager.default.fileExists(atPath: paths.manifest.path) else { return nil }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(LabManifest.self, from: Data(contentsOf: paths.manifest))
        } catch {
            throw LabError(.stateUnreadable, "cannot read the lab manifest \(paths.manifest.path): \(error)")
        }
    }

    /// Writes the manifest atomically.
    func save(to paths: LabPaths) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try FileManager.default.createDirectory(at: paths.root, withIntermediateDirectories: true)
        try encoder.encode(self).write(to: paths.manifest, options: .atomic)
    }
}
