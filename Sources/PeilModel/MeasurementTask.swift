/// What a task asks an agent to do.
public enum TaskKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// Resolve every DNS fact of a domain and its web host.
    case resolve
    /// TCP connects to ports 80 and 443 of one web address (the IPv6 web test's reachability).
    case reach
    /// An NS query to one nameserver address (the IPv6 nameserver test's reachability).
    case nameserver
    /// The TLS scan of port 443 and the HTTP and HTTPS exchanges of one web host at one address.
    case web
    /// SMTP on port 25 of one mail server address: EHLO, STARTTLS and the TLS scan after it.
    case mail

    /// The vantage family an agent needs to take this kind of task.
    ///
    /// Resolution runs from an IPv4-capable vantage: nameservers without IPv6 are common (it
    /// is what the IPv6-nameserver check measures), and an IPv6-only resolver would turn
    /// their domains into resolution errors. The IPv6 view is measured by connect tasks.
    public var requiredFamily: AddressFamily? {
        switch self {
        case .resolve: .ipv4
        case .reach, .nameserver, .web, .mail: nil  // the family of the target's address
        }
    }
}

/// One task as handed to an agent under a lease.
public struct TaskAssignment: Codable, Sendable, Hashable {
    public var taskID: Int64
    /// Attempt number, from 1; a result is idempotent on (taskID, attempt).
    public var attempt: Int
    public var measurementID: Int64
    public var kind: TaskKind
    public var domain: String
    public var webHost: String
    /// The family a connect task must use; nil for family-agnostic tasks.
    public var family: AddressFamily?
    /// What a connect task probes; nil for `resolve`.
    public var target: ConnectTarget?
    /// Earlier attempts that used none of the task's attempts (the agent lost contact or was
    /// gone: the store's `contact_lost`). `attempt` counts every lease; ``countedAttempt`` is
    /// the one the coordinator's maximum applies to.
    public var freeAttempts: Int

    public init(taskID: Int64, attempt: Int, measurementID: Int64, kind: TaskKind, domain: String, webHost: String,
                family: AddressFamily? = nil, target: ConnectTarget? = nil, freeAttempts: Int = 0) {
        self.taskID = taskID
        self.attempt = attempt
        self.measurementID = measurementID
        self.kind = kind
        self.domain = domain
        self.webHost = webHost
        self.family = family
        self.target = target
        self.freeAttempts = freeAttempts
    }

    /// Which of the task's attempts this is against the coordinator's maximum (WELCOME's
    /// `maxAttempts`): `attempt` less the ``freeAttempts``.
    public var countedAttempt: Int { attempt - freeAttempts }

    enum CodingKeys: String, CodingKey { case taskID, attempt, measurementID, kind, domain, webHost, family, target, freeAttempts }

    /// `freeAttempts` may be absent (a coordinator of wire protocol 5 before it was sent): none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        taskID = try container.decode(Int64.self, forKey: .taskID)
        attempt = try container.decode(Int.self, forKey: .attempt)
        measurementID = try container.decode(Int64.self, forKey: .measurementID)
        kind = try container.decode(TaskKind.self, forKey: .kind)
        domain = try container.decode(String.self, forKey: .domain)
        webHost = try container.decode(String.self, forKey: .webHost)
        family = try container.decodeIfPresent(AddressFamily.self, forKey: .family)
        target = try container.decodeIfPresent(ConnectTarget.self, forKey: .target)
        freeAttempts = try container.decodeIfPresent(Int.self, forKey: .freeAttempts) ?? 0
    }
}

/// How a probe ended. A small closed set, so free-form errors never become verdicts.
public enum ProbeOutcome: String, Codable, Sendable, Hashable {
    /// The probe ran; the observation says what it saw (which may be a DNS error).
    case completed
    /// The probe could not run to the end (timeout, resolver failure); retryable.
    case timeout
    /// The probe itself failed (bad input, local resource); retryable.
    case probeError = "probe_error"
    /// The agent's fence refused the target before any socket: nothing was sent, and another
    /// attempt would be refused the same way, so the task ends at once (not a measurement).
    case notPermitted = "not_permitted"
    /// The agent lost contact with the coordinator while the probe ran: its own network may
    /// have been down, so what it saw says nothing about the target. Asked again without
    /// using one of the task's attempts (a bounded number of times).
    case contactLost = "contact_lost"
}

/// An agent's report on one task attempt.
///
/// The observations are kept out of line, in one immutable box: a report is copied many times
/// on its way through the coordinator (into messages, actions, batches), and inline the two
/// optional observations made it about 900 bytes, each copy a move of all of them and a retain
/// of every string and array inside. The coding is the synthesized one, written out: the same
/// keys in the same order, `nil` left out and a missing key read as `nil`.
public struct TaskReport: Codable, Sendable, Hashable {
    public var taskID: Int64
    public var attempt: Int
    public var outcome: ProbeOutcome
    /// Detail for a non-completed outcome.
    public var detail: String?
    /// The observation of a completed `resolve` task.
    public var resolution: ResolutionObservation? {
        get { observations?.resolution }
        set { observations = Observations.holding(resolution: newValue, connect: connect) }
    }
    /// The observation of a completed connect task.
    public var connect: ConnectObservation? {
        get { observations?.connect }
        set { observations = Observations.holding(resolution: resolution, connect: newValue) }
    }
    /// Both observations; nil when there is neither.
    private var observations: Observations?

    /// Which observations the report carries, without copying them out of their box.
    public var observationShape: ObservationShape { observations?.shape ?? ObservationShape() }

    /// Which observations a report carries: worked out once, when the report is made, so that
    /// checking a report against its task's kind (twice a result: the coordinator's state
    /// machine and the store) reads a few fields instead of copying observations.
    public struct ObservationShape: Sendable, Hashable {
        /// Whether it carries a resolution.
        public var resolution = false
        /// Whether it carries a connect observation (even one with no member set).
        public var connect = false
        /// The kinds whose member the connect observation sets, in the order reach, nameserver,
        /// web, mail.
        public var connectKinds: [TaskKind] = []

        public init() {}

        init(resolution: ResolutionObservation?, connect: ConnectObservation?) {
            self.resolution = resolution != nil
            self.connect = connect != nil
            if let connect {
                if connect.reach != nil { connectKinds.append(.reach) }
                if connect.nameserver != nil { connectKinds.append(.nameserver) }
                if connect.web != nil { connectKinds.append(.web) }
                if connect.mail != nil { connectKinds.append(.mail) }
            }
        }
    }

    public init(taskID: Int64, attempt: Int, outcome: ProbeOutcome, detail: String? = nil,
                resolution: ResolutionObservation? = nil, connect: ConnectObservation? = nil) {
        self.taskID = taskID
        self.attempt = attempt
        self.outcome = outcome
        self.detail = detail
        self.observations = Observations.holding(resolution: resolution, connect: connect)
    }

    private final class Observations: Sendable {
        let resolution: ResolutionObservation?
        let connect: ConnectObservation?
        let shape: ObservationShape

        private init(resolution: ResolutionObservation?, connect: ConnectObservation?) {
            self.resolution = resolution
            self.connect = connect
            self.shape = ObservationShape(resolution: resolution, connect: connect)
        }

        static func holding(resolution: ResolutionObservation?, connect: ConnectObservation?) -> Observations? {
            resolution == nil && connect == nil ? nil : Observations(resolution: resolution, connect: connect)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case taskID, attempt, outcome, detail, resolution, connect
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(taskID: try container.decode(Int64.self, forKey: .taskID),
                  attempt: try container.decode(Int.self, forKey: .attempt),
                  outcome: try container.decode(ProbeOutcome.self, forKey: .outcome),
                  detail: try container.decodeIfPresent(String.self, forKey: .detail),
                  resolution: try container.decodeIfPresent(ResolutionObservation.self, forKey: .resolution),
                  connect: try container.decodeIfPresent(ConnectObservation.self, forKey: .connect))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(taskID, forKey: .taskID)
        try container.encode(attempt, forKey: .attempt)
        try container.encode(outcome, forKey: .outcome)
        try container.encodeIfPresent(detail, forKey: .detail)
        try container.encodeIfPresent(resolution, forKey: .resolution)
        try container.encodeIfPresent(connect, forKey: .connect)
    }

    public static func == (lhs: TaskReport, rhs: TaskReport) -> Bool {
        lhs.taskID == rhs.taskID && lhs.attempt == rhs.attempt && lhs.outcome == rhs.outcome && lhs.detail == rhs.detail
            && (lhs.observations === rhs.observations || (lhs.resolution == rhs.resolution && lhs.connect == rhs.connect))
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(taskID)
        hasher.combine(attempt)
        hasher.combine(outcome)
        hasher.combine(detail)
        hasher.combine(resolution)
        hasher.combine(connect)
    }
}
