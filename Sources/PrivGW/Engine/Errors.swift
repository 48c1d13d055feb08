// The engine's errors: what failed, where (step, resource), why (the underlying error) and what to do.
import AWSCore
import Foundation

/// Which operation of a step failed.
public enum StepOperation: String, Codable, Sendable, Equatable {
    case find, diff, create, update, delete
}

/// A step failure: wraps the underlying error (often `AWSError`) with the step, resource and a hint.
public struct StepError: Error, Sendable, CustomStringConvertible {
    public var step: String
    public var kind: String
    public var operation: StepOperation
    /// The resource id when known (journaled/found/created record).
    public var resourceId: String?
    public var underlying: any Error
    /// What the user can do; defaults to the underlying AWSError's hint, else a generic resume hint.
    public var hint: String?

    public init(step: String, kind: String, operation: StepOperation, resourceId: String? = nil,
                underlying: any Error, hint: String? = nil) {
        self.step = step
        self.kind = kind
        self.operation = operation
        self.resourceId = resourceId
        // Never nest: a step that rethrows another StepError keeps the innermost cause.
        if let inner = underlying as? StepError {
            self.underlying = inner.underlying
            self.hint = hint ?? inner.hint
        } else {
            self.underlying = underlying
            self.hint = hint
        }
    }

    /// The underlying AWS error, if that is what failed.
    public var awsError: AWSError? { underlying as? AWSError }

    /// Machine-readable code: the AWS error code, else the error type name.
    public var code: String {
        if let aws = awsError { return aws.code }
        if underlying is WaitTimeoutError { return "WaitTimeout" }
        if underlying is CancellationError || underlying is InterruptedError { return "Interrupted" }
        if let ctx = underlying as? StepContextError { return ctx.code }
        return String(describing: type(of: underlying))
    }

    /// The underlying message without the hint (the hint is rendered separately).
    public var message: String {
        if var aws = awsError { aws.hint = nil; return aws.description }
        if underlying is CancellationError { return "interrupted" }
        return String(describing: underlying)
    }

    public var effectiveHint: String {
        if let hint { return hint }
        if let h = awsError?.hint { return h }
        if let w = underlying as? WaitTimeoutError { return w.hint }
        if awsError?.kind == .malformedResponse {
            return "the answer was not AWS's (or was cut short): check any proxy between (HTTPS_PROXY) and the endpoint, "
                + "then run the command again; `privgw up` resumes where it stopped"
        }
        switch operation {
        case .find, .diff:
            return "check the credentials/permissions and region, then run the command again"
        case .create, .update:
            return "fix the cause and run `privgw up` again: it resumes where it stopped and reuses what exists"
        case .delete:
            return "fix the cause (e.g. something outside privgw still uses the \(kind)) and run `privgw down` again"
        }
    }

    public var description: String {
        var s = "step \(step) (\(kind)"
        if let resourceId { s += " \(resourceId)" }
        s += "): \(operation.rawValue) failed: \(message)"
        s += "\n  hint: \(effectiveHint)"
        return s
    }
}

/// Programming or wiring errors a step hits through its context.
public enum StepContextError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The dependency's record is not known (yet): during `plan` this means the dependency will be created first.
    case missingDependency(step: String, dependency: String)
    /// The step asked for a record of a step it does not list in `dependsOn` (a race the runner refuses).
    case undeclaredDependency(step: String, dependency: String)
    case missingAttribute(step: String, kind: String, id: String, key: String)
    case environmentType(expected: String, actual: String)

    public var code: String {
        switch self {
        case .missingDependency: return "MissingDependency"
        case .undeclaredDependency: return "UndeclaredDependency"
        case .missingAttribute: return "MissingAttribute"
        case .environmentType: return "EnvironmentType"
        }
    }

    public var description: String {
        switch self {
        case let .missingDependency(step, dep):
            return "step \(step) needs the resource of step \(dep), which does not exist (yet); run `privgw up` to create it"
        case let .undeclaredDependency(step, dep):
            return "internal error: step \(step) reads the record of step \(dep) but does not list it in dependsOn"
        case let .missingAttribute(step, kind, id, key):
            return "the \(kind) \(id) (step \(step)) has no recorded \(key); run `privgw up` to refresh it"
        case let .environmentType(expected, actual):
            return "internal error: step environment is \(actual), expected \(expected)"
        }
    }
}

/// The run was interrupted (SIGINT / task cancellation) while a step waited; thrown out of `ctx.sleep`/`ctx.poll`.
public struct InterruptedError: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted" }
}

/// A wait (`ctx.poll`) ran out of time.
public struct WaitTimeoutError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What was awaited, e.g. `load balancer lb-123 to become active`.
    public var what: String
    public var step: String
    /// Seconds waited.
    public var waited: Double
    public var hint: String

    public init(what: String, step: String, waited: Double, hint: String? = nil) {
        self.what = what
        self.step = step
        self.waited = waited
        self.hint = hint ?? "AWS may still finish it: run `privgw up` again later to resume (nothing is duplicated), "
            + "or check it in the AWS console"
    }

    public var description: String {
        "timed out after \(Int(waited.rounded()))s waiting for \(what) (step \(step))"
    }
}

/// How a run ended.
public enum RunStatus: String, Codable, Sendable, Equatable {
    case succeeded
    /// A step failed; `noRollback` or nothing to roll back.
    case failed
    /// A step failed and this run's creations were rolled back (see `RunResult.rollback` for leftovers).
    case rolledBack = "rolled-back"
    case interrupted
}

/// What happened to one step in a run.
public struct StepOutcome: Sendable {
    public enum Status: String, Codable, Sendable, Equatable {
        /// The action ran (or needed no call) and was journaled.
        case succeeded
        case failed
        /// Not started: a dependency failed, or the run stopped (failure elsewhere / interrupt).
        case notStarted = "not-started"
    }

    public var step: String
    public var kind: String
    /// The action actually executed (may differ from the plan for `deferred` steps).
    public var action: PlannedAction
    public var status: Status
    /// The record after the action (nil after delete or when not started).
    public var record: ResourceRecord?
    public var duration: Double
    public var error: StepError?

    public init(step: String, kind: String, action: PlannedAction, status: Status, record: ResourceRecord? = nil,
                duration: Double = 0, error: StepError? = nil) {
        self.step = step
        self.kind = kind
        self.action = action
        self.status = status
        self.record = record
        self.duration = duration
        self.error = error
    }
}

/// The result of `up`/`down` (also attached to `RunnerError` when the run failed or was interrupted).
public struct RunResult: Sendable {
    public var command: RunCommand
    public var stack: String
    public var runId: String
    public var status: RunStatus
    /// The plan the run started from.
    public var plan: Plan
    /// One per plan step, in plan order.
    public var outcomes: [StepOutcome]
    /// Deletions done by the rollback after a failure (empty otherwise), in completion order.
    public var rollback: [StepOutcome]
    /// The first step that failed.
    public var failedStep: String?
    public var error: StepError?
    /// Owned resources the journal still records after the run (for `down`/rollback: what is left behind).
    public var remaining: [ResourceRecord]

    public func outcome(_ step: String) -> StepOutcome? { outcomes.first { $0.step == step } }

    private func count(_ a: PlannedAction) -> Int {
        outcomes.filter { $0.status == .succeeded && $0.action == a }.count
    }
    public var createdCount: Int { count(.create) }
    public var adoptedCount: Int { count(.adopt) }
    public var updatedCount: Int { count(.change) }
    public var keptCount: Int { count(.keep) }
    public var deletedCount: Int { count(.delete) }
    public var rolledBackCount: Int { rollback.filter { $0.status == .succeeded && $0.action == .delete }.count }
}

/// Why `up`/`down`/`plan` did not complete.
public enum RunnerError: Error, Sendable, CustomStringConvertible {
    /// A step failed; the result says what was rolled back and what remains.
    case stepFailed(StepError, RunResult)
    /// Interrupted (task cancelled, e.g. SIGINT): calls in flight finished and were journaled, then the run stopped.
    case interrupted(RunResult)
    /// The step list is unusable: duplicate ids, unknown dependency, cycle.
    case invalidSteps(String)
    /// `plan` could not look at live state.
    case planFailed(StepError)

    public var result: RunResult? {
        switch self {
        case let .stepFailed(_, r), let .interrupted(r): return r
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case let .stepFailed(e, r):
            var s = "privgw \(r.command.rawValue) failed at \(e)"
            if !r.rollback.isEmpty {
                s += "\n  rolled back \(r.rolledBackCount) resource(s) created by this run"
            }
            if !r.remaining.isEmpty {
                s += "\n  still present: " + r.remaining.map { "\($0.kind) \($0.id)" }.joined(separator: ", ")
            }
            return s
        case let .interrupted(r):
            var s = "privgw \(r.command.rawValue) interrupted; calls in flight finished and were journaled"
            s += "\n  hint: run `privgw \(r.command.rawValue)` again to continue"
            return s
        case let .invalidSteps(m):
            return "internal error: invalid step graph: \(m)"
        case let .planFailed(e):
            return "could not inspect the live state: \(e)"
        }
    }
}
