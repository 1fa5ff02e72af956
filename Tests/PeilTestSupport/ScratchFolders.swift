import Foundation

/// Temporary folders for tests that leave nothing behind: each is made under one folder of the
/// test process (`$TMPDIR/peil-tests-<pid>`), which is removed when the process exits.
public enum ScratchFolders {
    /// This process's parent folder, made (and its removal at exit arranged) on first use.
    public static let parent: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("peil-tests-\(getpid())", isDirectory: true)
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: ScratchFolders.parent) }
        return url
    }()

    /// A new empty folder named `<prefix>-<uuid>` under ``parent``.
    public static func make(_ prefix: String) throws -> URL {
        let url = parent.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
