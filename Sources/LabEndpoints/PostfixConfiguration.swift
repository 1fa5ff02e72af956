import Foundation

/// The configuration of the lab's one Postfix instance (Debian's `postfix`): its own
/// config, queue and data directories under `directory`, one `smtpd` per platform address in
/// `master.cf` with that platform's banner name, STARTTLS (or none) and TLS profile, and a
/// `main.cf` under which nothing is ever relayed or delivered: no trusted networks, every
/// recipient and every DATA rejected, every transport `error`, no local delivery, no outbound
/// service in `master.cf`.
public struct PostfixConfiguration: Sendable {
    public let plan: EndpointPlan
    public let certificates: LabCertificates
    public let directory: URL

    /// The Postfix platforms of `plan` with the certificates `LabCertificates` made.
    public init(plan: EndpointPlan, certificates: LabCertificates, directory: URL) {
        self.plan = plan.served(by: .postfix)
        self.certificates = certificates
        self.directory = directory
    }

    /// `main.cf` and `master.cf` (`postfix -c <this> start`).
    public var configDirectory: URL { directory.appendingPathComponent("etc", isDirectory: true) }
    public var queueDirectory: URL { directory.appendingPathComponent("queue", isDirectory: true) }
    /// Must belong to the `postfix` user (the master's lock file).
    public var dataDirectory: URL { directory.appendingPathComponent("data", isDirectory: true) }
    public var logFile: URL { directory.appendingPathComponent("maillog") }
    /// The master's pid, as Postfix writes it (space-padded).
    public var pidFile: URL { queueDirectory.appendingPathComponent("pid/master.pid") }

    /// Why this plan cannot be served as it says (see ``EndpointSoftware/problems(_:)``).
    public func problems() -> [String] {
        var problems = plan.platforms.flatMap(EndpointSoftware.postfix.problems)
        for name in plan.platforms.compactMap(\.names.first) where !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) {
            problems.append("banner name '\(name)' is not a host name")
        }
        return problems
    }

    /// Every address Postfix listens on, in `inet_interfaces` form.
    var interfaces: [String] {
        plan.platforms.flatMap(\.addresses).map { $0.isIPv6 ? "[\($0.address)]" : $0.address }
    }

    /// The text of `main.cf`.
    public func mainText() -> String {
        let settings: [(String, String)] = [
            ("compatibility_level", "3.6"),
            ("queue_directory", queueDirectory.path),
            ("data_directory", dataDirectory.path),
            ("maillog_file", logFile.path),
            ("maillog_file_prefixes", directory.path),
            ("inet_interfaces", interfaces.joined(separator: ", ")),
            ("inet_protocols", "all"),
            ("myhostname", "postfix.lab.invalid"),
            ("smtpd_banner", "$myhostname ESMTP"),
            // Never relay, never deliver: nothing is local, nobody is trusted, everything is refused.
            ("mydestination", ""), ("mynetworks", ""), ("relay_domains", ""), ("relayhost", ""),
            ("alias_maps", ""), ("alias_database", ""), ("local_recipient_maps", ""),
            ("smtpd_relay_restrictions", "reject"), ("smtpd_recipient_restrictions", "reject"),
            ("smtpd_data_restrictions", "reject"), ("smtpd_end_of_data_restrictions", "reject"),
            ("default_transport", "error:no outbound"), ("local_transport", "error:no local delivery"),
            ("relay_transport", "error:no relay"), ("virtual_transport", "error:no delivery"),
            // No DNS from inside the lab's namespace (it has no resolver).
            ("smtpd_peername_lookup", "no"),
            ("disable_vrfy_command", "yes"),
            ("smtpd_timeout", "10s"),
            ("smtpd_tls_security_level", "none"),
            ("smtpd_tls_loglevel", "1"),
            ("tls_preempt_cipherlist", "yes"),
            ("biff", "no"),
        ]
        return "# Made by peil lab: the lab's Postfix (\(plan.platforms.count) mail platforms); removed by `peil lab down`.\n"
            + settings.map { "\($0.0) = \($0.1)" }.joined(separator: "\n") + "\n"
    }

    /// The text of `master.cf`: an `smtpd` per address, and only the internal services an
    /// SMTP server needs (no `smtp`, `relay`, `local`, `virtual`, `pickup` or pipes). No chroot.
    public func masterText() -> String {
        var lines = ["# Made by peil lab; removed by `peil lab down`."]
        for platform in plan.platforms {
            for address in platform.addresses {
                let listen = address.isIPv6 ? "[\(address.address)]:25" : "\(address.address):25"
                lines.append("\(listen) inet n - n - - smtpd")
                lines += overrides(platform).map { "  -o \($0)" }
            }
        }
        lines += [
            "cleanup unix n - n - 0 cleanup", "qmgr unix n - n 300 1 qmgr", "tlsmgr unix - - n 1000? 1 tlsmgr",
            "rewrite unix - - n - - trivial-rewrite", "bounce unix - - n - 0 bounce", "defer unix - - n - 0 bounce",
            "trace unix - - n - 0 bounce", "verify unix - - n - 1 verify", "flush unix n - n 1000? 0 flush",
            "proxymap unix - - n - - proxymap", "error unix - - n - - error", "retry unix - - n - - error",
            "discard unix - - n - - discard", "anvil unix - - n - 1 anvil", "scache unix - - n - 1 scache",
            "postlog unix-dgram n - n - 1 postlogd",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The per-address settings: banner name, STARTTLS, and the profile in Postfix's terms.
    private func overrides(_ platform: EndpointPlatform) -> [String] {
        let name = platform.names.first ?? "\(platform.id).mail.lab"
        guard platform.starttls else { return ["myhostname=\(name)", "smtpd_tls_security_level=none"] }
        let tls = platform.tls
        let versions = tls.orderedVersions
        var protocols = ">=\(versions.first ?? "TLSv1.2")"
        if let highest = versions.last, highest != "TLSv1.3" { protocols += ",<=\(highest)" }
        var settings = [
            "myhostname=\(name)", "smtpd_tls_security_level=may",
            "smtpd_tls_chain_files=\(certificates.keyFile(tls.key).path),\(certificates.certificateFile(platform.id).path)",
            "smtpd_tls_protocols=\(protocols)", "smtpd_tls_mandatory_protocols=\(protocols)",
        ]
        let legacy = tls.servedLegacyCiphers
        if !legacy.isEmpty {
            settings += ["smtpd_tls_ciphers=high", "smtpd_tls_mandatory_ciphers=high",
                         "tls_high_cipherlist=\(legacy.joined(separator: ":")):@SECLEVEL=0"]
        }
        if !tls.servedGroups.isEmpty { settings.append("tls_eecdh_auto_curves=\(tls.servedGroups.joined(separator: ","))") }
        return settings
    }
}
