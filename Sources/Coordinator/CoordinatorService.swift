import Foundation
import Logging
import ServiceLifecycle
import Store
import Wire

/// A coordinator as a long-lived service: applies migrations, then serves agents on its own
/// thread until SIGTERM (graceful) or cancellation.
public struct CoordinatorService: Service {
    private let configuration: CoordinatorConfiguration
    private let database: PeilStore
    private let logger: Logger
    private let metrics: CoordinatorMetrics?
    private let onBound: @Sendable ([String]) -> Void

    /// `metrics`: where to count (nil: nothing is counted).
    public init(configuration: CoordinatorConfiguration, database: PeilStore, logger: Logger, metrics: CoordinatorMetrics? = nil,
                onBound: @escaping @Sendable ([String]) -> Void = { _ in }) {
        self.configuration = configuration
        self.database = database
        self.logger = logger
        self.metrics = metrics
        self.onBound = onBound
    }

    public func run() async throws {
        let stop = StopSignal()
        let configuration = self.configuration
        let database = self.database
        let logger = self.logger
        let onBound = self.onBound
        let metrics = self.metrics
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await runOnDedicatedThread(name: "peil-coordinator-socket") {
                    try CoordinatorLoop(configuration: configuration, database: database, logger: logger, metrics: metrics)
                        .run(stop: stop, bound: onBound)
                }
            } onGracefulShutdown: {
                stop.stop()
            }
        } onCancel: {
            stop.stop()
        }
    }
}
