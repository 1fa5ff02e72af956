import CoreMetrics
import Prometheus

/// The process's metrics: a Prometheus collector registry and the swift-metrics factory that
/// fills it. The roles record through `factory` (the swift-metrics API); `/metrics` renders the
/// registry. Not bootstrapped globally: each registry is its own (tests make several).
public struct MetricsRegistry: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// The factory the roles make their counters, gauges and timers with.
    public let factory: any MetricsFactory

    /// Timers (histograms in seconds) get `durationBuckets`: from 1 ms to 2 minutes, wide enough
    /// for a claim or store (milliseconds) and for a probe (up to its task budget).
    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        self.registry = registry
        self.factory = factory
    }

    /// The upper bounds of every timer's histogram buckets (`le`, in seconds when rendered).
    public static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60), .seconds(120),
    ]

    /// Everything recorded, in Prometheus text format.
    public func render() -> [UInt8] { registry.emitToBuffer() }
}
