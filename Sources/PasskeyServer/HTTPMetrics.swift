import Hummingbird
import Prometheus
import Synchronization

/// The series `/metrics` shows for every HTTP request, by route, method and status:
/// `hb_requests`, `hb_request_errors`, `http_server_request_duration` (seconds) and
/// `http_server_active_requests` — the names and labels Hummingbird's metrics middleware gives
/// them, recorded straight into the server's registry (``ServerMiddleware`` records them).
///
/// Labels take only values from bounded sets: a route the router knows (`NotFound` for a path it
/// does not, `Unknown` for a request refused before it was routed), a status code, and a method
/// of the seven the API and the web app use (`_OTHER` for any other), so no client can grow the
/// number of series.
final class HTTPMetrics: Sendable {
    /// The series of one route, method and status.
    struct Series: Sendable {
        let requests: Counter
        let errors: Counter
        let duration: DurationHistogram
    }

    private struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    /// Hummingbird's buckets for request durations (swift-prometheus's default for a timer).
    static let buckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    static var requestsName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "hb", metricName: "requests", unitName: "", helpText: "HTTP requests answered.")
    }
    static var errorsName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "hb", metricName: "request_errors", unitName: "",
            helpText: "HTTP requests a rule or a handler refused with an error.")
    }
    static var durationName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "http_server", metricName: "request_duration", unitName: "",
            helpText: "Time to answer an HTTP request, in seconds.")
    }
    static var activeName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "http_server", metricName: "active_requests", unitName: "",
            helpText: "HTTP requests being answered now.")
    }

    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .patch, .options]
    static let otherMethod = "_OTHER"

    private let registry: PrometheusCollectorRegistry
    private let active: [String: Gauge]
    private let series = Mutex<[Key: Series]>([:])

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        var active: [String: Gauge] = [:]
        for method in Self.methods.map(\.rawValue) + [Self.otherMethod] {
            active[method] = registry.makeGauge(descriptor: Self.activeName, labels: [("http_request_method", method)])
        }
        self.active = active
    }

    /// The label for `method`.
    static func label(_ method: HTTPRequest.Method) -> String {
        methods.contains(method) ? method.rawValue : otherMethod
    }

    /// Counts a request as begun; `finished(…)` counts it as ended.
    func started(method: String) {
        active[method]?.increment()
    }

    /// Records a request's answer: `failed` when a handler or a rule refused it with an error.
    func finished(route: String, method: String, status: Int, duration: Duration, failed: Bool) {
        active[method]?.decrement()
        let series = self.series(Key(route: route, method: method, status: status))
        series.requests.increment()
        series.duration.record(duration)
        if failed { series.errors.increment() }
    }

    private func series(_ key: Key) -> Series {
        if let known = series.withLock({ $0[key] }) { return known }
        // Made outside the lock: the registry takes its own, and returns the same series to a
        // second caller that races this one.
        let labels = [("http_route", key.route), ("http_request_method", key.method)]
        let status = String(key.status)
        let made = Series(
            requests: registry.makeCounter(descriptor: Self.requestsName, labels: labels + [("http_response_status_code", status)]),
            errors: registry.makeCounter(descriptor: Self.errorsName, labels: labels + [("error_type", status)]),
            duration: registry.makeDurationHistogram(
                descriptor: Self.durationName, labels: labels + [("http_response_status_code", status)],
                buckets: Self.buckets))
        series.withLock { $0[key] = made }
        return made
    }
}
