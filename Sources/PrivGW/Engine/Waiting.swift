// Time for waits: the clock abstraction (so tests never sleep) and the poll backoff schedule.
import Foundation

/// Monotonic time and sleeping. Inject `VirtualClock` in tests.
public protocol EngineClock: Sendable {
    /// Seconds since an arbitrary fixed origin; only differences matter.
    func now() -> Double
    /// Sleeps; throws `CancellationError` if the task is cancelled.
    func sleep(seconds: Double) async throws
}

/// The real clock.
public struct SystemClock: EngineClock {
    private let origin = ContinuousClock.now
    public init() {}
    public func now() -> Double {
        let d = ContinuousClock.now - origin
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
    }
}

/// The real clock with time running `factor` times faster: sleeps last `seconds / factor`, `now()` is the real
/// elapsed time times `factor`. Only for the benchmark (`PRIVGW_BENCH_TIME_SCALE`), which divides the real-AWS
/// readiness times by the same factor: poll schedules, timeouts and progress then behave as on AWS, just faster.
public struct ScaledClock: EngineClock {
    public let factor: Double
    private let base = SystemClock()
    public init(factor: Double) { self.factor = factor }
    public func now() -> Double { base.now() * factor }
    public func sleep(seconds: Double) async throws { try await base.sleep(seconds: seconds / factor) }
}

/// A clock whose `sleep` returns at once and advances virtual time: tests of waits run instantly.
public final class VirtualClock: EngineClock {
    private let state = Locked((now: 0.0, sleeps: [Double]()))
    public init(start: Double = 0) { state.withLock { $0.now = start } }
    public func now() -> Double { state.current.now }
    public func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        state.withLock { $0.now += max(0, seconds); $0.sleeps.append(seconds) }
        await Task.yield()
    }
    /// Every sleep requested so far, in seconds.
    public var sleeps: [Double] { state.current.sleeps }
    public func advance(_ seconds: Double) { state.withLock { $0.now += seconds } }
}

/// How `ctx.poll` spaces its checks: a short first wait, then capped exponential backoff with jitter.
public struct PollSchedule: Sendable, Equatable {
    /// Seconds before the second check (the first check is immediate).
    public var first: Double
    /// Growth of the interval after each check.
    public var factor: Double
    /// Cap on the interval.
    public var max: Double
    /// Give up after this many seconds.
    public var timeout: Double
    /// Random spread of each interval, as a fraction (0.2 = up to 20% shorter, never longer: the cap stays a bound
    /// on how late a ready resource is noticed), so concurrent waits don't poll in lockstep.
    public var jitter: Double

    public init(first: Double, factor: Double = 1.5, max: Double, timeout: Double, jitter: Double = 0.2) {
        self.first = first
        self.factor = factor
        self.max = max
        self.timeout = timeout
        self.jitter = jitter
    }

    /// Typical resource state transition (endpoints, ENIs): 10 minutes.
    public static let standard = PollSchedule(first: 2, factor: 1.5, max: 15, timeout: 600)
    /// Slow ones (load balancers, certificate validation): 20 minutes.
    public static let slow = PollSchedule(first: 5, factor: 1.5, max: 30, timeout: 1200)

    /// The un-jittered interval before check number `n + 1` (n ≥ 1).
    public func interval(afterCheck n: Int) -> Double {
        Swift.min(max, first * pow(factor, Double(Swift.max(0, n - 1))))
    }
}
