import Foundation

/// SIGPIPE, ignored process-wide once by every probe that hands a socket to a C library.
///
/// OpenSSL's socket BIO and libunbound write with `send`/`write` without `MSG_NOSIGNAL`: a peer
/// that closes while they write would raise SIGPIPE and end the process (a killed
/// `peil resolve` loses its buffered output). Ignored, the write fails with EPIPE and the
/// library reports an error. The lab's endpoint servers do the same.
enum BrokenPipes {
    /// Touch once before the first socket is used; later touches do nothing.
    static let ignored: Void = { _ = signal(SIGPIPE, SIG_IGN) }()
}
