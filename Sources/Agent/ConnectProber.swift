import Foundation
import PeilModel
import Probes
import Wire

/// The blocking probes `web` and `mail` tasks run, injectable so tests can stand in for them.
/// Each takes the task's deadline and returns by it.
public struct EndpointProbes: Sendable {
    /// The TLS scan of port 443 of the target (server name = its host).
    public var scanTLS: @Sendable (ConnectTarget, ProbeDeadline) -> TLSScanResult
    /// `GET /` to the target on a port, over TLS or not: whether the port accepted the
    /// connection, and the exchange when it did (with `error` when it failed after that).
    public var get: @Sendable (_ target: ConnectTarget, _ port: UInt16, _ secure: Bool, ProbeDeadline) -> (port: PortProbe.State, exchange: HTTPExchange?)
    /// SMTP on port 25: EHLO, STARTTLS, then the TLS scan (server name = the MX host).
    public var scanSMTP: @Sendable (ConnectTarget, ProbeDeadline) -> TLSScanResult
    /// The security.txt fetch over HTTPS (``SecurityTxtProbe``); nil when not fetched.
    public var securityTxt: @Sendable (ConnectTarget, ProbeDeadline) -> SecurityTxtFetch?

    /// `securityTxt` by default fetches nothing (nil: not fetched).
    public init(scanTLS: @escaping @Sendable (ConnectTarget, ProbeDeadline) -> TLSScanResult,
                get: @escaping @Sendable (ConnectTarget, UInt16, Bool, ProbeDeadline) -> (port: PortProbe.State, exchange: HTTPExchange?),
                scanSMTP: @escaping @Sendable (ConnectTarget, ProbeDeadline) -> TLSScanResult,
                securityTxt: @escaping @Sendable (ConnectTarget, ProbeDeadline) -> SecurityTxtFetch? = { _, _ in nil }) {
        self.scanTLS = scanTLS
        self.get = get
        self.scanSMTP = scanSMTP
        self.securityTxt = securityTxt
    }
}

/// Runs connect tasks (`reach`, `nameserver`, `web`, `mail`). Each probe blocks on sockets with
/// hard deadlines, so it runs on a thread of its own, never on Swift's cooperative pool. Every
/// wait is clamped to the task's deadline and cancelling the calling task raises the
/// deadline's cancellation: a probe cut short reports what it saw, its unfinished parts
/// `inconclusive` or `timeout` (errors, never a failed standard).
public struct ConnectProber: TaskProber {
    private let web: EndpointProbes
    private let portTimeout: Duration
    private let fence: UpstreamPolicy
    private let mailBackOff: [Duration]

    /// - Parameter fence: the networks probes may reach; by default loopback and the lab ranges
    ///   only (the same fence as the resolver's; `--any-upstream`: public addresses only).
    /// - Parameter mailBackOff: the waits before scanning a mail server again after it
    ///   answered 4xx (421 "too many connections", 450…): one more scan per entry.
    public init(web: EndpointProbes, portTimeout: Duration = .seconds(4), fence: UpstreamPolicy = .labAndLoopback,
                mailBackOff: [Duration] = [.seconds(15), .seconds(45)]) {
        self.web = web
        self.portTimeout = portTimeout
        self.fence = fence
        self.mailBackOff = mailBackOff
    }

    public func run(_ task: TaskAssignment, finalAttempt: Int, deadline: ProbeDeadline) async -> TaskReport {
        guard let target = task.target else {
            return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .probeError, detail: "connect task without a target")
        }
        // Refused before any socket: not a measurement, so no observation ("not probed: …").
        if let refusal = fence.refusal(of: target.address) {
            return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .notPermitted, detail: refusal)
        }
        guard task.kind != .resolve else {
            return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .probeError, detail: "resolve is not a connect task")
        }
        let web = self.web
        let portTimeout = self.portTimeout
        let mailBackOff = self.mailBackOff
        let kind = task.kind
        let cancellation = deadline.cancellation ?? ProbeCancellation()
        let probeDeadline = ProbeDeadline(deadline.instant, cancellation: cancellation)
        let work = Task { () async throws -> ConnectObservation? in
            try await runOnDedicatedThread(name: "peil-probe-\(kind.rawValue)") { () -> ConnectObservation? in
                switch kind {
                case .resolve: nil
                case .reach: ConnectObservation(reach: PortCheck.probe(address: target.address, ports: [80, 443],
                                                                       timeout: probeDeadline.clamp(portTimeout)))
                case .nameserver: ConnectObservation(nameserver: NameserverCheck.probe(address: target.address, name: target.host,
                                                                                       timeout: probeDeadline.clamp(.seconds(5))))
                case .web: Self.probeWeb(target, web, deadline: probeDeadline).map { ConnectObservation(web: $0) }
                case .mail: ConnectObservation(mail: MailServerObservation(tls: Self.probeMail(target, web, backOff: mailBackOff,
                                                                                                deadline: probeDeadline)))
                }
            }
        }
        // Cancelled (the agent is leaving): the probe is told to stop and not waited for.
        let finished = await withTaskCancellationHandler {
            await firstResult(of: work, by: nil)
        } onCancel: {
            cancellation.cancel()
        }
        guard let finished else {
            return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .timeout, detail: "\(probeDeadline.reason): probe abandoned")
        }
        do {
            let observation = try finished.get()
            guard let observation else {
                return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .timeout,
                                  detail: "\(probeDeadline.reason) after the TLS scan, before the HTTP exchanges")
            }
            return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed, connect: observation)
        } catch {
            return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .probeError, detail: "\(error)")
        }
    }

    /// The STARTTLS scan; a server that answered 4xx (rate limit, overload) is left alone for
    /// each back-off wait and scanned again, so a temporary refusal is retried before the
    /// result is final (it stays `inconclusive`, an error, never a failed standard). A wait
    /// that would end past the deadline is not started: the last result stands, and says so.
    static func probeMail(_ target: ConnectTarget, _ probes: EndpointProbes, backOff: [Duration], deadline: ProbeDeadline) -> TLSScanResult {
        var result = probes.scanSMTP(target, deadline)
        for wait in backOff where result.outcome == .inconclusive && result.detail?.contains("temporary failure (4xx)") == true {
            guard deadline.remaining > wait else {
                result.detail = (result.detail ?? "") + "; no retry after \(wait): the task deadline comes first"
                break
            }
            sleep(wait, unless: deadline)
            let (handshakes, connections) = (result.handshakes, result.connections)
            result = probes.scanSMTP(target, deadline)
            result.handshakes += handshakes
            if let connections { result.connections = (result.connections ?? 0) + connections }
        }
        return result
    }

    /// Sleeps `duration` in short steps, waking early when `deadline` is reached (cancelled).
    static func sleep(_ duration: Duration, unless deadline: ProbeDeadline) {
        let end = ContinuousClock.now + duration
        while !deadline.isReached, ContinuousClock.now < end {
            let step = min(ContinuousClock.now.duration(to: end), .milliseconds(100))
            Thread.sleep(forTimeInterval: Double(step.components.seconds) + Double(step.components.attoseconds) / 1e18)
        }
    }

    /// TLS scan of 443; `GET /` over HTTPS when TLS works; `GET /` over HTTP (its connection
    /// says whether port 80 is open: no separate port check). Nil when the scan completed but
    /// the deadline cut an exchange short: an observation without it would read as "port 80
    /// closed" (a passed redirect) or "no HSTS", so the task reports a timeout instead.
    static func probeWeb(_ target: ConnectTarget, _ web: EndpointProbes, deadline: ProbeDeadline) -> WebObservation? {
        let tls = web.scanTLS(target, deadline)
        let secure = tls.outcome == .completed
        if secure, deadline.isReached { return nil }
        let https = secure ? web.get(target, 443, true, deadline).exchange : nil
        if secure, deadline.isReached { return nil }
        let (port80, http) = web.get(target, 80, false, deadline)
        if secure, deadline.isReached, https?.status == nil || (port80 != .refused && http?.status == nil) { return nil }
        // Last, so it never takes time from the exchanges above; only where HTTPS answered.
        let securityTxt = https?.status != nil && !deadline.isReached ? web.securityTxt(target, deadline) : nil
        return WebObservation(tls: tls, https: https, http: http, port80: port80, securityTxt: securityTxt)
    }
}

/// Sends each task to the prober for its kind.
public struct MeasurementProber: TaskProber {
    private let resolution: any TaskProber
    private let connect: any TaskProber

    public init(resolution: any TaskProber, connect: any TaskProber) {
        self.resolution = resolution
        self.connect = connect
    }

    public func run(_ task: TaskAssignment, finalAttempt: Int, deadline: ProbeDeadline) async -> TaskReport {
        task.kind == .resolve ? await resolution.run(task, finalAttempt: finalAttempt, deadline: deadline)
            : await connect.run(task, finalAttempt: finalAttempt, deadline: deadline)
    }
}

extension EndpointProbes {
    /// The real probes: `TLSScanner` on port 443 (server name = the host) and on port 25 after
    /// STARTTLS (EHLO `ehloName`, no early data), `GET /` over a TCP or TLS stream
    /// (certificate not verified: the scan judges it; the body read up to
    /// ``WebPageDigest/maxBodyBytes`` within the exchange's time cap and kept as its digest only),
    /// and the security.txt fetch over TLS
    /// (``SecurityTxtProbe``, each request on its own connection, the body up to
    /// ``SecurityTxtFetch/maxBodyBytes``). A GET's connect is judged as `PortCheck` judges a
    /// port: `connectTimeout`, one retry after a timeout. A request whose connection opened but
    /// that got no answer (handshake failed, timed out, closed) is asked once more, on a new
    /// connection, as Internet.nl's `http_get` does (`checks/http_client.py`: "Retry, once").
    public static func live(scanOptions: TLSScanOptions, ehloName: String, connectTimeout: Duration = .seconds(4),
                            timeout: Duration = .seconds(10)) -> EndpointProbes {
        let mailOptions = { var options = scanOptions; options.probeEarlyData = false; return options }()
        return EndpointProbes(
            scanTLS: { target, deadline in
                TLSScanner.scan(TLSScanTarget(address: target.address, port: 443, serverName: target.host), options: scanOptions, deadline: deadline)
            },
            get: { target, port, secure, taskDeadline in
                let url = "\(secure ? "https" : "http")://\(target.host)/"
                let (state, exchange) = onceMore(unless: { $0.answer?.status != nil }, taskDeadline) {
                    connected(target, port: port, secure: secure, taskDeadline, connectTimeout: connectTimeout,
                              timeout: timeout, failed: { HTTPExchange(url: url, error: $0) }) { stream, limits in
                        pageExchange(HTTPClient.getWithBody(url: url, host: target.host, path: "/", over: stream, limits: limits,
                                                            maxBodyBytes: WebPageDigest.maxBodyBytes, anyStatus: true))
                    }
                }
                return (state, exchange)
            },
            scanSMTP: { target, deadline in
                TLSScanner.scan(TLSScanTarget(address: target.address, port: 25, serverName: target.host, startTLS: .smtp(ehloName: ehloName)),
                                options: mailOptions, deadline: deadline)
            },
            securityTxt: { target, taskDeadline in
                SecurityTxtProbe.fetch(now: Int64(Date().timeIntervalSince1970)) { path in
                    let url = "https://\(target.host)\(path)"
                    let (port, answer) = onceMore(unless: { $0.answer?.0.status != nil }, taskDeadline) {
                        connected(target, port: 443, secure: true, taskDeadline, connectTimeout: connectTimeout, timeout: timeout,
                                  failed: { (HTTPExchange(url: url, error: $0), [], false) }) { stream, limits in
                            HTTPClient.getWithBody(url: url, host: target.host, path: path, over: stream, limits: limits,
                                                   maxBodyBytes: SecurityTxtFetch.maxBodyBytes)
                        }
                    }
                    return answer ?? (HTTPExchange(url: url, error: "port 443 \(port.rawValue)"), [], false)
                }
            })
    }

    /// A `GET /` with its body as the exchange with the body's digest (``WebPageDigest``): the
    /// page is not kept. A body cut short is the digest's `error`: the head was whole, so the
    /// exchange itself has none (the header checks read it as before).
    static func pageExchange(_ read: (exchange: HTTPExchange, body: [UInt8], truncated: Bool)) -> HTTPExchange {
        var exchange = read.exchange
        guard exchange.status != nil else { return exchange }
        exchange.page = WebPageDigest(body: read.body, truncated: read.truncated, error: exchange.error)
        exchange.error = nil
        return exchange
    }

    /// `request`, and once more when the port accepted but `answered` says it got no answer and
    /// the task's deadline is not reached; the second outcome stands.
    static func onceMore<Answer>(unless answered: ((port: PortProbe.State, answer: Answer?)) -> Bool, _ taskDeadline: ProbeDeadline,
                                 _ request: () -> (port: PortProbe.State, answer: Answer?)) -> (port: PortProbe.State, answer: Answer?) {
        let first = request()
        guard first.port == .open, !answered(first), !taskDeadline.isReached else { return first }
        return request()
    }

    /// `run` on a connection of its own to `port` of the target (TLS with the host as server
    /// name when `secure`), the connect judged as `PortCheck` judges a port: `connectTimeout`,
    /// one retry after a timeout; `run` gets the exchange's limits (`timeout`, clamped to the
    /// task's deadline). The port's state, and, when it accepted, what `run` returned, or
    /// `failed` with why nothing was exchanged (deadline reached, handshake failed).
    static func connected<Answer>(_ target: ConnectTarget, port: UInt16, secure: Bool, _ taskDeadline: ProbeDeadline,
                                  connectTimeout: Duration, timeout: Duration, failed: (String) -> Answer,
                                  run: (any ByteStream, HTTPLimits) -> Answer) -> (port: PortProbe.State, answer: Answer?) {
        guard !taskDeadline.isReached else { return (.timeout, failed(taskDeadline.reason)) }
        var tcp: TCPStream?
        var state = PortProbe.State.timeout
        for _ in 0..<2 where tcp == nil && state == .timeout && !taskDeadline.isReached {
            do throws(StreamError) {
                tcp = try TCPStream.connect(address: target.address, port: port, deadline: .now + taskDeadline.clamp(connectTimeout))
                state = .open
            } catch {
                state = error == .timeout ? .timeout : .refused
            }
        }
        guard let tcp else { return (state, nil) }
        let timeout = taskDeadline.clamp(timeout)
        let deadline = ContinuousClock.now + timeout
        do {
            let stream: any ByteStream = secure ? try TLSStream.handshake(over: tcp, serverName: target.host, deadline: deadline) : tcp
            defer { stream.close() }
            return (.open, run(stream, HTTPLimits(timeout: timeout)))
        } catch {
            tcp.close()
            return (.open, failed("\(error)"))
        }
    }
}
