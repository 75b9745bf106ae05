import Foundation
import Prometheus

/// The ceremony counters and latency histograms `/metrics` shows, in a Prometheus registry.
///
/// Labels take only values the server chooses (ceremony kinds, step names, error codes), so no
/// input can grow the number of series without bound.
struct CeremonyMetrics: Sendable {
    /// Which ceremony a request belongs to.
    enum Ceremony: String, Sendable, CaseIterable {
        case registration
        case authentication
        case addPasskey = "add_passkey"
    }

    /// Which of the ceremony's two requests.
    enum Step: String, Sendable, CaseIterable {
        case options
        case finish
    }

    let registry: PrometheusCollectorRegistry

    static var started: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "passkeys", metricName: "ceremonies_started", unitName: "total",
            helpText: "Ceremonies begun: options issued.")
    }
    static var succeeded: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "passkeys", metricName: "ceremonies_succeeded", unitName: "total",
            helpText: "Ceremonies finished with a verified credential.")
    }
    static var failed: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "passkeys", metricName: "ceremonies_failed", unitName: "total",
            helpText: "Ceremony requests refused, by error code.")
    }
    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "passkeys", metricName: "ceremony_request_duration", unitName: "seconds",
            helpText: "Time to answer a ceremony request.")
    }
    static let buckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500),
    ]

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        // Every series exists from the start, so dashboards see zeros rather than gaps.
        for ceremony in Ceremony.allCases {
            _ = registry.makeCounter(descriptor: Self.started, labels: [("ceremony", ceremony.rawValue)])
            _ = registry.makeCounter(descriptor: Self.succeeded, labels: [("ceremony", ceremony.rawValue)])
            for step in Step.allCases {
                _ = registry.makeDurationHistogram(
                    descriptor: Self.duration, labels: [("ceremony", ceremony.rawValue), ("step", step.rawValue)],
                    buckets: Self.buckets)
            }
        }
    }

    func recordStarted(_ ceremony: Ceremony) {
        registry.makeCounter(descriptor: Self.started, labels: [("ceremony", ceremony.rawValue)]).increment()
    }

    func recordSucceeded(_ ceremony: Ceremony) {
        registry.makeCounter(descriptor: Self.succeeded, labels: [("ceremony", ceremony.rawValue)]).increment()
    }

    func recordFailed(_ ceremony: Ceremony, step: Step, code: String) {
        registry.makeCounter(
            descriptor: Self.failed,
            labels: [("ceremony", ceremony.rawValue), ("step", step.rawValue), ("code", code)]
        ).increment()
    }

    func recordDuration(_ ceremony: Ceremony, step: Step, _ duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.duration, labels: [("ceremony", ceremony.rawValue), ("step", step.rawValue)],
            buckets: Self.buckets
        ).record(duration)
    }

    /// The registry in the Prometheus text format.
    func exposition() -> String {
        registry.emitToString()
    }
}
