import PasskeyClientCore
import Testing

/// Drives the core the way TCA's `TestStore` does: every event sent must be followed by the exact
/// effects it asks for and the exact state it leaves, so nothing changes unasserted.
struct TestStore {
    private(set) var state: State

    init(_ state: State) {
        self.state = state
    }

    mutating func send(
        _ event: Event, effects expected: [Effect], state expectedState: State,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let effects = Auth.update(&state, event)
        #expect(effects == expected, sourceLocation: sourceLocation)
        #expect(state == expectedState, sourceLocation: sourceLocation)
    }

    var view: Auth.ViewModel { Auth.view(state) }
}
