// Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN / AWS_CREDENTIAL_EXPIRATION.
import Foundation

public struct EnvironmentCredentialProvider: RedactedCredentialProvider {
    let environment: [String: String]

    public init(environment: [String: String]) { self.environment = environment }

    public func credentials() async throws -> Credentials {
        let key = nonEmpty(environment["AWS_ACCESS_KEY_ID"])
        let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
        switch (key, secret) {
        case (nil, nil):
            throw AWSError.notConfigured("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        case (_?, nil):
            // Half a key pair is a mistake, not an absence: falling through to another source would hide it.
            throw AWSError.credentials("PartialCredentials", "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
                                       hint: "set both variables, or unset AWS_ACCESS_KEY_ID")
        case (nil, _?):
            throw AWSError.credentials("PartialCredentials", "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
                                       hint: "set both variables, or unset AWS_SECRET_ACCESS_KEY")
        case let (key?, secret?):
            var expiration: Date?
            if let text = nonEmpty(environment["AWS_CREDENTIAL_EXPIRATION"]) {
                guard let date = CredentialTimestamp.parse(text) else {
                    throw AWSError(kind: .configuration, code: "InvalidCredentialExpiration",
                                   message: "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time",
                                   hint: "use a time such as 2030-01-01T00:00:00Z, or unset it")
                }
                expiration = date
            }
            // AWS_SECURITY_TOKEN is the legacy name botocore still reads.
            let token = nonEmpty(environment["AWS_SESSION_TOKEN"]) ?? nonEmpty(environment["AWS_SECURITY_TOKEN"])
            return Credentials(accessKeyId: key, secretAccessKey: secret, sessionToken: token, expiration: expiration,
                               source: "environment")
        }
    }

    public var description: String { "EnvironmentCredentialProvider" }
}
