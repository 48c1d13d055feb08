// Static keys written in a profile, in the credentials file or the config file (two links of the chain).
import Foundation

public struct ProfileKeysCredentialProvider: RedactedCredentialProvider {
    public enum File: String, Sendable {
        case credentials = "shared credentials file"
        case config = "config file"
    }

    public let profile: String
    public let file: File
    let files: SharedConfigFiles

    public init(profile: String, file: File, files: SharedConfigFiles) {
        self.profile = profile
        self.file = file
        self.files = files
    }

    public func credentials() async throws -> Credentials {
        let path = file == .credentials ? files.credentialsPath : files.configPath
        guard let section = file == .credentials ? files.credentialProfiles[profile] : files.configProfiles[profile] else {
            throw AWSError.notConfigured("no profile '\(profile)' in the \(file.rawValue) (\(path))")
        }
        return try Self.keys(in: section, profile: profile, where: "\(file.rawValue) \(path)",
                             source: file == .credentials ? "profile:\(profile)" : "config-profile:\(profile)")
    }

    /// `aws_access_key_id` / `aws_secret_access_key` / `aws_session_token` of one section.
    static func keys(in section: ConfigSection, profile: String, where place: String, source: String) throws -> Credentials {
        switch (section["aws_access_key_id"], section["aws_secret_access_key"]) {
        case (nil, nil):
            throw AWSError.notConfigured("profile '\(profile)' has no aws_access_key_id in the \(place)")
        case (nil, _?), (_?, nil):
            throw AWSError.credentials("PartialCredentials",
                                       "profile '\(profile)' in the \(place) has only one of aws_access_key_id and aws_secret_access_key",
                                       hint: "set both, e.g. with `aws configure --profile \(profile)`")
        case let (key?, secret?):
            return Credentials(accessKeyId: key, secretAccessKey: secret,
                               sessionToken: section["aws_session_token"] ?? section["aws_security_token"], source: source)
        }
    }

    public var description: String { "ProfileKeysCredentialProvider(profile: \(profile), \(file.rawValue))" }
}
