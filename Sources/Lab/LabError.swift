/// Why the lab could not be brought up, inspected or taken down.
///
/// A small closed set of codes with a human description; the description names the missing
/// Debian package, the failing command or the log tail of a server that would not start.
public struct LabError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        /// The lab needs root (network namespaces, port 53).
        case notRoot
        /// A required program is not installed.
        case missingTool
        /// A command exited non-zero or timed out.
        case commandFailed
        /// libldns could not make a key, read a zone or sign it.
        case signingFailed
        /// A knotd process did not start or did not load its zones.
        case serverFailedToStart
        /// The world description is inconsistent.
        case invalidWorld
        /// The prefix or state directory cannot be used.
        case invalidConfiguration
        /// Something the lab made is still there after `down`.
        case teardownIncomplete
        /// A file in the state directory could not be read or written.
        case stateUnreadable
    }

    public let code: Code
    public let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail }
}
