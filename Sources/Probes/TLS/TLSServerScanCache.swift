import COpenSSL
import PeilModel
import Synchronization

/// What scans of one address and port share, for shared hosting: the server-wide parameters
/// (versions, suites, preference handshakes, groups, signature hashes, renegotiation) of the
/// last completed scan, kept with that scan's *fingerprint*: every version hello's answer and
/// the certificate chain presented. A later scan of another host on the same address and port
/// makes its own version hellos and certificate handshake (its per-host facts: chain
/// verification against its name, OCSP staple, early data); when their fingerprint equals the
/// kept one, it takes the server-wide parameters from the kept scan instead of asking again,
/// and any difference means a full scan (docs/SCALE.md, "Shared hosting").
///
/// Bounded: at most `capacity` endpoints, each kept for `lifetime` (the oldest go first) and
/// at most ``TLSServerWideScan/maxKeptBytes`` (64 MB for 4,096 at the very worst; about a
/// kilobyte each for real servers), the fingerprint a digest.
/// Thread-safe: an agent's concurrent tasks share one.
public final class TLSServerScanCache: Sendable {
    /// An endpoint: address, port, and how TLS is reached there.
    struct Key: Hashable {
        var address: String
        var port: UInt16
        var startTLS: StartTLSMode
    }

    private struct Entry {
        var fingerprint: String
        var scan: TLSServerWideScan
        var kept: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var reused = 0
        var kept = 0
    }

    public let capacity: Int
    public let lifetime: Duration
    private let state = Mutex(State())

    public init(capacity: Int = 4_096, lifetime: Duration = .seconds(900)) {
        self.capacity = max(1, capacity)
        self.lifetime = lifetime
    }

    /// The kept scan of `key` when its fingerprint is `fingerprint` and it is not too old.
    func scan(for key: Key, matching fingerprint: String, now: ContinuousClock.Instant = .now) -> TLSServerWideScan? {
        state.withLock { state in
            guard let entry = state.entries[key], now - entry.kept <= lifetime, entry.fingerprint == fingerprint else { return nil }
            state.reused += 1
            return entry.scan
        }
    }

    /// Keeps `scan` for `key`, replacing what was there; past `capacity`, drops the oldest. A
    /// scan larger than ``TLSServerWideScan/maxKeptBytes`` is not kept (nor the one it replaces).
    func keep(_ scan: TLSServerWideScan, for key: Key, fingerprint: String, now: ContinuousClock.Instant = .now) {
        guard scan.approximateBytes <= TLSServerWideScan.maxKeptBytes else {
            state.withLock { $0.entries[key] = nil }
            return
        }
        state.withLock { state in
            state.entries[key] = Entry(fingerprint: fingerprint, scan: scan, kept: now)
            state.kept += 1
            guard state.entries.count > capacity else { return }
            state.entries = state.entries.filter { now - $0.value.kept <= lifetime }
            while state.entries.count > capacity, let oldest = state.entries.min(by: { $0.value.kept < $1.value.kept })?.key {
                state.entries[oldest] = nil
            }
        }
    }

    /// Endpoints kept now, scans that reused one, and full scans kept.
    public var counts: (endpoints: Int, reused: Int, kept: Int) {
        state.withLock { ($0.entries.count, $0.reused, $0.kept) }
    }
}

/// The server-wide part of a completed scan: what a scan of another host on the same endpoint
/// with the same fingerprint takes over. Every ``TLSObservation`` field is either here or
/// measured per host (``TLSServerWideScan/perHostFields``); a test keeps the two lists whole.
struct TLSServerWideScan: Sendable {
    var accepted: [TLSVersion: [UInt16]]
    var hidden: [TLSVersion: Set<UInt16>]
    var cipherChoices: [TLSCipherChoice]
    var keyExchanges: [TLSKeyExchange]
    var sha1SignatureProbe: TLSSignatureProbe?
    var sha224SignatureProbe: TLSSignatureProbe?
    var sha2OnlyTLS12Probe: TLSSignatureProbe?
    var sha2OnlyTLS13Probe: TLSSignatureProbe?
    var clientRenegotiations: Int?

    /// The most a kept scan may weigh (``approximateBytes``): a real server's is well under a
    /// kilobyte or two; a hostile one's DHE primes can reach megabytes, and are not kept.
    static let maxKeptBytes = 16_384

    /// Bytes of what this holds, roughly: two per suite code point, its primes' hex digits.
    var approximateBytes: Int {
        var suites = 0
        for list in accepted.values { suites += list.count }
        for set in hidden.values { suites += set.count }
        for choice in cipherChoices { suites += choice.offered.count + 1 }
        var primes = 0
        for exchange in keyExchanges {
            if case .dhe(let prime, _, _) = exchange { primes += prime.utf8.count + 16 } else { primes += 8 }
        }
        return 2 * suites + primes + 64
    }

    /// The ``TLSObservation`` fields taken over (`versions` and `ciphers` derived from `accepted`).
    static let serverWideFields: Set<String> = [
        "versions", "ciphers", "cipherChoices", "keyExchanges", "sha1SignatureProbe", "sha224SignatureProbe",
        "sha2OnlyTLS12Probe", "sha2OnlyTLS13Probe", "clientRenegotiations"]
    /// The fields every scan measures itself: from its own version hellos (compression,
    /// renegotiation_info, EMS) and its own certificate handshake.
    static let perHostFields: Set<String> = [
        "compression", "secureRenegotiation", "extendedMasterSecret", "earlyDataAccepted", "earlyDataTooEarly425",
        "leafHasOCSPURL", "ocspStapling", "chain"]
}

/// What must be equal for two scans of one endpoint to share their server-wide parameters:
/// each version hello's answer (the version, suite, compression, extensions, renegotiation_info
/// and key share chosen from the full offer, the ServerKeyExchange's group or prime, or the
/// refusal) and the certificate chain presented, byte for byte.
enum TLSServerFingerprint {
    /// One version hello's answer; "inconclusive" for a timeout, failed connection or garbage.
    static func answer(_ version: TLSVersion, _ exchange: HelloExchange) -> String {
        let asked = "hello \(version.wireValue):"
        switch exchange.outcome {
        case .accepted(let hello):
            let keyExchange = hello.negotiatedVersion.flatMap { negotiated in
                exchange.flight.serverKeyExchange.flatMap { ServerKeyExchange.parse($0, suite: hello.cipherSuite, version: negotiated) }
            }.map { "\($0.keyExchange)" } ?? "-"
            let renegotiation = hello.renegotiationInfo.map(DNSPresentation.hex) ?? "-"
            return "\(asked) version \(hello.negotiatedVersionWire)/\(hello.legacyVersion) suite \(hello.cipherSuite) compression \(hello.compressionMethod) "
                + "extensions \(hello.extensionTypes) renegotiation \(renegotiation) share \(hello.keyShareGroup.map(String.init) ?? "-") "
                + "retry \(hello.isHelloRetryRequest) exchange \(keyExchange)"
        case .alert(let level, let description): return "\(asked) alert \(level) \(description)"
        case .closed: return "\(asked) closed"
        case .timeout, .unreachable, .malformed: return "\(asked) inconclusive"
        }
    }

    /// The fingerprint: the SHA-256 of the answers and the chain (so a hostile server's long
    /// chain or large DHE prime costs the cache 64 hex digits), or nil when it cannot be trusted
    /// to tell servers apart: a version hello was inconclusive, or no certificate chain came
    /// from an OpenSSL handshake.
    static func of(answers: [String], certificate: TLSCertificateVerification?) -> String? {
        guard !answers.isEmpty, !answers.contains(where: { $0.hasSuffix(" inconclusive") }),
              let chain = certificate?.chainDER, !chain.isEmpty,
              let digest = sha256((answers + ["chain " + chain.joined(separator: ",")]).joined(separator: "\n")) else { return nil }
        return "sha256 " + digest
    }

    /// Lower-case hex SHA-256 of `text`'s UTF-8 bytes (nil if OpenSSL fails).
    static func sha256(_ text: String) -> String? {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var size: UInt32 = 0
        let bytes = Array(text.utf8)
        guard EVP_Digest(bytes, bytes.count, &digest, &size, EVP_sha256(), nil) == 1 else { return nil }
        return DNSPresentation.hex(digest.prefix(Int(size)))
    }
}
