import PasskeyClientCore

/// Runs ``Auth/Security`` — the account's sessions and activity — against the server through an
/// ``APITransport``: feeds it intents, performs the requests it asks for (at once, as it asks),
/// and feeds the answers back in the order they come.
///
/// ```swift
/// let security = SecurityClient(transport: transport)
/// let state = await security.run(.load)
/// let view = Auth.Security.view(state, in: .english, utcOffsetMinutes: 60)
/// ```
public actor SecurityClient {
    /// The machine's state now.
    public private(set) var state: Auth.Security.State

    private let transport: any APITransport
    private var inFlight = 0
    private var settledWaiters: [CheckedContinuation<Void, Never>] = []

    public init(state: Auth.Security.State = Auth.Security.State(), transport: any APITransport) {
        self.state = state
        self.transport = transport
    }

    /// Sends the intent and returns the state once every request it led to has been answered.
    @discardableResult
    public func run(_ intent: Auth.Security.Intent) async -> Auth.Security.State {
        handle(.view(intent))
        if inFlight > 0 {
            await withCheckedContinuation { settledWaiters.append($0) }
        }
        return state
    }

    private func handle(_ event: Auth.Security.Event) {
        for effect in Auth.Security.update(&state, event) {
            // The machine asks only for API requests and renders; a command line shows the end state.
            guard case .api(let request) = effect else { continue }
            inFlight += 1
            Task { [transport] in
                let response = await transport.perform(request)
                self.answer(response)
            }
        }
    }

    private func answer(_ response: Auth.APIResponse) {
        inFlight -= 1
        handle(.api(response))
        if inFlight == 0 {
            let waiters = settledWaiters
            settledWaiters = []
            for waiter in waiters { waiter.resume() }
        }
    }
}
