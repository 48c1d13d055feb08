// The runner: plans and executes up/down over the step graph — journaled, locked, bounded-parallel, with rollback.
import AWSCore
import Foundation

/// Runs a stack's steps. One instance per command invocation; `plan` reads only, `up`/`down` hold the lock.
///
/// `up`: plan (find/diff every step, dependencies first), then execute exactly the plan's actions with up to
/// `maxParallel` steps in flight; a step starts when all its dependencies succeeded. Steps marked `deferred`
/// (a dependency is created/changed first) are looked at again just before they run. On failure nothing new
/// starts, in-flight steps finish and are journaled, then (unless `noRollback`) what this run created is
/// deleted in reverse dependency order.
///
/// `down`: plan (find every step with its journaled record; without a journal steps discover by tags), then
/// delete owned resources dependents-first, concurrently where independent; a step whose dependents could
/// not be deleted is left alone, independent branches carry on.
///
/// Interrupt: cancel the task running `up`/`down` (the CLI does this on SIGINT). Mutating calls in flight
/// are not cancelled — they finish and are journaled; waits (`ctx.poll`/`ctx.sleep`) stop early; then the
/// run throws `RunnerError.interrupted`. No rollback after an interrupt: run `up` to resume or `down` to remove.
public final class Runner<Environment: Sendable>: Sendable {
    public let stackName: String
    public let stateDirectory: String
    /// privgw's version, written into each run-start record.
    public let version: String
    public let environment: Environment
    let steps: [String: any Step<Environment>]
    let graph: StepGraph
    let clock: any EngineClock
    let sink: any ProgressSink

    /// Throws `RunnerError.invalidSteps` for duplicate ids, unknown dependencies or cycles.
    public init(stackName: String, steps: [any Step<Environment>], environment: Environment,
                stateDirectory: String = StateDirectory.defaultPath, version: String,
                clock: any EngineClock = SystemClock(), progress: any ProgressSink = NullProgressSink()) throws {
        self.stackName = stackName
        self.stateDirectory = stateDirectory
        self.version = version
        self.environment = environment
        self.graph = try StepGraph(steps.map { (id: $0.id, dependsOn: $0.dependsOn) })
        self.steps = Dictionary(uniqueKeysWithValues: steps.map { ($0.id, $0) })
        self.clock = clock
        self.sink = progress
    }

    public var journalPath: String { Journal.path(stateDirectory: stateDirectory, stack: stackName) }
    public var lockPath: String { StateLock.path(stateDirectory: stateDirectory, stack: stackName) }
    /// Step ids in dependency order.
    public var stepOrder: [String] { graph.order }

    /// The journal replayed (read-only, no lock): what privgw believes exists.
    public func journalState() throws -> JournalState {
        try Journal.load(path: journalPath).state
    }

    // MARK: - plan

    /// A dry run: reads the journal and live state (find/diff only), changes nothing, takes no lock.
    /// `plan(.up)` also serves `status`: keep = present, change = drifted, create = missing, adopt = untracked.
    public func plan(_ command: RunCommand, maxParallel: Int = 4) async throws -> Plan {
        try await planBasis(command, maxParallel: maxParallel).plan
    }

    /// `plan`, keeping the journal state it was made from: `up`/`down` given it (`reusing:`) execute it as is when
    /// the journal has not changed since (checked under the lock), instead of asking AWS the same questions again.
    public func planBasis(_ command: RunCommand, maxParallel: Int = 4) async throws -> PlanBasis {
        let (state, warnings) = try Journal.load(path: journalPath)
        let control = RunControl()
        return try await withTaskCancellationHandler {
            let raw: Plan
            do {
                raw = try await computePlan(command, state: state, maxParallel: maxParallel, control: control)
            } catch is PlanInterrupted {
                throw CancellationError()
            }
            return PlanBasis(raw: raw, state: state, loadWarnings: warnings)
        } onCancel: {
            control.interrupt()
        }
    }

    /// The plan `up`/`down` would compute under the lock, if the journal still is `state`.
    func reusable(_ basis: PlanBasis?, _ command: RunCommand, session: Session) -> Plan? {
        guard let basis, basis.raw.command == command, basis.state == session.priorState else { return nil }
        return basis.raw
    }

    struct PlanInterrupted: Error {}

    func computePlan(_ command: RunCommand, state: JournalState, maxParallel: Int,
                     control: RunControl) async throws -> Plan {
        let planned = Locked([String: PlannedStep]())
        let errors = Locked([String: StepError]())
        let report = await DAGScheduler.run(
            order: graph.order, prerequisites: graph.dependencies, maxParallel: maxParallel, stopOnFailure: true,
            control: control
        ) { [self] id in
            let step = steps[id]!
            let known = planned.current
            var records: [String: ResourceRecord] = [:]
            var deferredBy: [String] = []
            for d in step.dependsOn {
                let p = known[d]
                switch command {
                case .up:
                    if let r = p?.record, p?.action != .create { records[d] = r }
                    if let p, p.action == .create || p.action == .change || p.deferred { deferredBy.append(d) }
                case .down:
                    if let r = p?.record ?? state.records[d] { records[d] = r }
                }
            }
            let ctx = context(step, records: records, state: state, journal: nil, control: control)
            do {
                var p: PlannedStep
                p = try await retryingTransient(id, what: "looking it up", control: control) {
                    switch command {
                    case .up: return try await decideUp(step, ctx: ctx, state: state)
                    case .down: return try await decideDown(step, ctx: ctx, state: state)
                    }
                }
                p.dependsOn = step.dependsOn
                // Only a dependency the step's find/diff looked at can change its decision: re-checking for the
                // others would ask AWS the same question twice.
                let consulted = ctx.consultedDependencies
                deferredBy.removeAll { !consulted.contains($0) }
                if !deferredBy.isEmpty {
                    p.deferred = true
                    let note = "re-checked after \(deferredBy.joined(separator: ", "))"
                    p.detail = p.detail.isEmpty ? note : "\(p.detail); \(note)"
                }
                planned.withLock { $0[id] = p }
                return true
            } catch {
                errors.withLock { $0[id] = error as? StepError ?? StepError(step: id, kind: step.kind, operation: .find, underlying: error) }
                return false
            }
        }
        if let id = report.completion.first(where: { errors.current[$0] != nil }) {
            throw RunnerError.planFailed(errors.current[id]!)
        }
        if report.interrupted { throw PlanInterrupted() }
        let byId = planned.current
        let order = command == .up ? graph.order : graph.order.reversed()
        var warnings: [String] = []
        if let run = state.unfinishedRun {
            warnings.append("the previous run (\(run.command), run \(run.id), pid \(run.pid)) did not finish; "
                + "this run resumes from its journal")
        }
        let unknown = Set(state.records.keys).union(state.pendingIntents.keys).subtracting(graph.order).sorted()
        for s in unknown {
            let what = state.records[s].map { "\($0.kind) \($0.id)" } ?? "an unfinished \(state.pendingIntents[s]!.action.rawValue)"
            warnings.append("the journal records \(what) for step \(s), which this stack no longer has; privgw leaves it alone")
        }
        return Plan(command: command, stack: stackName, steps: order.map { byId[$0]! }, warnings: warnings)
    }

    /// find → adopt/keep/change, or create. No mutating calls.
    func decideUp(_ step: any Step<Environment>, ctx: StepContext<Environment>, state: JournalState) async throws -> PlannedStep {
        let journaled = state.records[step.id]
        let pending = state.pendingIntents[step.id]
        let resumeToken = pending?.action == .create ? pending?.token : nil
        let found: ResourceRecord?
        do {
            found = try await step.find(ctx, journaled: journaled).map { normalize($0, step) }
        } catch StepContextError.missingDependency(_, let dep) {
            return PlannedStep(step: step.id, kind: step.kind, action: .create, detail: "after \(dep) is created",
                               journaled: journaled, resumeToken: resumeToken, deferred: true)
        } catch {
            throw StepError(step: step.id, kind: step.kind, operation: .find, resourceId: journaled?.id, underlying: error)
        }
        guard let found else {
            let detail: String
            if let resumeToken { detail = "resumes an unfinished create (same idempotency token \(resumeToken))" }
            else if let journaled { detail = "journaled \(journaled.id) no longer exists; will be created again" }
            else { detail = "does not exist" }
            return PlannedStep(step: step.id, kind: step.kind, action: .create, detail: detail, journaled: journaled,
                               resumeToken: resumeToken)
        }
        let change: String?
        do {
            change = try await step.diff(ctx, existing: found)
        } catch StepContextError.missingDependency(_, let dep) {
            change = nil
            return PlannedStep(step: step.id, kind: step.kind, action: journaled?.id == found.id ? .keep : .adopt,
                               resourceId: found.id, detail: "exists; compared after \(dep) is created",
                               record: found, journaled: journaled, deferred: true)
        } catch {
            throw StepError(step: step.id, kind: step.kind, operation: .diff, resourceId: found.id, underlying: error)
        }
        if let change {
            return PlannedStep(step: step.id, kind: step.kind, action: .change, resourceId: found.id, detail: change,
                               record: found, journaled: journaled)
        }
        if journaled?.id == found.id {
            return PlannedStep(step: step.id, kind: step.kind, action: .keep, resourceId: found.id, detail: "exists",
                               record: found, journaled: journaled)
        }
        let detail: String
        if !found.owned { detail = "user-provided; used as is and never deleted" }
        else if pending?.action == .create { detail = "created by an unfinished earlier run; recorded now" }
        else { detail = "exists (found by privgw's tags) but was not in the journal; recorded now" }
        return PlannedStep(step: step.id, kind: step.kind, action: .adopt, resourceId: found.id, detail: detail,
                           record: found, journaled: journaled)
    }

    /// find → delete (owned) or none. No mutating calls.
    func decideDown(_ step: any Step<Environment>, ctx: StepContext<Environment>, state: JournalState) async throws -> PlannedStep {
        let journaled = state.records[step.id]
        let found: ResourceRecord?
        do {
            found = try await step.find(ctx, journaled: journaled).map { normalize($0, step) }
        } catch StepContextError.missingDependency(_, let dep) {
            if let journaled, journaled.owned {
                // Cannot verify without the dependency: try the delete, which treats "gone" as success.
                return PlannedStep(step: step.id, kind: step.kind, action: .delete, resourceId: journaled.id,
                                   detail: "journaled (could not verify: \(dep) not found)", record: journaled, journaled: journaled)
            }
            return PlannedStep(step: step.id, kind: step.kind, action: .none, resourceId: journaled?.id,
                               detail: "nothing to look for: \(dep) does not exist", journaled: journaled)
        } catch {
            throw StepError(step: step.id, kind: step.kind, operation: .find, resourceId: journaled?.id, underlying: error)
        }
        guard let found else {
            return PlannedStep(step: step.id, kind: step.kind, action: .none, resourceId: journaled?.id,
                               detail: journaled == nil ? "does not exist" : "already gone", journaled: journaled)
        }
        guard found.owned else {
            return PlannedStep(step: step.id, kind: step.kind, action: .none, resourceId: found.id,
                               detail: "user-provided; never deleted", record: found, journaled: journaled)
        }
        return PlannedStep(step: step.id, kind: step.kind, action: .delete, resourceId: found.id,
                           detail: journaled == nil ? "found by privgw's tags" : "", record: found, journaled: journaled)
    }

    // MARK: - up

    public func up(maxParallel: Int = 4, noRollback: Bool = false, rebuildJournal: Bool = false,
                   reusing basis: PlanBasis? = nil) async throws -> RunResult {
        let control = RunControl()
        return try await withTaskCancellationHandler {
            try await runUp(maxParallel: maxParallel, noRollback: noRollback, rebuildJournal: rebuildJournal, basis: basis,
                            control: control)
        } onCancel: {
            control.interrupt()
        }
    }

    func runUp(maxParallel: Int, noRollback: Bool, rebuildJournal: Bool, basis: PlanBasis? = nil,
               control: RunControl) async throws -> RunResult {
        let session = try await openSession(.up, rebuildJournal: rebuildJournal)
        defer { session.lock.release() }
        let journal = session.journal

        let plan: Plan
        do {
            if !rebuildJournal, let shown = reusable(basis, .up, session: session) {
                plan = shown
            } else {
                plan = try await computePlan(.up, state: session.priorState, maxParallel: maxParallel, control: control)
            }
        } catch is PlanInterrupted {
            return try await finish(session, plan: Plan(command: .up, stack: stackName, steps: []), outcomes: [:],
                                    rollback: [], status: .interrupted, error: nil)
        } catch {
            _ = try? await journal.append(.runEnd(result: RunStatus.failed.rawValue))
            throw error
        }
        for w in plan.warnings { sink.handle(.warning(step: nil, message: w)) }
        sink.handle(.planned(plan))

        let outcomes = Locked([String: StepOutcome]())
        let created = Locked([String: ResourceRecord]())
        let failedCreates = Locked([String: String]())
        let report = await DAGScheduler.run(
            order: graph.order, prerequisites: graph.dependencies, maxParallel: maxParallel, stopOnFailure: true,
            control: control
        ) { [self] id in
            var planned = plan.step(id)!
            // A `create` deferred by dependencies that this run has just made from scratch needs no second look:
            // nothing can hang off a brand-new resource (no listener on a new load balancer, no mapping on a new
            // domain name), so `find` would ask AWS a question whose answer is known. (A retry looks again.)
            if planned.deferred, planned.action == .create, planned.resumeToken == nil {
                let fresh = created.current
                let changing = steps[id]!.dependsOn.filter { d in
                    guard let s = plan.step(d) else { return false }
                    return s.action == .create || s.action == .change || s.deferred
                }
                if changing.allSatisfy({ fresh[$0] != nil && plan.step($0)?.resumeToken == nil }) { planned.deferred = false }
            }
            let outcome = await applyUp(planned, journal: journal, control: control,
                                        created: created, failedCreates: failedCreates)
            outcomes.withLock { $0[id] = outcome }
            return outcome.status == .succeeded
        }

        let firstFailure = report.completion.compactMap { outcomes.current[$0]?.error }.first
        var rollback: [StepOutcome] = []
        var status: RunStatus = .succeeded
        // An interrupt that arrives after the last step finished changes nothing: the run succeeded.
        if report.interrupted || (control.isInterrupted && firstFailure != nil) {
            status = .interrupted
        } else if firstFailure != nil {
            status = .failed
            if !noRollback {
                let targets = created.current.mapValues { Optional($0) }
                    .merging(failedCreates.current.mapValues { _ in nil }) { a, _ in a }
                if !targets.isEmpty {
                    rollback = await self.rollback(targets, tokens: failedCreates.current, journal: journal,
                                                   maxParallel: maxParallel, control: control)
                    status = control.isInterrupted ? .interrupted : .rolledBack
                }
            }
        }
        return try await finish(session, plan: plan, outcomes: outcomes.current, rollback: rollback, status: status,
                                error: firstFailure)
    }

    /// Executes one planned step of `up` (re-deciding it first when deferred) and journals it. A transient failure
    /// runs the step again from `find` (StepRetry.swift), so what the failed attempt made is adopted, not repeated.
    func applyUp(_ planned: PlannedStep, journal: Journal, control: RunControl,
                 created: Locked<[String: ResourceRecord]>, failedCreates: Locked<[String: String]>) async -> StepOutcome {
        var p = planned
        var attempt = 1
        while true {
            let (outcome, error) = await applyUpOnce(p, journal: journal, control: control, created: created,
                                                     failedCreates: failedCreates)
            guard let error else { return outcome }
            guard await retryStep(p.step, after: error, attempt: attempt, what: "\(outcome.action.rawValue) of the \(p.kind)",
                                  control: control) else {
                sink.handle(.stepFailed(step: p.step, action: outcome.action, phase: .apply, error: error))
                return outcome
            }
            attempt += 1
            p.deferred = true  // look again: the failed attempt may have made (part of) the resource
        }
    }

    /// One run of a step for `up`; returns the outcome and, when it failed, the error (reported by the caller).
    func applyUpOnce(_ planned: PlannedStep, journal: Journal, control: RunControl,
                     created: Locked<[String: ResourceRecord]>, failedCreates: Locked<[String: String]>) async -> (StepOutcome, StepError?) {
        let step = steps[planned.step]!
        let start = clock.now()
        var p = planned
        var token: String?
        do {
            let state = await journal.state
            if p.deferred {
                p = try await decideUp(step, ctx: context(step, records: state.records, state: state, journal: nil, control: control),
                                       state: state)
            }
            if p.action == .keep, let r = p.record, r == p.journaled {
                // Nothing to do and nothing new to record.
                return (StepOutcome(step: step.id, kind: step.kind, action: .keep, status: .succeeded, record: r), nil)
            }
            sink.handle(.stepStarted(step: step.id, action: p.action, phase: .apply))
            var ctx = context(step, records: state.records, state: state, journal: journal, control: control)
            let record: ResourceRecord
            switch p.action {
            case .create:
                let t = p.resumeToken ?? Runner.newToken()
                token = t
                try await journal.append(.intent(step: step.id, action: .create, token: t))
                ctx = context(step, records: state.records, state: state, journal: journal, control: control, token: t)
                do {
                    record = normalize(try await step.create(ctx, token: t), step)
                } catch {
                    failedCreates.withLock { $0[step.id] = t }
                    throw error
                }
                try await journal.append(.done(step: step.id, action: .create, record: record))
                created.withLock { $0[step.id] = record }
            case .change:
                let existing = p.record!
                try await journal.append(.intent(step: step.id, action: .update, token: Runner.newToken()))
                record = normalize(try await step.update(ctx, existing: existing), step)
                try await journal.append(.done(step: step.id, action: .update, record: record))
            case .adopt:
                record = p.record!
                try await journal.append(.done(step: step.id, action: .adopt, record: record))
            case .keep:
                record = p.record!
                try await journal.append(.done(step: step.id, action: .refresh, record: record))
            case .delete, .none:
                throw StepUnsupportedError(step: step.id, operation: "\(p.action.rawValue) during up")
            }
            let duration = clock.now() - start
            sink.handle(.stepFinished(step: step.id, action: p.action, phase: .apply, duration: duration, record: record))
            return (StepOutcome(step: step.id, kind: step.kind, action: p.action, status: .succeeded, record: record,
                                duration: duration), nil)
        } catch {
            let op: StepOperation = switch p.action {
            case .create: token == nil ? .find : .create
            case .change: .update
            default: .find
            }
            let e = error as? StepError ?? StepError(step: step.id, kind: step.kind, operation: op,
                                                     resourceId: p.resourceId, underlying: error)
            let jaction: JournalAction = p.action == .change ? .update : p.action == .adopt ? .adopt : .create
            _ = try? await journal.append(.failed(step: step.id, action: jaction, code: e.code, message: e.message))
            return (StepOutcome(step: step.id, kind: step.kind, action: p.action, status: .failed,
                                duration: clock.now() - start, error: e), e)
        }
    }

    /// Deletes what this run created (record known) or may have half-created (record nil: find by token first),
    /// dependents first, concurrently where independent.
    func rollback(_ targets: [String: ResourceRecord?], tokens: [String: String], journal: Journal, maxParallel: Int,
                  control: RunControl) async -> [StepOutcome] {
        let order = graph.order.reversed().filter { targets.keys.contains($0) }
        sink.handle(.rollbackStarted(steps: order))
        let outcomes = Locked([StepOutcome]())
        _ = await DAGScheduler.run(
            order: graph.order.reversed(), prerequisites: graph.dependents, maxParallel: maxParallel, stopOnFailure: false,
            control: control
        ) { [self] id in
            guard let target = targets[id] else { return true }
            let step = steps[id]!
            let state = await journal.state
            var record = target
            if record == nil {
                // The create failed: it may still have made the resource. Look for it by token/tags.
                let ctx = context(step, records: state.records, state: state, journal: nil, control: control, token: tokens[id])
                do {
                    record = try await retryingTransient(id, what: "looking it up", control: control) {
                        try await step.find(ctx, journaled: nil).map { normalize($0, step) }
                    }
                } catch {
                    let e = StepError(step: id, kind: step.kind, operation: .find, underlying: error,
                                      hint: "check whether a \(step.kind) tagged for stack \(stackName) exists; `privgw down` removes it")
                    sink.handle(.stepFailed(step: id, action: .delete, phase: .rollback, error: e))
                    outcomes.withLock { $0.append(StepOutcome(step: id, kind: step.kind, action: .delete, status: .failed, error: e)) }
                    return false
                }
                guard record != nil else { return true }
            }
            let o = await deleteResource(step, record: record!, state: state, journal: journal, control: control, phase: .rollback)
            outcomes.withLock { $0.append(o) }
            return o.status == .succeeded
        }
        return outcomes.current
    }

    // MARK: - down

    public func down(maxParallel: Int = 4, reusing basis: PlanBasis? = nil) async throws -> RunResult {
        let control = RunControl()
        return try await withTaskCancellationHandler {
            try await runDown(maxParallel: maxParallel, basis: basis, control: control)
        } onCancel: {
            control.interrupt()
        }
    }

    func runDown(maxParallel: Int, basis: PlanBasis? = nil, control: RunControl) async throws -> RunResult {
        let session = try await openSession(.down, rebuildJournal: false)
        defer { session.lock.release() }
        let journal = session.journal
        let plan: Plan
        do {
            if let shown = reusable(basis, .down, session: session) {
                plan = shown
            } else {
                plan = try await computePlan(.down, state: session.priorState, maxParallel: maxParallel, control: control)
            }
        } catch is PlanInterrupted {
            return try await finish(session, plan: Plan(command: .down, stack: stackName, steps: []), outcomes: [:],
                                    rollback: [], status: .interrupted, error: nil)
        } catch {
            _ = try? await journal.append(.runEnd(result: RunStatus.failed.rawValue))
            throw error
        }
        for w in plan.warnings { sink.handle(.warning(step: nil, message: w)) }
        sink.handle(.planned(plan))

        let outcomes = Locked([String: StepOutcome]())
        let report = await DAGScheduler.run(
            order: plan.steps.map(\.step), prerequisites: graph.dependents, maxParallel: maxParallel, stopOnFailure: false,
            control: control
        ) { [self] id in
            let p = plan.step(id)!
            let step = steps[id]!
            let state = await journal.state
            let outcome: StepOutcome
            switch p.action {
            case .delete:
                // Dependencies' records: the live ones the plan found, else the journal's.
                var records = state.records
                for d in step.dependsOn { if let r = plan.step(d)?.record { records[d] = r } }
                outcome = await deleteResource(step, record: p.record!, state: state, journal: journal, control: control,
                                               phase: .apply, records: records)
            default:
                // Gone already (or never there): make the journal agree.
                if p.record == nil, state.records[id] != nil || state.pendingIntents[id] != nil {
                    do {
                        try await journal.append(.deleted(step: id, id: state.records[id]?.id ?? ""))
                    } catch {
                        let e = StepError(step: id, kind: step.kind, operation: .delete, underlying: error)
                        sink.handle(.stepFailed(step: id, action: .none, phase: .apply, error: e))
                        outcome = StepOutcome(step: id, kind: step.kind, action: .none, status: .failed, error: e)
                        outcomes.withLock { $0[id] = outcome }
                        return false
                    }
                }
                outcome = StepOutcome(step: id, kind: step.kind, action: .none, status: .succeeded, record: p.record)
            }
            outcomes.withLock { $0[id] = outcome }
            return outcome.status == .succeeded
        }
        let firstFailure = report.completion.compactMap { outcomes.current[$0]?.error }.first
        let status: RunStatus = report.interrupted || (control.isInterrupted && firstFailure != nil) ? .interrupted : firstFailure != nil ? .failed : .succeeded
        return try await finish(session, plan: plan, outcomes: outcomes.current, rollback: [], status: status, error: firstFailure)
    }

    /// Journals intent → delete → deleted; "not found" is success; never touches unowned records.
    func deleteResource(_ step: any Step<Environment>, record: ResourceRecord, state: JournalState, journal: Journal,
                        control: RunControl, phase: RunPhase, records: [String: ResourceRecord]? = nil) async -> StepOutcome {
        guard record.owned else {
            return StepOutcome(step: step.id, kind: step.kind, action: .none, status: .succeeded, record: record)
        }
        let start = clock.now()
        sink.handle(.stepStarted(step: step.id, action: .delete, phase: phase))
        do {
            try await journal.append(.intent(step: step.id, action: .delete, token: Runner.newToken()))
            let ctx = context(step, records: records ?? state.records, state: state, journal: journal, control: control)
            do {
                // Deletes are safe to repeat (gone is success): a transient failure runs the delete again.
                try await retryingTransient(step.id, what: "delete of the \(step.kind)", control: control) {
                    try await step.delete(ctx, record: record)
                }
            } catch where Runner.isNotFound(error) {
                // Already gone: that is what we wanted.
            }
            try await journal.append(.deleted(step: step.id, id: record.id))
            let duration = clock.now() - start
            sink.handle(.stepFinished(step: step.id, action: .delete, phase: phase, duration: duration, record: nil))
            return StepOutcome(step: step.id, kind: step.kind, action: .delete, status: .succeeded, duration: duration)
        } catch {
            let e = error as? StepError ?? StepError(step: step.id, kind: step.kind, operation: .delete,
                                                     resourceId: record.id, underlying: error)
            _ = try? await journal.append(.failed(step: step.id, action: .delete, code: e.code, message: e.message))
            sink.handle(.stepFailed(step: step.id, action: .delete, phase: phase, error: e))
            return StepOutcome(step: step.id, kind: step.kind, action: .delete, status: .failed, record: record,
                               duration: clock.now() - start, error: e)
        }
    }

    // MARK: - shared

    struct Session {
        let command: RunCommand
        let lock: StateLock
        let journal: Journal
        /// The journal's state before this run's run-start (so this run does not look "unfinished" to itself).
        let priorState: JournalState
    }

    /// Lock, open (or set aside and restart) the journal, write run-start.
    func openSession(_ command: RunCommand, rebuildJournal: Bool) async throws -> Session {
        try StateDirectory.ensure(stateDirectory)
        let lock = try StateLock.acquire(path: lockPath)
        do {
            let runId = Runner.newRunId()
            if rebuildJournal, let moved = try Journal.moveAside(path: journalPath) {
                sink.handle(.warning(step: nil, message: "moved the old journal to \(moved); resources are rediscovered by their tags"))
            }
            let journal = try Journal(path: journalPath, runId: runId)
            let prior = await journal.state
            sink.handle(.runStarted(command: command, stack: stackName, runId: runId))
            for w in journal.openWarnings { sink.handle(.warning(step: nil, message: w)) }
            try await journal.append(.runStart(command: command.rawValue, version: version, pid: getpid()))
            return Session(command: command, lock: lock, journal: journal, priorState: prior)
        } catch {
            lock.release()
            throw error
        }
    }

    /// Writes run-end, builds the result, throws for failure/interrupt.
    func finish(_ session: Session, plan: Plan, outcomes: [String: StepOutcome], rollback: [StepOutcome],
                status: RunStatus, error: StepError?) async throws -> RunResult {
        let journal = session.journal
        try await journal.append(.runEnd(result: status.rawValue))
        await journal.close()
        let state = await journal.state
        let ordered = plan.steps.map { p in
            outcomes[p.step] ?? StepOutcome(step: p.step, kind: p.kind, action: p.action, status: .notStarted, record: p.record)
        }
        let result = RunResult(command: session.command, stack: stackName, runId: journal.runId, status: status, plan: plan,
                               outcomes: ordered, rollback: rollback, failedStep: error?.step, error: error,
                               remaining: state.ownedRecords)
        sink.handle(.runFinished(command: session.command, status: status))
        switch status {
        case .succeeded: return result
        case .interrupted: throw RunnerError.interrupted(result)
        case .failed, .rolledBack: throw RunnerError.stepFailed(error!, result)
        }
    }

    func context(_ step: any Step<Environment>, records: [String: ResourceRecord], state: JournalState, journal: Journal?,
                 control: RunControl, token: String? = nil) -> StepContext<Environment> {
        var deps: [String: ResourceRecord] = [:]
        for d in step.dependsOn { if let r = records[d] { deps[d] = r } }
        let pending = state.pendingIntents[step.id]
        return StepContext(stackName: stackName, step: step.id, environment: environment, records: deps,
                           dependsOn: step.dependsOn,
                           pendingToken: token ?? (pending?.action == .create ? pending?.token : nil),
                           facts: state.facts[step.id] ?? [:], clock: clock, sink: sink, journal: journal, control: control)
    }

    func normalize(_ record: ResourceRecord, _ step: any Step<Environment>) -> ResourceRecord {
        var r = record
        r.step = step.id
        if r.kind.isEmpty { r.kind = step.kind }
        return r
    }

    static func isNotFound(_ error: any Error) -> Bool {
        if let e = error as? AWSError { return e.isNotFound }
        if let e = error as? StepError { return isNotFound(e.underlying) }
        return false
    }

    /// 32 lowercase hex characters: valid for EC2 ClientToken, ACM IdempotencyToken, Route 53 CallerReference.
    static func newToken() -> String {
        UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    static func newRunId() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return "\(f.string(from: Date()))-\(String(newToken().prefix(6)))"
    }
}
