// AWS credentials and the provider abstraction every credential source implements.
import Foundation

public struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Date?
    /// Which source produced them (e.g. `environment`, `profile:dev`), for diagnostics only.
    public var source: String

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil,
                expiration: Date? = nil, source: String = "static") {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    /// Never prints the secret or the token, so credentials can't leak through string interpolation.
    public var description: String {
        "Credentials(accessKeyId: \(Credentials.redact(accessKeyId)), source: \(source)\(sessionToken == nil ? "" : ", temporary"))"
    }
    public var debugDescription: String { description }
    /// `dump` and debuggers walk the mirror, not `description`: show them the same redacted fields.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyId": Credentials.redact(accessKeyId), "source": source,
                                "temporary": sessionToken != nil, "expiration": expiration as Any])
    }

    static func redact(_ key: String) -> String {
        key.count > 4 ? String(key.prefix(4)) + "****" : "****"
    }

    /// True when the credentials expire within `margin` seconds of `now`.
    public func expires(within margin: TimeInterval, now: Date = Date()) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) < margin
    }
}

public protocol CredentialProvider: Sendable {
    /// Returns usable credentials or throws `AWSError` of kind `.credentials`.
    func credentials() async throws -> Credentials
}

/// Fixed credentials (tests, or keys given explicitly).
public struct StaticCredentialProvider: CredentialProvider {
    public let value: Credentials
    public init(_ value: Credentials) { self.value = value }
    public func credentials() async throws -> Credentials { value }
}
