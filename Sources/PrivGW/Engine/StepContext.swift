// StepContext: everything a step may use — stack name, its dependencies' records, the concrete layer's
// environment (AWS clients + spec), progress/warnings, journal facts, and interrupt-aware waits.
import Foundation

/// Given to every `Step` call. Immutable apart from `remember`ed facts; one context per step action.
///
/// `Environment` is whatever the concrete layer needs (e.g. a struct of AWS clients and the parsed spec);
/// the engine never looks inside it.
public final class StepContext<Environment: Sendable>: Sendable {
    public let stackName: String
    /// The id of the step this context was made for.
    public let stepId: String
    public let environment: Environment
    /// The idempotency token of this step's unfinished create (journal intent without `done`), if any.
    /// `find` should look for a resource carrying it before reporting "not found".
    public let pendingToken: String?
    public let clock: any EngineClock
    /// Waiting/warning reporter bound to this step.
    public let progress: StepProgress

    private let dependsOn: Set<String>
    private let records: [String: ResourceRecord]
    /// Dependencies whose record this context was asked for (present or not).
    private let consulted = Locked(Set<String>())
    private let facts: Locked<[String: String]>
    private let journal: Journal?
    private let control: RunControl

    /// For tests of concrete steps: no journal (facts stay in memory), nothing interrupts.
    /// `dependsOn` nil means "any step in `records`".
    public convenience init(stackName: String, step: String, environment: Environment,
                            records: [String: ResourceRecord] = [:], dependsOn: [String]? = nil,
                            pendingToken: String? = nil, facts: [String: String] = [:],
                            clock: any EngineClock = SystemClock(), progress: any ProgressSink = NullProgressSink()) {
        self.init(stackName: stackName, step: step, environment: environment, records: records,
                  dependsOn: dependsOn ?? Array(records.keys), pendingToken: pendingToken, facts: facts,
                  clock: clock, sink: progress, journal: nil, control: RunControl())
    }

    init(stackName: String, step: String, environment: Environment, records: [String: ResourceRecord],
         dependsOn: [String], pendingToken: String?, facts: [String: String], clock: any EngineClock,
         sink: any ProgressSink, journal: Journal?, control: RunControl) {
        self.stackName = stackName
        self.stepId = step
        self.environment = environment
        self.records = records
        self.dependsOn = Set(dependsOn)
        self.pendingToken = pendingToken
        self.facts = Locked(facts)
        self.clock = clock
        self.progress = StepProgress(step: step, sink: sink)
        self.journal = journal
        self.control = control
    }

    /// The record of a step this step depends on. Throws `StepContextError.missingDependency` when that
    /// resource does not exist (yet) and `.undeclaredDependency` when `dependsOn` does not list it.
    public func record(of step: String) throws -> ResourceRecord {
        guard dependsOn.contains(step) else {
            throw StepContextError.undeclaredDependency(step: stepId, dependency: step)
        }
        consulted.withLock { _ = $0.insert(step) }
        guard let r = records[step] else {
            throw StepContextError.missingDependency(step: stepId, dependency: step)
        }
        return r
    }

    /// Like `record(of:)` but nil when the dependency's resource does not exist.
    public func optionalRecord(of step: String) throws -> ResourceRecord? {
        guard dependsOn.contains(step) else {
            throw StepContextError.undeclaredDependency(step: stepId, dependency: step)
        }
        consulted.withLock { _ = $0.insert(step) }
        return records[step]
    }

    /// The dependencies whose records `record(of:)`/`optionalRecord(of:)` were asked for so far: what a `find` or
    /// `diff` result depends on. The planner re-checks a step before running it only when one of these changes.
    var consultedDependencies: Set<String> { consulted.current }

    /// A fact this step `remember`ed (in this or an earlier run) since its resource was last deleted.
    public func fact(_ key: String) -> String? { facts.withLock { $0[key] } }

    /// Journals a fact about this step right away (e.g. an id returned by a create call, before a long wait),
    /// so a resumed run can find the resource even if the process dies before `done`.
    public func remember(_ key: String, _ value: String) async throws {
        facts.withLock { $0[key] = value }
        try await journal?.append(.fact(step: stepId, key: key, value: value))
    }

    /// True once the run is interrupted; long step logic may check it between calls.
    public var isInterrupted: Bool { control.isInterrupted || Task.isCancelled }

    /// Throws `InterruptedError` once the run is interrupted.
    public func checkInterrupted() throws {
        if isInterrupted { throw InterruptedError() }
    }

    /// Sleeps on the injected clock, in slices of at most a second so an interrupt stops the wait promptly.
    /// Mutating calls are never interrupted: only waits are.
    public func sleep(seconds: Double) async throws {
        var remaining = seconds
        repeat {
            try checkInterrupted()
            let slice = min(remaining, 1)
            do { try await clock.sleep(seconds: slice) } catch is CancellationError { throw InterruptedError() }
            remaining -= slice
        } while remaining > 1e-9
    }

    /// Checks `check` at once, then after `schedule.first` seconds, then with intervals growing by
    /// `schedule.factor` up to `schedule.max` (each jittered, never above the cap), until it returns true. Reports
    /// each wait as progress. Throws `WaitTimeoutError` naming `what` (e.g. "load balancer lb-1 to become active")
    /// after `schedule.timeout`, `InterruptedError` on interrupt, and whatever `check` throws.
    ///
    /// `checkAtOnce: false` when the caller has just learned the state (the create call's answer, or the describe
    /// that found the resource not ready): that answer counts as the first check, so the first call is made after
    /// `schedule.first` instead of repeating it at once.
    public func poll(what: String, schedule: PollSchedule = .standard, hint: String? = nil, checkAtOnce: Bool = true,
                     check: () async throws -> Bool) async throws {
        let start = clock.now()
        var checks = 0
        func wait(afterCheck n: Int, elapsed: Double) async throws {
            var delay = schedule.interval(afterCheck: n)
            if schedule.jitter > 0 {
                // Only ever shorter: the cap stays a bound on how late a ready resource is noticed.
                delay *= 1 - Double.random(in: 0...schedule.jitter)
            }
            // Never sleep past the deadline: the last check happens exactly at the timeout.
            delay = max(0, min(delay, schedule.timeout - elapsed))
            progress.waiting(what, elapsed: elapsed)
            try await sleep(seconds: delay)
        }
        if !checkAtOnce {
            checks = 1
            try checkInterrupted()
            try await wait(afterCheck: 1, elapsed: 0)
        }
        while true {
            try checkInterrupted()
            checks += 1
            if try await check() { return }
            let elapsed = clock.now() - start
            if elapsed >= schedule.timeout - 1e-9 {
                throw WaitTimeoutError(what: what, step: stepId, waited: elapsed, hint: hint)
            }
            try await wait(afterCheck: checks, elapsed: elapsed)
        }
    }
}

/// Progress reporting bound to one step.
public struct StepProgress: Sendable {
    public let step: String
    let sink: any ProgressSink

    /// "Still waiting for <message>", `elapsed` seconds into the wait.
    public func waiting(_ message: String, elapsed: Double) {
        sink.handle(.waiting(step: step, message: message, elapsed: elapsed))
    }

    /// Something the user should know that does not stop the step.
    public func warning(_ message: String) {
        sink.handle(.warning(step: step, message: message))
    }
}
