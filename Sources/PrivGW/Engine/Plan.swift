// Plan: the dry-run result that `up`/`down` then execute step by step (one data structure, so they cannot disagree).
import Foundation

/// Which command a plan or run is for.
public enum RunCommand: String, Codable, Sendable, Equatable {
    case up, down
}

/// What will happen (plan) or happened (outcome) to one step's resource.
public enum PlannedAction: String, Codable, Sendable, Equatable, CaseIterable {
    /// Does not exist: will be created.
    case create
    /// Exists but privgw's journal did not know it (found by tags/token, or user-given): recorded, not touched.
    case adopt
    /// Exists, journaled and converged: nothing to do.
    case keep
    /// Exists but differs from what it should be (see `detail`): will be updated in place.
    case change
    /// Exists and is owned: will be deleted (`down`, rollback).
    case delete
    /// Nothing to do (`down`: already gone or not owned by privgw).
    case none
}

/// One step of a plan.
public struct PlannedStep: Codable, Sendable, Equatable {
    public var step: String
    public var kind: String
    public var action: PlannedAction
    /// The live resource id when it exists (or the journaled one when it is gone).
    public var resourceId: String?
    /// Human explanation: the diff for `change`, why `none`, what is resumed, what is re-checked.
    public var detail: String
    /// The live record `find` returned, if any.
    public var record: ResourceRecord?
    /// The journal's record for the step, if any.
    public var journaled: ResourceRecord?
    /// `create`: the idempotency token of an unfinished earlier create that will be reused.
    public var resumeToken: String?
    /// True when a dependency is created or changed first: `up` re-runs find/diff for this step right before
    /// executing it, so the executed action may differ from the planned one (the outcome says what ran).
    public var deferred: Bool
    /// The step's dependencies (`Step.dependsOn`): the graph the runner schedules by.
    public var dependsOn: [String]

    public init(step: String, kind: String, action: PlannedAction, resourceId: String? = nil, detail: String = "",
                record: ResourceRecord? = nil, journaled: ResourceRecord? = nil, resumeToken: String? = nil,
                deferred: Bool = false, dependsOn: [String] = []) {
        self.step = step
        self.kind = kind
        self.action = action
        self.resourceId = resourceId
        self.detail = detail
        self.record = record
        self.journaled = journaled
        self.resumeToken = resumeToken
        self.deferred = deferred
        self.dependsOn = dependsOn
    }
}

/// A dry run: every step in execution order (`up`: dependencies first; `down`: dependents first).
public struct Plan: Codable, Sendable, Equatable {
    public var command: RunCommand
    public var stack: String
    public var steps: [PlannedStep]
    /// Things worth telling the user that are not step actions (unfinished previous run, journal entries
    /// for steps this stack no longer has, ...).
    public var warnings: [String]

    public init(command: RunCommand, stack: String, steps: [PlannedStep], warnings: [String] = []) {
        self.command = command
        self.stack = stack
        self.steps = steps
        self.warnings = warnings
    }

    public func step(_ id: String) -> PlannedStep? { steps.first { $0.step == id } }

    public func count(_ action: PlannedAction) -> Int { steps.filter { $0.action == action }.count }

    /// True when executing the plan would call no mutating API.
    public var isNoOp: Bool { steps.allSatisfy { $0.action == .keep || $0.action == .none || $0.action == .adopt } }

    /// E.g. `2 to create, 1 to change, 3 unchanged`.
    public var summary: String {
        var parts: [String] = []
        func add(_ a: PlannedAction, _ label: String) { let n = count(a); if n > 0 { parts.append("\(n) \(label)") } }
        add(.create, "to create")
        add(.adopt, "to adopt")
        add(.change, "to change")
        add(.delete, "to delete")
        add(.keep, "unchanged")
        add(.none, "nothing to do")
        return parts.isEmpty ? "no steps" : parts.joined(separator: ", ")
    }
}

/// A plan and the journal state it was made from (`Runner.planBasis`): `up`/`down` execute it without planning again
/// when, under the stack lock, the journal is still exactly that state (no other run came in between).
public struct PlanBasis: Sendable {
    /// The plan as shown: journal warnings first.
    public var plan: Plan {
        var p = raw
        p.warnings = loadWarnings + p.warnings
        return p
    }
    let raw: Plan
    let state: JournalState
    let loadWarnings: [String]
}
