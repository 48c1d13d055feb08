// Error rendering in one place, like a good compiler's: `error:` what failed, then step, cause and fix lines.
import AWSCore
import Foundation

/// Turns any error a command can end with into the text printed on stderr. Never prints credentials: the errors
/// rendered here carry codes, messages, ids and hints, never keys or tokens.
public enum Diagnostics {
    /// What the renderer needs to know about the command that failed.
    public struct Context: Sendable {
        /// `plan`, `up`, `down`, `status`, `init`.
        public var command: String
        /// The state directory, named in the interrupted message.
        public var stateDir: String

        public init(command: String, stateDir: String = ".privgw") {
            self.command = command
            self.stateDir = stateDir
        }
    }

    /// The full diagnostic for an error.
    public static func render(_ error: any Error, context: Context, style: TextStyle = .plain) -> String {
        if ExitStatus.isInterruption(error) { return interrupted(context: context, style: style) }
        switch error {
        case let spec as SpecError:
            return colorSeverity(spec.description, style: style)
        case is ConfirmationDeclined:
            return style.yellow("Cancelled:") + " nothing was changed."
        case let usage as CLIUsageError:
            return block(what: usage.message, fix: usage.fix, style: style)
        case let aws as AWSError:
            return block(what: headline(aws), cause: cause(aws), fix: aws.hint, style: style)
        case let step as StepError:
            return stepBlock(step, style: style)
        case let runner as RunnerError:
            switch runner {
            case let .stepFailed(e, r):
                return failedRun(r, error: e, style: style) ?? stepBlock(e, style: style)
            case let .planFailed(e):
                return block(what: "could not inspect the live state of the stack", step: stepLine(e),
                             cause: cause(e), fix: e.effectiveHint, style: style)
            case let .invalidSteps(m):
                return block(what: "internal error: invalid step graph: \(m)",
                             fix: "this is a bug in privgw; please report it with the spec that triggers it", style: style)
            case .interrupted:
                return interrupted(context: context, style: style)
            }
        default:
            // Engine errors (journal, lock) carry their advice as a trailing `hint:` line: show it as the fix.
            let text = String(describing: error)
            if let r = text.range(of: "\n  hint: ") {
                return block(what: String(text[..<r.lowerBound]), fix: String(text[r.upperBound...]), style: style)
            }
            return block(what: text, style: style)
        }
    }

    /// The diagnostic for a run that returned (rather than threw) a failed or interrupted result; nil when it
    /// succeeded.
    public static func render(result: RunResult, context: Context, style: TextStyle = .plain) -> String? {
        switch result.status {
        case .succeeded: return nil
        case .interrupted: return interrupted(context: context, style: style)
        case .failed, .rolledBack:
            if let e = result.error { return failedRun(result, error: e, style: style) }
            return block(what: "privgw \(result.command.rawValue) failed" + (result.failedStep.map { " at step \($0)" } ?? ""),
                         fix: "run `privgw \(result.command.rawValue)` again to resume", style: style)
        }
    }

    /// The message after Ctrl-C: nothing is half-recorded, and how to go on.
    public static func interrupted(context: Context, style: TextStyle = .plain) -> String {
        switch context.command {
        case "up", "down":
            return style.yellow("Interrupted:") + " the journal in \(context.stateDir) is consistent; "
                + "run `privgw up` to resume or `privgw down` to roll back"
        default:
            return style.yellow("Interrupted.")
        }
    }

    /// The `error:` block: headline, then optional step, cause and fix lines.
    public static func block(what: String, step: String? = nil, cause: String? = nil, fix: String? = nil,
                             extra: [String] = [], style: TextStyle = .plain) -> String {
        var lines = [style.boldRed("error:") + " " + style.bold(what)]
        if let step { lines.append("  step: " + step) }
        if let cause, !cause.isEmpty { lines.append("  cause: " + cause) }
        lines += extra.map { "  " + $0 }
        if let fix, !fix.isEmpty { lines.append("  " + style.cyan("fix:") + " " + fix) }
        return lines.joined(separator: "\n")
    }

    // MARK: pieces

    static func failedRun(_ r: RunResult, error e: StepError, style: TextStyle) -> String? {
        var extra: [String] = []
        let rolled = r.rolledBackCount
        if rolled > 0 { extra.append("rolled back: \(rolled) resource\(rolled == 1 ? "" : "s") created by this run") }
        let failedRollback = r.rollback.filter { $0.status == .failed }
        for o in failedRollback {
            extra.append("rollback failed: \(o.kind) \(o.record?.id ?? o.step)" + (o.error.map { ": \($0.message)" } ?? ""))
        }
        return block(what: "\(gerund(e.operation)) the \(e.kind) failed", step: stepLine(e), cause: cause(e),
                     fix: e.effectiveHint, extra: extra, style: style)
    }

    static func stepBlock(_ e: StepError, style: TextStyle) -> String {
        block(what: "\(gerund(e.operation)) the \(e.kind) failed", step: stepLine(e), cause: cause(e),
              fix: e.effectiveHint, style: style)
    }

    /// `alb (load balancer arn:...)`.
    static func stepLine(_ e: StepError) -> String {
        "\(e.step) (\(e.kind)" + (e.resourceId.map { " \($0)" } ?? "") + ")"
    }

    static func gerund(_ op: StepOperation) -> String {
        switch op {
        case .find: return "looking up"
        case .diff: return "checking"
        case .create: return "creating"
        case .update: return "updating"
        case .delete: return "deleting"
        }
    }

    /// The cause line of a step error: the AWS code and message with the call and request id, or the error.
    static func cause(_ e: StepError) -> String {
        if let aws = e.awsError { return cause(aws) }
        if let w = e.underlying as? WaitTimeoutError { return "WaitTimeout: \(w.description)" }
        if let ctx = e.underlying as? StepContextError { return "\(ctx.code): \(ctx.description)" }
        return e.message
    }

    /// `InvalidSubnet: The subnet ID 'x' does not exist (ec2:CreateVpcEndpoint, HTTP 400, request id 1234)`.
    static func cause(_ aws: AWSError) -> String {
        var s = aws.code
        if !aws.message.isEmpty { s += ": \(aws.message)" }
        var extra: [String] = []
        if let service = aws.service, let op = aws.operation { extra.append("\(service):\(op)") }
        else if let op = aws.operation { extra.append(op) }
        if let resource = aws.resource { extra.append("on \(resource)") }
        if let status = aws.httpStatus { extra.append("HTTP \(status)") }
        if let id = aws.requestId { extra.append("request id \(id)") }
        if !extra.isEmpty { s += " (" + extra.joined(separator: ", ") + ")" }
        return s
    }

    /// What failed, for an AWS error raised outside a step (settings, credentials, a direct call).
    static func headline(_ aws: AWSError) -> String {
        switch aws.kind {
        case .configuration: return "the AWS settings are not usable"
        case .credentials: return "no usable AWS credentials"
        case .transport: return "could not reach AWS" + (aws.service.map { " (\($0))" } ?? "")
        case .malformedResponse: return "AWS sent an answer privgw cannot read" + (aws.operation.map { " (\($0))" } ?? "")
        case .service:
            if let service = aws.service, let op = aws.operation { return "\(service):\(op) failed" }
            return "an AWS call failed"
        }
    }

    /// Colours the `error:`/`warning:` severities of compiler-style lines (`file:3: error: ...`).
    public static func colorSeverity(_ text: String, style: TextStyle) -> String {
        guard style.colors else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var l = String(line)
            if let r = l.range(of: ": error: ") {
                l.replaceSubrange(r, with: ": " + style.boldRed("error:") + " ")
            } else if let r = l.range(of: ": warning: ") {
                l.replaceSubrange(r, with: ": " + style.yellow("warning:") + " ")
            } else if l.hasPrefix("  fix: ") {
                l = "  " + style.cyan("fix:") + String(l.dropFirst(6))
            }
            return l
        }.joined(separator: "\n")
    }
}

