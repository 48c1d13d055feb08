// A tiny lock-protected box: shared mutable state the runner needs from synchronous, concurrent code.
import Foundation

/// NSLock-based because `Synchronization.Mutex` needs macOS 15 and the package targets macOS 13.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    var current: Value { withLock { $0 } }
}

/// Set once when the run is interrupted (SIGINT → task cancellation); read by the scheduler and by waits.
final class RunControl: Sendable {
    private let flag = Locked(false)
    init() {}
    var isInterrupted: Bool { flag.current }
    func interrupt() { flag.withLock { $0 = true } }
}
