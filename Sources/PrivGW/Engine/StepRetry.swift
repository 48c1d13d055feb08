// Step-level retry of transient failures: the engine, not the user, carries a run across an AWS hiccup that
// outlasted the call's own retries.
//
// Why here and not only in AWSClient: the standard retry mode makes at most 3 attempts per call, and repeats a
// call after an ambiguous failure (5xx, reset, timeout: it may have taken effect) only when the call is
// idempotent. Under sustained throttling some calls still fail 3 times (at 30% faulted, 2.7% of calls), and a
// non-idempotent create (CreateSecurityGroup, CreateListener, CreateRestApi, ...) that got a 500 fails at once.
// Raising max attempts would hide that and repeat non-idempotent calls blindly. Instead, a step whose failure is
// transient is run again from the top after a back-off: `find` first, so what the failed attempt made is found
// (by journal fact, idempotency token or tags) and adopted or completed (`diff`/`update`), never made twice;
// deletes are safe to repeat (gone is success). Calls keep the standard mode's budget; only the step repeats.
// Errors that are not transient (AccessDenied, validation, quotas, a garbled 2xx) stop the run at once.
import AWSCore
import Foundation

/// How often and how patiently a step is re-run after a transient failure.
public struct StepRetryPolicy: Sendable, Equatable {
    /// Runs of one step in total, the first included.
    public var attempts: Int
    /// Back-off before re-run n+1: `base * 2^(n-1)`, at most `maxDelay`, with ±50% jitter.
    public var baseDelay: Double
    public var maxDelay: Double

    public init(attempts: Int = 5, baseDelay: Double = 0.5, maxDelay: Double = 10) {
        self.attempts = max(1, attempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public static let standard = StepRetryPolicy()

    public func delay(afterAttempt attempt: Int) -> Double {
        let d = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        return d * Double.random(in: 0.5...1.5)
    }

    /// True when `error` (an AWS error, possibly inside a StepError) is throttling, a 5xx, a reset or a timeout:
    /// worth running the step again. Never for interrupts, wait timeouts, or anything AWS refused for a reason.
    public static func isTransient(_ error: any Error) -> Bool {
        if let step = error as? StepError { return isTransient(step.underlying) }
        if let runner = error as? RunnerError, case let .planFailed(e) = runner { return isTransient(e) }
        guard let aws = error as? AWSError else { return false }
        switch RetryClassifier.classify(aws) {
        case .retrySafe, .retryIfIdempotent: return true
        case .doNotRetry, .refreshCredentials: return false
        }
    }
}

extension Runner {
    /// Whether to run a step again after `error` on its `attempt`-th run, and if so announces it and waits the
    /// back-off. False (do not retry) when the error is not transient, the attempts are used up, or the run is
    /// interrupted (also during the wait).
    func retryStep(_ step: String, after error: any Error, attempt: Int, what: String, control: RunControl) async -> Bool {
        let policy = stepRetry
        guard attempt < policy.attempts, StepRetryPolicy.isTransient(error), !control.isInterrupted else { return false }
        let code = (error as? StepError)?.code ?? (error as? AWSError)?.code ?? "error"
        sink.handle(.warning(step: step, message: "\(what) hit a transient AWS error (\(code)); "
            + "running the step again (attempt \(attempt + 1) of \(policy.attempts))"))
        var remaining = policy.delay(afterAttempt: attempt)
        while remaining > 1e-9 {
            if control.isInterrupted || Task.isCancelled { return false }
            let slice = min(remaining, 1)
            do { try await clock.sleep(seconds: slice) } catch { return false }
            remaining -= slice
        }
        return !control.isInterrupted
    }

    /// Runs `body` (a read-only find/diff) again after transient failures, as `retryStep` decides.
    func retryingTransient<T>(_ step: String, what: String, control: RunControl,
                              _ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch {
                guard await retryStep(step, after: error, attempt: attempt, what: what, control: control) else { throw error }
                attempt += 1
            }
        }
    }
}

extension Runner {
    /// The step-level retry policy of this runner's runs.
    var stepRetry: StepRetryPolicy { .standard }
}
