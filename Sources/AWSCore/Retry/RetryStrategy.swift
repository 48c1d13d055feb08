// The AWS "standard" retry mode: which failures are retried, how long to back off, and the retry quota.
import Foundation

public enum RetryMode: String, Sendable {
    case standard, legacy, adaptive
}

public struct RetryPolicy: Sendable, Equatable {
    public var mode: RetryMode
    /// Total attempts including the first (AWS_MAX_ATTEMPTS / `max_attempts`).
    public var maxAttempts: Int
    /// Cap of one back-off delay, seconds.
    public var maxBackoff: TimeInterval

    public init(mode: RetryMode = .standard, maxAttempts: Int? = nil, maxBackoff: TimeInterval = 20) {
        self.mode = mode
        self.maxAttempts = max(1, maxAttempts ?? (mode == .legacy ? 5 : 3))
        self.maxBackoff = maxBackoff
    }

    /// Full-jitter exponential back-off before attempt `attempt + 1` (attempt counts from 1).
    public func backoff(afterAttempt attempt: Int, random: Double = Double.random(in: 0..<1)) -> TimeInterval {
        let exp = pow(2.0, Double(max(0, attempt - 1)))
        return min(random * exp, maxBackoff)
    }
}

/// How a failed attempt should be treated.
public enum RetryDecision: Equatable, Sendable {
    case doNotRetry
    /// AWS refused the call before doing anything (throttling, never sent): safe for any call.
    case retrySafe
    /// The call may or may not have taken effect (5xx, reset, timeout): only for idempotent calls.
    case retryIfIdempotent
    /// Credentials expired between signing and arrival: refresh and retry once.
    case refreshCredentials
}

public enum RetryClassifier {
    /// Throttling error codes of the services privgw uses (botocore's standard-mode list).
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    /// Transient service-side failures.
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
        "InternalServerError", "ServiceUnavailableException", "InternalServiceError",
    ]
    public static let expiredCredentialCodes: Set<String> = ["ExpiredToken", "ExpiredTokenException", "RequestExpired"]

    public static func classify(_ error: AWSError) -> RetryDecision {
        switch error.kind {
        case .transport:
            return TransportErrorCode.neverSent(error.code) ? .retrySafe : .retryIfIdempotent
        case .service:
            // API Gateway's LimitExceededException is throttling only with HTTP 429; as a quota (400) it is final.
            if error.code == "LimitExceededException", error.httpStatus != 429 { return .doNotRetry }
            if throttlingCodes.contains(error.code) || error.httpStatus == 429 { return .retrySafe }
            if expiredCredentialCodes.contains(error.code) { return .refreshCredentials }
            if transientCodes.contains(error.code) { return .retryIfIdempotent }
            if let s = error.httpStatus, [500, 502, 503, 504].contains(s) { return .retryIfIdempotent }
            return .doNotRetry
        case .malformedResponse:
            // A proxy's HTML error page under a 5xx is transient; a garbled 2xx is not worth repeating blindly.
            if let s = error.httpStatus, s >= 500 { return .retryIfIdempotent }
            return .doNotRetry
        case .credentials, .configuration:
            return .doNotRetry
        }
    }
}

/// The standard mode's client-wide retry quota: retries spend tokens, successes earn them back, so a
/// struggling service is not flooded with retries from every concurrent step.
public final class RetryQuota: @unchecked Sendable {
    public static let initialTokens = 500
    public static let retryCost = 5
    public static let timeoutRetryCost = 10
    public static let noRetryIncrement = 1

    private let lock = NSLock()
    private var available: Int

    public init(tokens: Int = RetryQuota.initialTokens) { available = tokens }

    public var tokens: Int { lock.lock(); defer { lock.unlock() }; return available }

    /// Takes the cost of one retry; nil when the quota is exhausted (then the error is returned as is).
    public func acquire(for error: AWSError) -> Int? {
        let cost = error.code == TransportErrorCode.timeout ? RetryQuota.timeoutRetryCost : RetryQuota.retryCost
        lock.lock(); defer { lock.unlock() }
        guard available >= cost else { return nil }
        available -= cost
        return cost
    }

    /// A call succeeded: give back what its retries cost, or a small increment when it needed none.
    public func release(_ cost: Int?) {
        lock.lock(); defer { lock.unlock() }
        available = min(RetryQuota.initialTokens, available + (cost ?? RetryQuota.noRetryIncrement))
    }
}
