import PasskeyClientCore

/// Runs the core: feeds it events, performs its effects through an ``APITransport`` and a
/// ``PasskeyProvider``, feeds their results back, and publishes the view model after every change.
///
/// ```swift
/// let client = AuthClient(transport: URLSessionTransport(server: url), passkeys: provider)
/// Task { for await model in await client.viewModels() { show(model) } }
/// await client.send(.refresh)
/// ```
///
/// Effects run concurrently; their results come back one at a time through the actor, in the
/// order they finish. A passkey request the core cancels is cancelled as a task, and whatever it
/// still answers is dropped: the core asked for it no longer.
public actor AuthClient {
    /// The core's state now.
    public private(set) var state: Auth.State

    private let transport: any APITransport
    private let passkeys: any PasskeyProvider
    private var subscribers: [Int: AsyncStream<Auth.ViewModel>.Continuation] = [:]
    private var nextID = 0
    /// The create or get request the core waits for, if any.
    private var passkeyRequest: (id: Int, task: Task<Void, Never>)?
    private var effectsInFlight = 0
    private var settledWaiters: [CheckedContinuation<Void, Never>] = []

    public init(state: Auth.State = .initial, transport: any APITransport, passkeys: any PasskeyProvider) {
        self.state = state
        self.transport = transport
        self.passkeys = passkeys
    }

    /// What to show now.
    public var viewModel: Auth.ViewModel { Auth.view(state) }

    /// The view model now, then each one the core renders, until the stream's consumer stops.
    /// A slow consumer sees the newest (older ones are dropped) unless told to buffer them all.
    public func viewModels(
        bufferingPolicy: AsyncStream<Auth.ViewModel>.Continuation.BufferingPolicy = .bufferingNewest(1)
    ) -> AsyncStream<Auth.ViewModel> {
        let (stream, continuation) = AsyncStream.makeStream(of: Auth.ViewModel.self, bufferingPolicy: bufferingPolicy)
        let id = takeID()
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        continuation.yield(viewModel)
        return stream
    }

    /// Sends the person's intent to the core and starts the effects it asks for.
    public func send(_ intent: Auth.ViewEvent) {
        handle(.view(intent))
    }

    /// Returns once no effect is in flight: the core is waiting for the person again.
    public func settled() async {
        guard effectsInFlight > 0 else { return }
        await withCheckedContinuation { settledWaiters.append($0) }
    }

    /// Sends the intent and returns the state once every effect it led to has finished.
    @discardableResult
    public func run(_ intent: Auth.ViewEvent) async -> Auth.State {
        send(intent)
        await settled()
        return state
    }

    // MARK: The loop

    private func handle(_ event: Auth.Event) {
        for effect in Auth.update(&state, event) {
            perform(effect)
        }
    }

    private func perform(_ effect: Auth.Effect) {
        switch effect {
        case .render:
            let model = viewModel
            for continuation in subscribers.values { continuation.yield(model) }
        case .api(let request):
            start { [transport] in
                .api(await transport.perform(request))
            }
        case .passkey(.create(let options)):
            startPasskeyRequest { [passkeys] in
                .passkey(.create(await passkeys.create(options)))
            }
        case .passkey(.get(let options, let mediation)):
            startPasskeyRequest { [passkeys] in
                .passkey(.get(await passkeys.get(options, mediation: mediation)))
            }
        case .passkey(.conditionalCreate):
            // No conditional create here: the automatic upgrade is a browser's, and unanswered it holds nothing up.
            break
        case .passkey(.cancel):
            passkeyRequest?.task.cancel()
            passkeyRequest = nil
        case .passkey(.signalUnknownCredential(let rpID, let credentialID)):
            start { [passkeys] in
                await passkeys.signalUnknownCredential(rpID: rpID, credentialID: credentialID)
                return nil
            }
        case .passkey(.signalAllAcceptedCredentials(let rpID, let userID, let credentialIDs)):
            start { [passkeys] in
                await passkeys.signalAllAcceptedCredentials(rpID: rpID, userID: userID, credentialIDs: credentialIDs)
                return nil
            }
        case .passkey(.signalCurrentUserDetails(let rpID, let userID, let name, let displayName)):
            start { [passkeys] in
                await passkeys.signalCurrentUserDetails(rpID: rpID, userID: userID, name: name, displayName: displayName)
                return nil
            }
        }
    }

    /// Runs an effect; its result, if any, goes back to the core.
    private func start(_ operation: @escaping @Sendable () async -> Auth.Event?) {
        effectsInFlight += 1
        Task {
            let event = await operation()
            self.finish(event)
        }
    }

    /// Runs the one passkey request the core waits for, replacing any earlier one.
    private func startPasskeyRequest(_ operation: @escaping @Sendable () async -> Auth.Event) {
        passkeyRequest?.task.cancel()
        let id = takeID()
        effectsInFlight += 1
        let task = Task {
            let event = await operation()
            self.finishPasskeyRequest(id, event)
        }
        passkeyRequest = (id, task)
    }

    private func finishPasskeyRequest(_ id: Int, _ event: Auth.Event) {
        if passkeyRequest?.id == id {
            passkeyRequest = nil
            finish(event)
        } else {
            finish(nil)
        }
    }

    private func finish(_ event: Auth.Event?) {
        if let event { handle(event) }
        effectsInFlight -= 1
        if effectsInFlight == 0 {
            let waiters = settledWaiters
            settledWaiters = []
            for waiter in waiters { waiter.resume() }
        }
    }

    private func unsubscribe(_ id: Int) {
        subscribers[id] = nil
    }

    private func takeID() -> Int {
        nextID += 1
        return nextID
    }
}
