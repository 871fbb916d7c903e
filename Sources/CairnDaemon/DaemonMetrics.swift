import CoreMetrics
import Foundation
import Prometheus

/// The daemon's metrics: swift-metrics counters, gauges and timers from every module, collected in one
/// Prometheus registry that `cairn metrics` (control method `metrics`) prints in the text exposition format.
public enum DaemonMetrics {
    /// The registry every metric lands in.
    public static let registry = PrometheusCollectorRegistry()

    /// Routes swift-metrics to the registry; call once at daemon start (later calls do nothing).
    public static func bootstrap() {
        bootstrapOnce
    }

    private static let bootstrapOnce: Void = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }()

    /// The metrics in Prometheus text format.
    public static func exposition() -> String {
        registry.emitToString()
    }
}

/// What `metrics` returns: the Prometheus text.
public struct MetricsReport: Codable, Sendable {
    public var text: String
}
