import ArgumentParser
import Telemetry

/// `--metrics ADDRESS:PORT`: serve `/metrics` (Prometheus text format) and `/health` there.
struct MetricsOptions: ParsableArguments {
    @Option(name: .customLong("metrics"), help: "Serve /metrics (Prometheus) and /health on this address and port, e.g. 127.0.0.1:9464 or [::1]:9464 (default: off).")
    var address: MetricsAddress?

    /// Starts the endpoint when asked for; stop it with ``TelemetryServer/stop()``.
    func start(_ registry: MetricsRegistry, health: @escaping @Sendable () -> Health) async throws -> TelemetryServer? {
        guard let address else { return nil }
        do {
            return try await TelemetryServer.start(host: address.host, port: address.port,
                                                   routes: TelemetryRoutes(metrics: { registry.render() }, health: health))
        } catch {
            throw ValidationError("cannot listen for metrics on \(address): \(error)")
        }
    }
}

extension MetricsAddress: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension Duration {
    /// The duration in seconds, as a double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
