// Step: the contract between the engine and one concrete AWS resource (find, diff, create, update, delete).
import Foundation

/// One resource of the stack. The engine calls these; it never talks to AWS itself.
///
/// Rules the runner relies on:
/// - `find` and `diff` make no mutating calls (they run for `plan`/`status`).
/// - `find` first verifies `journaled` (still exists?), then falls back to ownership tags and to
///   `ctx.pendingToken` (an unfinished earlier create's idempotency token); nil means "does not exist".
///   It may throw `StepContextError.missingDependency` (via `ctx.record(of:)`): during planning that means
///   "a dependency is created first", and the runner looks again once it exists.
/// - `create` uses `token` as the API idempotency token where there is one (32 lowercase hex chars: fits
///   EC2 ClientToken, ACM IdempotencyToken (\w{1,32}), Route 53 CallerReference) and tags the resource so
///   `find` can discover it without the journal. It returns once the resource is usable (`ctx.poll`).
///   Call `ctx.remember` with the new id right after the create call if a long wait follows.
/// - `delete` treats "already gone" as success (an `AWSError.isNotFound` escaping it is also accepted)
///   and returns once dependents' deletions can proceed (e.g. waits until the load balancer is gone).
///   It is only called for records with `owned == true`.
/// - Records returned must describe this step's resource; the runner sets `step` to the step's id.
public protocol Step<Environment>: Sendable {
    associatedtype Environment: Sendable

    /// Unique within the stack, e.g. `alb`.
    var id: String { get }
    /// Human resource type, e.g. `load balancer`.
    var kind: String { get }
    /// Ids of the steps whose records this step reads; they are created before and deleted after it.
    var dependsOn: [String] { get }

    /// Finds the live resource. No mutating calls.
    func find(_ ctx: StepContext<Environment>, journaled: ResourceRecord?) async throws -> ResourceRecord?
    /// Converge check for an existing resource: nil when up to date, else what differs (shown in the plan).
    /// No mutating calls. Default: never differs.
    func diff(_ ctx: StepContext<Environment>, existing: ResourceRecord) async throws -> String?
    /// Creates the resource and waits until it is usable.
    func create(_ ctx: StepContext<Environment>, token: String) async throws -> ResourceRecord
    /// Applies the change `diff` described. Default: throws (a step with a `diff` must implement it).
    func update(_ ctx: StepContext<Environment>, existing: ResourceRecord) async throws -> ResourceRecord
    /// Deletes an owned resource; already gone is success.
    func delete(_ ctx: StepContext<Environment>, record: ResourceRecord) async throws
}

extension Step {
    public func diff(_ ctx: StepContext<Environment>, existing: ResourceRecord) async throws -> String? { nil }

    public func update(_ ctx: StepContext<Environment>, existing: ResourceRecord) async throws -> ResourceRecord {
        throw StepUnsupportedError(step: id, operation: "update")
    }
}

/// A step was asked to do something it does not implement.
public struct StepUnsupportedError: Error, Sendable, CustomStringConvertible {
    public var step: String
    public var operation: String
    public var description: String { "internal error: step \(step) cannot \(operation)" }
}
