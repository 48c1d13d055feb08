// `--output json`: one JSON document per command (schema in docs/output-schema.md), and JSON-lines progress events.
import AWSCore
import Foundation

/// Renders privgw's results as JSON. The documents are versioned (`schemaVersion`); keys are only ever added.
public enum JSONRenderer {
    public static let schemaVersion = 1

    // MARK: documents

    /// `privgw plan [--destroy]`.
    public static func plan(_ plan: Plan) -> String {
        encode(PlanDocument(plan))
    }

    /// `privgw up` / `privgw down`. `outputs` is written for `up` only.
    public static func run(_ result: RunResult, outputs: StackOutputs?) -> String {
        encode(RunDocument(result, outputs: result.command == .up ? outputs : nil))
    }

    /// `privgw status`: the StatusReport's own keys plus `schemaVersion` and `command`. Merged through
    /// JSONValue so a field added to StatusReport shows up here without touching this code.
    public static func status(_ report: StatusReport, pretty: Bool = true) -> String {
        var value = (try? JSONValue.parse(Data(encode(report, pretty: false).utf8))) ?? .object([:])
        if case var .object(o) = value {
            o["schemaVersion"] = .number(Double(schemaVersion))
            o["command"] = "status"
            value = .object(o)
        }
        return encode(value, pretty: pretty)
    }

    /// A command that ended with an error before it had a result (bad spec, no credentials, plan failed...).
    public static func error(_ error: any Error, command: String) -> String {
        encode(ErrorDocument(schemaVersion: schemaVersion, command: command, exitCode: ExitStatus.forError(error).rawValue,
                             error: ErrorInfo(error)))
    }

    /// `privgw version --output json`.
    public static func version(_ version: String) -> String {
        encode(["schemaVersion": JSONValue.number(Double(schemaVersion)), "command": "version", "version": .string(version)])
    }

    // MARK: progress

    /// One progress event as a compact JSON line (stderr under `--output json`).
    public static func progressLine(_ event: ProgressEvent) -> String {
        var o: [String: JSONValue] = [:]
        switch event {
        case let .runStarted(command, stack, runId):
            o = ["event": "runStarted", "command": .string(command.rawValue), "stack": .string(stack), "runId": .string(runId)]
        case let .planned(plan):
            o = ["event": "planned", "command": .string(plan.command.rawValue), "stack": .string(plan.stack),
                 "steps": .number(Double(plan.steps.count))]
        case let .stepStarted(step, action, phase):
            o = ["event": "stepStarted", "step": .string(step), "action": .string(action.rawValue), "phase": .string(phase.rawValue)]
        case let .stepFinished(step, action, phase, duration, record):
            o = ["event": "stepFinished", "step": .string(step), "action": .string(action.rawValue),
                 "phase": .string(phase.rawValue), "durationSeconds": .number(rounded(duration))]
            if let id = record?.id { o["resourceId"] = .string(id) }
        case let .stepFailed(step, action, phase, error):
            o = ["event": "stepFailed", "step": .string(step), "action": .string(action.rawValue),
                 "phase": .string(phase.rawValue), "code": .string(error.code), "message": .string(error.message)]
        case let .waiting(step, message, elapsed):
            o = ["event": "waiting", "step": .string(step), "message": .string(message), "elapsedSeconds": .number(rounded(elapsed))]
        case let .rollbackStarted(steps):
            o = ["event": "rollbackStarted", "steps": .array(steps.map { .string($0) })]
        case let .warning(step, message):
            o = ["event": "warning", "message": .string(message)]
            if let step { o["step"] = .string(step) }
        case let .runFinished(command, status):
            o = ["event": "runFinished", "command": .string(command.rawValue), "status": .string(status.rawValue)]
        }
        return encode(JSONValue.object(o), pretty: false)
    }

    // MARK: document shapes

    struct PlanDocument: Encodable {
        struct Step: Encodable {
            var s: PlannedStep
            enum K: String, CodingKey { case step, kind, action, resourceId, detail, deferred, dependsOn }
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: K.self)
                try c.encode(s.step, forKey: .step)
                try c.encode(s.kind, forKey: .kind)
                try c.encode(s.action.rawValue, forKey: .action)
                try c.encode(s.resourceId, forKey: .resourceId)  // null when not known: a stable key set
                try c.encode(s.detail, forKey: .detail)
                try c.encode(s.deferred, forKey: .deferred)
                try c.encode(s.dependsOn, forKey: .dependsOn)
            }
        }
        var schemaVersion = JSONRenderer.schemaVersion
        var command = "plan"
        var stack: String
        var destroy: Bool
        var steps: [Step]
        var summary: PlanCounts
        var warnings: [String]

        init(_ plan: Plan) {
            stack = plan.stack
            destroy = plan.command == .down
            steps = plan.steps.map { Step(s: $0) }
            summary = PlanCounts(plan)
            warnings = plan.warnings
        }
    }

    struct StepDocument: Encodable {
        var step: String
        var kind: String
        var action: String
        var status: String
        var resourceId: String?
        var durationSeconds: Double
        var error: ErrorInfo?

        enum K: String, CodingKey { case step, kind, action, status, resourceId, durationSeconds, error }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: K.self)
            try c.encode(step, forKey: .step)
            try c.encode(kind, forKey: .kind)
            try c.encode(action, forKey: .action)
            try c.encode(status, forKey: .status)
            try c.encode(resourceId, forKey: .resourceId)
            try c.encode(durationSeconds, forKey: .durationSeconds)
            try c.encodeIfPresent(error, forKey: .error)
        }

        init(_ o: StepOutcome, result r: RunResult) {
            step = o.step
            kind = o.kind
            action = o.action.rawValue
            status = o.status.rawValue
            // A delete leaves no record: name what was deleted from the run's own outcome or from the plan.
            resourceId = o.record?.id ?? r.outcome(o.step)?.record?.id ?? r.plan.step(o.step)?.resourceId
                ?? r.plan.step(o.step)?.journaled?.id
            durationSeconds = JSONRenderer.rounded(o.duration)
            error = o.error.map { ErrorInfo($0) }
        }
    }

    struct Remaining: Encodable {
        var step: String
        var kind: String
        var id: String
    }

    struct RunDocument: Encodable {
        var schemaVersion = JSONRenderer.schemaVersion
        var command: String
        var stack: String
        var runId: String
        var status: String
        var steps: [StepDocument]
        var rollback: [StepDocument]
        var error: ErrorInfo?
        var remaining: [Remaining]
        var outputs: StackOutputs?

        init(_ r: RunResult, outputs: StackOutputs?) {
            command = r.command.rawValue
            stack = r.stack
            runId = r.runId
            status = r.status.rawValue
            steps = r.outcomes.map { StepDocument($0, result: r) }
            rollback = r.rollback.map { StepDocument($0, result: r) }
            if let e = r.error { error = ErrorInfo(e) }
            else if r.status == .interrupted { error = ErrorInfo(InterruptedError()) }
            remaining = r.remaining.map { Remaining(step: $0.step, kind: $0.kind, id: $0.id) }
            self.outputs = outputs
        }
    }

    struct ErrorDocument: Encodable {
        var schemaVersion: Int
        var command: String
        var exitCode: Int32
        var error: ErrorInfo
    }

    /// `{step, code, message, requestId, hint}`; `step`/`requestId`/`hint` are null when unknown; spec errors add
    /// `diagnostics`.
    struct ErrorInfo: Encodable {
        var step: String?
        var code: String
        var message: String
        var requestId: String?
        var hint: String?
        var diagnostics: [SpecDiagnostic]?

        enum K: String, CodingKey { case step, code, message, requestId, hint, diagnostics }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: K.self)
            try c.encode(step, forKey: .step)
            try c.encode(code, forKey: .code)
            try c.encode(message, forKey: .message)
            try c.encode(requestId, forKey: .requestId)
            try c.encode(hint, forKey: .hint)
            try c.encodeIfPresent(diagnostics, forKey: .diagnostics)
        }

        init(step: String? = nil, code: String, message: String, requestId: String? = nil, hint: String? = nil,
             diagnostics: [SpecDiagnostic]? = nil) {
            self.step = step
            self.code = code
            self.message = message
            self.requestId = requestId
            self.hint = hint
            self.diagnostics = diagnostics
        }

        init(_ error: any Error) {
            if ExitStatus.isInterruption(error) {
                var step: String?
                if let e = error as? StepError { step = e.step }
                self.init(step: step, code: "Interrupted", message: "interrupted",
                          hint: "run `privgw up` to resume or `privgw down` to roll back")
                return
            }
            switch error {
            case let e as StepError:
                var aws = e.awsError
                aws?.hint = nil
                self.init(step: e.step, code: e.code, message: aws.map { Self.message($0) } ?? e.message,
                          requestId: e.awsError?.requestId, hint: e.effectiveHint)
            case let e as AWSError:
                self.init(code: e.code, message: Self.message(e), requestId: e.requestId, hint: e.hint)
            case let e as SpecError:
                let n = e.diagnostics.count
                self.init(code: "SpecError", message: "\(n) error\(n == 1 ? "" : "s") in \(e.file)",
                          hint: e.diagnostics.first?.fix, diagnostics: e.diagnostics + e.warnings)
            case is ConfirmationDeclined:
                self.init(code: "Cancelled", message: "cancelled at the confirmation prompt: nothing was changed",
                          hint: "pass --yes to apply without asking")
            case let e as CLIUsageError:
                self.init(code: "UsageError", message: e.message, hint: e.fix)
            case let e as RunnerError:
                switch e {
                case let .stepFailed(se, _), let .planFailed(se): self.init(se)
                case let .invalidSteps(m): self.init(code: "InvalidSteps", message: m)
                case .interrupted: self.init(InterruptedError())
                }
            default:
                self.init(code: String(describing: type(of: error)), message: String(describing: error))
            }
        }

        /// The AWS message without the hint (the hint has its own key).
        static func message(_ e: AWSError) -> String {
            var parts = [e.message.isEmpty ? e.code : e.message]
            if let s = e.service, let op = e.operation { parts.append("(\(s):\(op))") }
            return parts.joined(separator: " ")
        }
    }

    // MARK: encoding

    static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

    static func encode<T: Encodable>(_ value: T, pretty: Bool = true) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
