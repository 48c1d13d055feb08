// privgw's exit codes and the one pure mapping from errors, run statuses and status verdicts to them.
import AWSCore
import Foundation

/// The process exit codes privgw documents (docs/commands.md); scripts branch on them, so they never change.
public enum ExitStatus: Int32, Sendable, CaseIterable, Equatable {
    /// Success; `status`: healthy.
    case success = 0
    /// AWS errors and step failures; `status`: degraded.
    case failure = 1
    /// Usage, spec or local configuration errors: fixing the command line or a file fixes it.
    case usage = 2
    /// `status`: nothing of the stack exists.
    case notDeployed = 3
    /// SIGINT/SIGTERM (128 + SIGINT, the shell convention).
    case interrupted = 130

    /// The exit status for an error that ended a command.
    public static func forError(_ error: any Error) -> ExitStatus {
        if isInterruption(error) { return .interrupted }
        switch error {
        case is SpecError, is CLIUsageError:
            return .usage
        case let aws as AWSError:
            // Configuration (no region, unknown profile, bad endpoint URL) is fixed locally, like a usage error;
            // missing credentials or an AWS answer are runtime failures.
            return aws.kind == .configuration ? .usage : .failure
        default:
            return .failure
        }
    }

    /// The exit status of a finished `up`/`down`.
    public static func forRun(_ status: RunStatus) -> ExitStatus {
        switch status {
        case .succeeded: return .success
        case .failed, .rolledBack: return .failure
        case .interrupted: return .interrupted
        }
    }

    /// The exit status of `privgw status`.
    public static func forVerdict(_ verdict: StatusReport.Verdict) -> ExitStatus {
        switch verdict {
        case .healthy: return .success
        case .degraded: return .failure
        case .notDeployed: return .notDeployed
        }
    }

    /// True when the error means "the user stopped it": task cancellation, the engine's interrupted error, or
    /// either of those wrapped in a step or runner error.
    public static func isInterruption(_ error: any Error) -> Bool {
        switch error {
        case is CancellationError, is InterruptedError: return true
        case let step as StepError: return isInterruption(step.underlying)
        case let runner as RunnerError:
            switch runner {
            case .interrupted: return true
            case let .planFailed(e): return isInterruption(e)
            case let .stepFailed(e, r): return r.status == .interrupted || isInterruption(e)
            case .invalidSteps: return false
            }
        default: return false
        }
    }
}

/// A refusal or misuse the CLI itself detects (e.g. `init` would overwrite a file): exit 2, with a fix.
public struct CLIUsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var fix: String?

    public init(_ message: String, fix: String? = nil) {
        self.message = message
        self.fix = fix
    }

    public var description: String { message }
}

/// The user answered no at the confirmation prompt: nothing was changed, but the command did not do its job (exit 1).
public struct ConfirmationDeclined: Error, Sendable, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "cancelled: nothing was changed" }
}
