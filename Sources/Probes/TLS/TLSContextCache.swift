import COpenSSL
import Synchronization

/// Client contexts (`SSL_CTX`) made once per configuration and shared by every connection of
/// the process. OpenSSL 3's `SSL_CTX_new` fetches every cipher and digest from the providers
/// under global locks (likely the `pthread_rwlock_*` samples of docs/SCALE.md's demo profile),
/// and loading a trust store file parses it, once per connection before. A context is not changed once
/// made (per-connection settings go on the `SSL`), and OpenSSL lets many threads make
/// connections from one context. A trust store file is read once: changes to it need a new
/// process.
final class TLSContextCache: Sendable {
    /// What a context is made of: ``TLSClientOptions``' context-wide settings.
    struct Key: Hashable, Sendable {
        var minVersion: UInt16
        var maxVersion: UInt16
        var cipherList: String
        var cipherSuites: String?
        var trustStorePEMFile: String?
        var allowLegacyRenegotiation: Bool
    }

    /// An `SSL_CTX` the cache holds one reference to.
    private struct Held: @unchecked Sendable { let context: OpaquePointer }

    /// Configurations kept at most; past them, contexts are made per connection again.
    static let capacity = 64
    static let shared = TLSContextCache()

    private let held = Mutex<[Key: Held]>([:])

    /// The context for `key`, with a reference the caller owns (it frees it with
    /// `SSL_CTX_free`), made by `make` the first time.
    func context(for key: Key, make: () throws(StreamError) -> OpaquePointer) throws(StreamError) -> OpaquePointer {
        if let cached = held.withLock({ contexts -> Held? in
            guard let found = contexts[key] else { return nil }
            SSL_CTX_up_ref(found.context)
            return found
        }) {
            return cached.context
        }
        let context = try make()
        let made = Held(context: context)
        held.withLock { contexts in
            guard contexts[key] == nil, contexts.count < Self.capacity, SSL_CTX_up_ref(made.context) == 1 else { return }
            contexts[key] = made
        }
        return context
    }
}
