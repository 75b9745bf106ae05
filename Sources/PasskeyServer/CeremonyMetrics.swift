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
    /// The series every request records, made once: the registry's look-up (a lock and the
    /// labels' key built again) was most of what a request's metrics cost.
    private let startedSeries: [Ceremony: Counter]
    private let succeededSeries: [Ceremony: Counter]
    private let durationSeries: [Ceremony: [Step: DurationHistogram]]

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
        var started: [Ceremony: Counter] = [:]
        var succeeded: [Ceremony: Counter] = [:]
        var durations: [Ceremony: [Step: DurationHistogram]] = [:]
        for ceremony in Ceremony.allCases {
            started[ceremony] = registry.makeCounter(descriptor: Self.started, labels: [("ceremony", ceremony.rawValue)])
            succeeded[ceremony] = registry.makeCounter(descriptor: Self.succeeded, labels: [("ceremony", ceremony.rawValue)])
            for step in Step.allCases {
                durations[ceremony, default: [:]][step] = registry.makeDurationHistogram(
                    descriptor: Self.duration, labels: [("ceremony", ceremony.rawValue), ("step", step.rawValue)],
                    buckets: Self.buckets)
            }
        }
        startedSeries = started
        succeededSeries = succeeded
        durationSeries = durations
    }

    func recordStarted(_ ceremony: Ceremony) {
        startedSeries[ceremony]?.increment()
    }

    func recordSucceeded(_ ceremony: Ceremony) {
        succeededSeries[ceremony]?.increment()
    }

    func recordFailed(_ ceremony: Ceremony, step: Step, code: String) {
        registry.makeCounter(
            descriptor: Self.failed,
            labels: [("ceremony", ceremony.rawValue), ("step", step.rawValue), ("code", code)]
        ).increment()
    }

    func recordDuration(_ ceremony: Ceremony, step: Step, _ duration: Duration) {
        durationSeries[ceremony]?[step]?.record(duration)
    }

    /// The registry in the Prometheus text format.
    func exposition() -> String {
        registry.emitToString()
    }
}
