import COpenSSL
import Foundation

/// A private key read once from its PEM file, for every TLS context that presents it. OpenSSL 3
/// sets its decoders up anew for each key it reads (a few milliseconds), and the twin's 2,017
/// platforms share five keys: read per platform, that was most of the endpoint server's start.
final class EndpointPrivateKey: @unchecked Sendable {
    /// The `EVP_PKEY`; each context that uses it holds a reference of its own.
    let key: OpaquePointer

    init(file: URL) throws {
        guard let bio = BIO_new_file(file.path, "r") else {
            throw EndpointError("cannot open the key \(file.path): \(EndpointError.openSSLErrors())")
        }
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            throw EndpointError("key \(file.path): \(EndpointError.openSSLErrors())")
        }
        self.key = key
    }

    deinit { EVP_PKEY_free(key) }
}
