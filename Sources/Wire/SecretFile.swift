import Glibc

/// Files that hold secrets (CURVE secret keys): created with mode 0600 from the first moment,
/// and read only when group and others have no access to them.
enum SecretFile {
    /// The permission bits that must be clear on a secret file: any access by group or others.
    static let exposingBits: mode_t = 0o077

    /// Creates `path` with mode 0600 and writes `contents`. The file is made by `open` with
    /// `O_CREAT | O_EXCL | O_NOFOLLOW`, so it never exists with a wider mode (whatever the
    /// umask), an existing file is never overwritten and a planted symbolic link is not followed.
    /// On failure nothing is left behind.
    static func create(at path: String, contents: [UInt8]) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
        guard descriptor >= 0 else {
            let why = errno == EEXIST ? "it exists; a secret key is never overwritten" : String(cString: strerror(errno))
            throw CurveKeyError.unwritable(path, why)
        }
        var failure: String?
        // The umask may only have narrowed 0600; fchmod makes it exactly 0600.
        if fchmod(descriptor, 0o600) != 0 { failure = String(cString: strerror(errno)) }
        var written = 0
        while failure == nil && written < contents.count {
            let count = contents.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
            } else {
                written += count
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        if close(descriptor) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(path)
            throw CurveKeyError.unwritable(path, failure)
        }
    }

    /// Reads `path` after checking, on the open descriptor, that group and others have no
    /// access to it.
    /// - Throws: ``CurveKeyError/exposed(_:mode:)`` for a wider mode, ``CurveKeyError/unreadable(_:_:)``
    ///   when it cannot be opened or read (or is not a regular file).
    static func read(at path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CurveKeyError.unreadable(path, String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw CurveKeyError.unreadable(path, String(cString: strerror(errno))) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw CurveKeyError.unreadable(path, "not a regular file") }
        guard status.st_mode & exposingBits == 0 else {
            throw CurveKeyError.exposed(path, mode: UInt32(status.st_mode & 0o7777))
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CurveKeyError.unreadable(path, String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes += buffer[..<count]
            // A key file is a few lines; anything far larger is not one.
            guard bytes.count <= 64 * 1024 else { throw CurveKeyError.malformed("\(path) is larger than 64 KiB") }
        }
        return bytes
    }
}
