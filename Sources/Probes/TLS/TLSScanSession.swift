import PeilModel

/// Why a scan stopped before it completed; becomes the result's outcome and detail.
enum TLSScanStop: Error {
    case unreachable(String)
    case noStartTLS(String)
    case noTLS(String)
    case inconclusive(String)
}

/// The connections of one scan: opens each one (TCP, then the STARTTLS preamble for mail),
/// sends hellos and OpenSSL handshakes with the retry policy, and counts them.
///
/// Retry policy: a timeout, a failed connection, garbage or a temporary SMTP refusal is
/// retried `retries` times, then stops the scan (unreachable before the first connection,
/// inconclusive after). A close or reset before any answer is retried too, then taken as a
/// refusal: many stacks refuse an offer by closing instead of alerting.
///
/// Bounds: every wait is clamped to the task's `deadline`, and once it is reached the next
/// hello or handshake stops the scan `inconclusive` ("task deadline reached"); after
/// `options.maxConsecutiveTimeouts` timed-out exchanges in a row the scan stops `inconclusive`
/// too ("consecutive timeouts"), so a server that answers and then goes silent ends it in a
/// few timeouts instead of one per remaining hello.
final class TLSScanSession {
    let target: TLSScanTarget
    let options: TLSScanOptions
    let deadline: ProbeDeadline
    /// Hellos and handshakes sent (retries and renegotiations included).
    private(set) var handshakes = 0
    /// TCP connections opened (each hello and handshake has its own).
    private(set) var connections = 0
    /// A TCP connection has worked once: failures are no longer "unreachable".
    private(set) var tcpConnected = false
    /// A connection reached TLS (the preamble worked) once: a later missing STARTTLS is an error.
    private(set) var reachedTLS = false
    /// Exchanges in a row that ended in a timeout (reset by any answer).
    private(set) var consecutiveTimeouts = 0

    init(target: TLSScanTarget, options: TLSScanOptions, deadline: ProbeDeadline = .unbounded) {
        self.target = target
        self.options = options
        self.deadline = deadline
    }

    /// The options' limits, each wait clamped to what is left before the deadline.
    var limits: HelloLimits {
        var limits = options.limits
        limits.connectTimeout = deadline.clamp(limits.connectTimeout)
        limits.answerTimeout = deadline.clamp(limits.answerTimeout)
        return limits
    }

    /// Stops the scan before `what` when the deadline is reached or the server stopped answering.
    private func checkBounds(_ what: String) throws(TLSScanStop) {
        if deadline.isReached {
            throw .inconclusive("\(what): \(deadline.reason) after \(handshakes) handshakes")
        }
        if consecutiveTimeouts >= options.maxConsecutiveTimeouts {
            throw .inconclusive("\(what): not sent, \(consecutiveTimeouts) consecutive timeouts after \(handshakes) handshakes "
                                + "(the server answered, then went silent)")
        }
    }

    /// Counts a timed-out exchange, or resets the count after an answer.
    private func noteTimeout(_ timedOut: Bool) {
        consecutiveTimeouts = timedOut ? consecutiveTimeouts + 1 : 0
    }

    /// One attempt at a connection ready for TLS.
    private enum OpenFailure: Error {
        case retry(String)
        case stop(TLSScanStop)
    }

    private func open() throws(OpenFailure) -> TCPStream {
        let stream: TCPStream
        do {
            stream = try TCPStream.connect(address: target.address, port: target.port, deadline: .now + limits.connectTimeout)
        } catch {
            throw .retry("connect: \(error)")
        }
        tcpConnected = true
        connections += 1
        if case .smtp(let ehloName) = target.startTLS {
            do {
                try SMTPStartTLS.negotiate(over: stream, ehloName: ehloName, replyTimeout: deadline.clamp(options.smtpReplyTimeout))
            } catch {
                if case .stream(.timeout, _) = error { noteTimeout(true) }
                switch error {
                case .noStartTLS(let why) where !reachedTLS: throw .stop(.noStartTLS(why))
                case .bufferedPlaintext: throw .stop(.inconclusive(error.description))
                default: throw .retry(error.description)
                }
            }
        }
        reachedTLS = true
        return stream
    }

    /// The stop after the last failed attempt.
    private func giveUp(_ detail: String, _ what: String) -> TLSScanStop {
        tcpConnected ? .inconclusive("\(what): \(detail)") : .unreachable(detail)
    }

    /// What one attempt on a fresh connection came to.
    private enum Attempt<Value> {
        case done(Value)
        case retry(String)
    }

    /// Runs `body` on fresh connections with the retry policy until it is done; `body` is told
    /// whether this is the last attempt.
    private func withRetries<Value>(_ what: String,
                                    _ body: (TCPStream, _ isLast: Bool) throws(TLSScanStop) -> Attempt<Value>) throws(TLSScanStop) -> Value {
        try checkBounds(what)
        var last = "no attempt"
        for attempt in 0...options.retries {
            if deadline.isReached { throw .inconclusive("\(what): \(deadline.reason) after \(handshakes) handshakes (last: \(last))") }
            let stream: TCPStream
            do {
                stream = try open()
            } catch {
                switch error {
                case .stop(let stop): throw stop
                case .retry(let detail): last = detail; continue
                }
            }
            handshakes += 1
            switch try body(stream, attempt == options.retries) {
            case .done(let value): return value
            case .retry(let detail): last = detail
            }
        }
        throw giveUp(last, what)
    }

    /// Sends `hello` (reading the flight after a TLS ≤ 1.2 ServerHello) with the retry policy.
    /// `firstContact` turns a non-TLS answer into `noTLS`.
    func hello(_ hello: ClientHello, firstContact: Bool = false) throws(TLSScanStop) -> HelloExchange {
        try withRetries("\(hello.version.displayName) hello") { stream, isLast throws(TLSScanStop) -> Attempt<HelloExchange> in
            let exchange = HelloProbe.exchange(hello, over: stream, limits: limits, readFlight: true)
            stream.close()
            noteTimeout(exchange.outcome == .timeout || exchange.flight.interruption == "timeout")
            switch exchange.outcome {
            case .accepted, .alert:
                return .done(exchange)
            case .closed:
                return isLast ? .done(exchange) : .retry("closed")
            case .malformed(.notTLS(let byte)) where firstContact && isLast:
                throw .noTLS("not a TLS answer (first byte \(byte))" + (target.startTLS == .none ? "" : " after 220 to STARTTLS: " + SMTPStartTLS.describe(firstByte: byte)))
            case .timeout, .unreachable, .malformed:
                return .retry(exchange.outcome.description)
            }
        }
    }

    /// An OpenSSL handshake with the retry policy: the stream, or the TLS-level failure
    /// (alert, close) that refused it.
    func handshake(_ tls: TLSClientOptions, what: String) throws(TLSScanStop) -> Result<TLSStream, StreamError> {
        try withRetries(what) { stream, isLast throws(TLSScanStop) -> Attempt<Result<TLSStream, StreamError>> in
            let deadline = ContinuousClock.now + self.limits.answerTimeout
            do throws(StreamError) {
                let tlsStream = try TLSStream.handshake(over: stream, serverName: target.serverName, deadline: deadline, options: tls)
                noteTimeout(false)
                return .done(.success(tlsStream))
            } catch {
                stream.close()
                noteTimeout(error == .timeout)
                switch error {
                case .tls, .closed, .reset:
                    return isLast || error.isTLSRefusal ? .done(.failure(error)) : .retry(error.description)
                default:
                    return .retry(error.description)
                }
            }
        }
    }

    /// Counts a renegotiation (a handshake on an existing connection).
    func countRenegotiation() { handshakes += 1 }
}

extension StreamError {
    /// The TLS layer refused (an alert or OpenSSL's verdict), which no retry changes.
    var isTLSRefusal: Bool {
        if case .tls = self { return true }
        return false
    }
}
