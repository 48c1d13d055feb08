// SIGINT/SIGTERM: while `up`/`down` apply, the first cancels the run (the engine finishes and journals the call in
// flight) and a second exits at once; anywhere else (planning, status, a prompt) nothing is being changed, so the
// first one exits at once. Always with status 130.
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PrivGW

final class SignalTrap: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var cancel: (@Sendable () -> Void)?
    /// Set while a mutating run is in progress: only then is stopping gracefully worth the wait.
    private var graceful = false
    private let console: Console

    init(console: Console) { self.console = console }

    /// True once a signal arrived: whatever error the work ends with, the command reports an interruption.
    var fired: Bool { lock.withLock { count > 0 } }

    /// Runs `body` in its own task so a signal can cancel it; the handlers live exactly as long as the call.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        lock.withLock { cancel = { task.cancel() } }
        // The signals must be ignored for DispatchSource to see them instead of the default action (terminate).
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { sig -> any DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in self.received() }
            source.resume()
            return source
        }
        defer {
            for s in sources { s.cancel() }
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
            lock.withLock { cancel = nil }
        }
        return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
    }

    /// Runs the mutating part of `up`/`down`: a signal now cancels it instead of exiting, so the engine can
    /// journal the call in flight.
    func gracefully<R>(_ body: () async throws -> R) async rethrows -> R {
        lock.withLock { graceful = true }
        defer { lock.withLock { graceful = false } }
        return try await body()
    }

    private func received() {
        let (n, graceful, cancel) = lock.withLock { () -> (Int, Bool, (@Sendable () -> Void)?) in
            count += 1
            return (count, self.graceful, self.cancel)
        }
        if !graceful {
            console.err("\nInterrupted.")
            Terminal.exit(.interrupted)
        }
        if n >= 2 {
            console.err("\nExiting at once. A call in flight may not be journaled; `privgw up` and `privgw down` "
                        + "find privgw's resources by their tags.")
            Terminal.exit(.interrupted)
        }
        console.err("\nStopping: letting the AWS calls in flight finish and be journaled (Ctrl-C again to quit at once)…")
        cancel?()
    }
}
