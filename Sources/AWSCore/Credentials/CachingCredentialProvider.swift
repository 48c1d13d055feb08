// Keeps credentials until they near expiry, refreshing once for all concurrent callers.
import Foundation

public actor CachingCredentialProvider: CredentialProvider, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    /// Temporary credentials are replaced this long before they expire, so a request signed now cannot
    /// arrive after expiry (the AWS SDKs use 5 to 15 minutes).
    public static let defaultRefreshMargin: TimeInterval = 300

    public nonisolated let base: any CredentialProvider
    public nonisolated let refreshMargin: TimeInterval
    let now: @Sendable () -> Date
    private var cached: Credentials?
    private var refreshing: Task<Credentials, Error>?
    /// How many times `base` was asked (tests prove sharing and refresh with it).
    public private(set) var fetches = 0

    public init(_ base: any CredentialProvider, refreshMargin: TimeInterval = CachingCredentialProvider.defaultRefreshMargin,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.base = base
        self.refreshMargin = refreshMargin
        self.now = now
    }

    public func credentials() async throws -> Credentials {
        if let cached, !cached.expires(within: refreshMargin, now: now()) { return cached }
        // Callers arriving while a refresh runs wait for that one instead of starting their own.
        if let refreshing { return try await refreshing.value }
        let task = Task { [base] in try await base.credentials() }
        refreshing = task
        fetches += 1
        defer { refreshing = nil }
        do {
            let fresh = try await task.value
            if let expiration = fresh.expiration, expiration <= now() {
                throw AWSError(kind: .credentials, code: "ExpiredCredentials",
                               message: "the credentials from \(fresh.source) expired at \(CredentialTimestamp.format(expiration))",
                               hint: "renew them at their source")
            }
            cached = fresh
            return fresh
        } catch {
            // A failed refresh may still leave a minute of use in the old credentials: better than failing now.
            if let cached, let expiration = cached.expiration, expiration.timeIntervalSince(now()) > 60 { return cached }
            throw error
        }
    }

    /// Drops the cached credentials so the next call fetches new ones (after an ExpiredToken answer).
    public func invalidate() {
        cached = nil
    }

    public nonisolated var description: String { "CachingCredentialProvider(\(base))" }
    public nonisolated var debugDescription: String { description }
    public nonisolated var customMirror: Mirror { Mirror(self, children: [:]) }
}
