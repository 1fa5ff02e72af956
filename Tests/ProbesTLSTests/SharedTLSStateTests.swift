import COpenSSL
@testable import PeilModel
import Testing
@testable import Probes

/// What the scanner makes once per process and shares between connections: the client
/// contexts (one per context-wide configuration) and the TLS 1.3 key shares (one per group).
@Suite("Shared TLS state")
struct SharedTLSStateTests {
    @Test func oneContextPerConfigurationEachCallerOwningAReference() throws {
        let options = TLSClientOptions(minVersion: .tls12, maxVersion: .tls12, cipherList: "AES128-SHA:@SECLEVEL=0")
        let first = try options.makeContext()
        let second = try options.makeContext()
        #expect(first == second, "the same options share one context")
        var renegotiating = options
        renegotiating.allowLegacyRenegotiation = true
        var trusting = options
        trusting.trustStorePEMFile = "/etc/ssl/certs/ca-certificates.crt"
        let others = try [renegotiating, trusting].map { try $0.makeContext() }
        #expect(!others.contains(first) && others[0] != others[1], "every context-wide option is part of the key")
        var perConnection = options
        perConnection.groups = "P-256"
        perConnection.signatureAlgorithms = "RSA+SHA256"
        perConnection.alpn = ["http/1.1"]
        perConnection.requestOCSPStaple = true
        let third = try perConnection.makeContext()
        #expect(third == first, "per-connection options do not make a context of their own")
        // Every caller frees its own reference; the cache's keeps the context alive.
        for context in [first, second, third] + others { SSL_CTX_free(context) }
        let again = try options.makeContext()
        #expect(again == first)
        #expect(SSL_CTX_ctrl(again, SSL_CTRL_GET_MIN_PROTO_VERSION, 0, nil) == Int(TLSVersion.tls12.wireValue))
        SSL_CTX_free(again)
    }

    @Test func aContextThatCannotBeMadeIsNotKept() {
        let broken = TLSClientOptions(cipherList: "NO-SUCH-CIPHER")
        #expect(throws: StreamError.self) { try broken.makeContext() }
        #expect(throws: StreamError.self) { try broken.makeContext() }
    }

    @Test func oneKeySharePerGroupFreshOnesDiffer() throws {
        let share = try #require(KeyShareFactory.share(for: 23))
        #expect(KeyShareFactory.share(for: 23) == share, "made once per process")
        let fresh = try #require(KeyShareFactory.fresh(for: 23))
        #expect(fresh.bytes.count == share.bytes.count && fresh != share, "a new key each time")
        #expect(KeyShareFactory.share(for: 999) == nil && KeyShareFactory.fresh(for: 999) == nil)
    }
}

/// The suites decomposed once per process are the ones a decomposition of the name gives.
@Suite("Cipher suites decomposed once")
struct CipherSuitesDecomposedOnceTests {
    @Test func everyRegistrySuiteIsItsNameDecomposed() throws {
        #expect(CipherSuiteRegistry.names.count == 277)
        for (code, name) in CipherSuiteRegistry.names {
            let decomposed = CipherSuite(code: code, name: name)
            #expect(CipherSuite(code: code) == decomposed, "\(name)")
            #expect(CipherSuite(name: name) == decomposed, "\(name)")
        }
        #expect(CipherSuite(code: 0xFFFF) == nil && CipherSuite(name: "TLS_NO_SUCH_SUITE") == nil)
    }

    @Test func theScannersSuiteListsAreListedOnce() {
        for version in TLSVersion.allCases {
            #expect(TLSScanCatalog.suites(for: version) == TLSScanCatalog.listSuites(for: version), "\(version)")
        }
        #expect(TLSScanCatalog.suites(for: .tls13).count == 5)
    }
}
