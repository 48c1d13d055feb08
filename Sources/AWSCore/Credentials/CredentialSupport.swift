// Shared pieces of the credential providers: the "not configured" signal, timestamps, and the run's context.
import Foundation

extension AWSError {
    /// The code a provider throws when its inputs are simply absent, so the chain moves on to the next source.
    /// Any other error from a provider is final: the source was configured but is broken.
    public static let credentialsNotConfigured = "CredentialsNotConfigured"

    static func notConfigured(_ message: String) -> AWSError {
        AWSError(kind: .credentials, code: AWSError.credentialsNotConfigured, message: message)
    }

    static func credentials(_ code: String, _ message: String, hint: String? = nil) -> AWSError {
        AWSError(kind: .credentials, code: code, message: message, hint: hint)
    }

    public var isCredentialsNotConfigured: Bool { kind == .credentials && code == AWSError.credentialsNotConfigured }
}

/// Timestamps as the credential sources write them: ISO 8601 with or without fractional seconds, or the
/// legacy SSO cache's `...UTC` suffix.
enum CredentialTimestamp {
    static func parse(_ text: String) -> Date? {
        var s = text.trimmingCharacters(in: .whitespaces)
        if s.hasSuffix("UTC") { s = String(s.dropLast(3)) + "Z" }
        let plain = ISO8601DateFormatter()
        if let d = plain.date(from: s) { return d }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: s)
    }

    static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

/// Everything the providers may consult, captured once by the configuration loader. Holds the environment
/// (which may contain keys), so it never prints or reflects its contents.
public struct CredentialContext: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var environment: [String: String]
    public var files: SharedConfigFiles
    /// The run's region, for the STS endpoint of role assumption (nil: STS's us-east-1).
    public var region: String?
    /// For STS, SSO and container calls.
    public var transport: any HTTPTransport
    /// For the instance metadata service: a short connect timeout, since off EC2 nothing answers.
    public var metadataTransport: any HTTPTransport
    public var debugLog: (@Sendable (String) -> Void)?
    /// The clock (tests move it).
    public var now: @Sendable () -> Date

    public init(environment: [String: String], files: SharedConfigFiles, region: String? = nil,
                transport: any HTTPTransport = CurlTransport(),
                metadataTransport: any HTTPTransport = CurlTransport(options: CurlTransport.Options(connectTimeout: 1)),
                debugLog: (@Sendable (String) -> Void)? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.environment = environment
        self.files = files
        self.region = region
        self.transport = transport
        self.metadataTransport = metadataTransport
        self.debugLog = debugLog
        self.now = now
    }

    func env(_ name: String) -> String? { nonEmpty(environment[name]) }

    func log(_ line: @autoclosure () -> String) { debugLog?(line()) }

    public var description: String { "CredentialContext(region: \(region ?? "-"))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// Hides a provider's stored values (environment, paths to tokens, source credentials) from `print`,
/// `String(reflecting:)` and `dump`, so a provider can never leak a key through diagnostics.
public protocol RedactedCredentialProvider: CredentialProvider, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {}

extension RedactedCredentialProvider {
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// Reads the JSON credential documents of the container endpoint, IMDS and `credential_process`
/// (`AccessKeyId`, `SecretAccessKey`, `Token`/`SessionToken`, `Expiration`). Errors name the missing field,
/// never the document, which holds the secret.
enum CredentialDocument {
    static func parse(_ data: Data, source: String, what: String) throws -> Credentials {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw AWSError.credentials("MalformedCredentials", "\(what) did not return a JSON object")
        }
        func field(_ name: String) -> String? { (object[name] as? String).flatMap(nonEmpty) }
        guard let accessKeyId = field("AccessKeyId") else {
            throw AWSError.credentials("MalformedCredentials", "\(what) returned no AccessKeyId")
        }
        guard let secret = field("SecretAccessKey") else {
            throw AWSError.credentials("MalformedCredentials", "\(what) returned no SecretAccessKey")
        }
        var expiration: Date?
        if let text = field("Expiration") {
            guard let d = CredentialTimestamp.parse(text) else {
                throw AWSError.credentials("MalformedCredentials", "\(what) returned an Expiration that is not an ISO 8601 time")
            }
            expiration = d
        }
        return Credentials(accessKeyId: accessKeyId, secretAccessKey: secret,
                           sessionToken: field("Token") ?? field("SessionToken"), expiration: expiration, source: source)
    }
}
