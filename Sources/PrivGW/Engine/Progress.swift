// Progress events the runner emits while it works; the CLI renders them as text or JSON lines.
import Foundation

/// Whether a step action belongs to the main run or to the rollback after a failure.
public enum RunPhase: String, Codable, Sendable, Equatable {
    case plan, apply, rollback
}

/// One thing that happened during a run. Emitted from concurrently running steps, in completion order.
public enum ProgressEvent: Sendable {
    case runStarted(command: RunCommand, stack: String, runId: String)
    /// The plan `up`/`down` is about to execute.
    case planned(Plan)
    case stepStarted(step: String, action: PlannedAction, phase: RunPhase)
    /// `duration` in seconds (clock time); `record` is the resource after the action, nil after delete.
    case stepFinished(step: String, action: PlannedAction, phase: RunPhase, duration: Double, record: ResourceRecord?)
    case stepFailed(step: String, action: PlannedAction, phase: RunPhase, error: StepError)
    /// A step is waiting for AWS (e.g. `ALB provisioning`); `elapsed` seconds since the wait began.
    case waiting(step: String, message: String, elapsed: Double)
    /// Rollback of this run's creations begins (step ids in the order they will be deleted, roughly).
    case rollbackStarted(steps: [String])
    /// `step` is nil for run-level warnings (journal repaired, unfinished previous run, ...).
    case warning(step: String?, message: String)
    case runFinished(command: RunCommand, status: RunStatus)
}

/// Receives progress events. Called synchronously from concurrently running steps: implementations must be
/// thread-safe and fast (no blocking I/O beyond writing a line).
public protocol ProgressSink: Sendable {
    func handle(_ event: ProgressEvent)
}

/// Discards all events.
public struct NullProgressSink: ProgressSink {
    public init() {}
    public func handle(_ event: ProgressEvent) {}
}

/// Forwards events to a closure (handy in the CLI and in tests).
public struct ClosureProgressSink: ProgressSink {
    let body: @Sendable (ProgressEvent) -> Void
    public init(_ body: @escaping @Sendable (ProgressEvent) -> Void) { self.body = body }
    public func handle(_ event: ProgressEvent) { body(event) }
}
