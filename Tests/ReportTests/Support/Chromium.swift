import Foundation
import PeilTestSupport

/// Headless Chromium for the report tests (Debian packages `chromium`, `chromium-driver`,
/// `python3-selenium`; `ops/setup` installs them), kept off the network: it only ever opens a
/// file:// URL, and these flags stop everything it would fetch on its own.
enum Chromium {
    static let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
    static let driver = "/usr/bin/chromedriver"
    static let python = "/usr/bin/python3"

    /// `program` with `arguments` in a network namespace of its own with only loopback up
    /// (`unshare --net`), when running as root with `unshare` and `ip` at hand: then nothing
    /// Chromium or chromedriver could send leaves the machine even if a flag were missed.
    /// Otherwise as it is (the flags alone keep Chromium offline).
    static func isolated(_ program: String, _ arguments: [String]) -> (program: String, arguments: [String]) {
        guard geteuid() == 0, let unshare = TestProcess.which("unshare"), let ip = TestProcess.which("ip") else { return (program, arguments) }
        return (unshare, ["--net", "--", "/bin/sh", "-c", "\(ip) link set lo up && exec \"$0\" \"$@\"", program] + arguments)
    }

    static var binary: String? { candidates.first(where: FileManager.default.isExecutableFile(atPath:)) }

    /// Headless, no proxy, every host name unresolvable, no background or component traffic, a
    /// fresh profile; `--no-sandbox` as root (Chromium refuses to start sandboxed as root).
    static func flags(profile: URL) -> [String] {
        var flags = [
            "--headless", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=" + profile.path,
            "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
            "--disable-extensions", "--disable-domain-reliability", "--disable-client-side-phishing-detection",
            "--no-first-run", "--no-default-browser-check", "--no-pings", "--metrics-recording-only",
            "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
        ]
        if geteuid() == 0 { flags.append("--no-sandbox") }
        return flags
    }
}
