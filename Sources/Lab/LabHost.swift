import PeilModel

/// A machine of the fleet inside the lab: a namespace of its own, joined to the core like a
/// vantage, with its own lab addresses (the far end of its link). `peil lab up --hosts N` makes
/// one coordinator host, `<prefix>-coord` (dual-stack), and N agent hosts `<prefix>-h1…hN`,
/// whose families go IPv4-only (h1), IPv6-only (h2), then dual-stack (h3 and on).
///
/// An agent host reaches the lab's targets exactly as a vantage does, and the coordinator
/// host's addresses; the coordinator host reaches the agent hosts and nothing else. Host links
/// are numbered from 32 (the coordinator; agent hosts 33…63), so their addresses
/// (198.19.32.0/19, 2001:2:0:120::/59) never meet the vantages' (links 1–3) or the targets'
/// (16, 17).
public struct LabHost: Codable, Sendable, Hashable {
    /// What the host is for.
    public enum Role: String, Codable, Sendable {
        case coordinator
        case agent
    }

    /// `coord`, `h1`, `h2`, …: the namespace's suffix.
    public let name: String
    public let namespace: String
    public let role: Role
    /// Sorted; an agent on the host measures with exactly these.
    public let families: [AddressFamily]
    /// The host's IPv4 lab address, nil on an IPv6-only host.
    public let ipv4: String?
    /// The host's IPv6 lab address, nil on an IPv4-only host.
    public let ipv6: String?
    /// The link number joining it to the core.
    let link: Int

    /// The most agent hosts a lab can have.
    public static let maximumAgentHosts = 31

    static let coordinatorLink = 32
    static let linksIPv4Block = "198.19.32.0/19"
    static let linksIPv6Block = "2001:2:0:120::/59"
    static var coordinatorIPv4Link: String { "198.19.\(coordinatorLink).0/24" }
    static var coordinatorIPv6Link: String { LabAddressPlan.rfc5952([0x2001, 0x2, 0, UInt16(0x100 + coordinatorLink), 0, 0, 0, 0]) + "/64" }

    /// The families of the `index`-th agent host (from 0): IPv4-only, IPv6-only, then dual-stack.
    public static func agentFamilies(_ index: Int) -> [AddressFamily] {
        switch index {
        case 0: [.ipv4]
        case 1: [.ipv6]
        default: [.ipv4, .ipv6]
        }
    }

    /// The coordinator host and `agentHosts` agent hosts (none when `agentHosts` is 0).
    static func plan(prefix: String, agentHosts: Int) -> [LabHost] {
        guard agentHosts > 0 else { return [] }
        let coordinator = LabHost(name: "coord", prefix: prefix, role: .coordinator, families: [.ipv4, .ipv6], link: coordinatorLink)
        return [coordinator] + (0..<agentHosts).map { index in
            LabHost(name: "h\(index + 1)", prefix: prefix, role: .agent, families: agentFamilies(index), link: coordinatorLink + 1 + index)
        }
    }

    private init(name: String, prefix: String, role: Role, families: [AddressFamily], link: Int) {
        self.name = name
        namespace = "\(prefix)-\(name)"
        self.role = role
        self.families = families.sorted()
        self.link = link
        ipv4 = families.contains(.ipv4) ? LabAddressPlan.linkIPv4(link, coreSide: false) : nil
        ipv6 = families.contains(.ipv6) ? LabAddressPlan.linkIPv6(link, coreSide: false) : nil
    }

    /// `ipv4`, `ipv6` or `dual`, for agent names (`h1-ipv4`).
    public var familyWord: String {
        families.count > 1 ? "dual" : families.first?.rawValue ?? "none"
    }
}
