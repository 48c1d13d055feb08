// A profile with `role_arn` + `source_profile` or `credential_source`: resolve the source, then AssumeRole.
import Foundation

public struct ProfileRoleCredentialProvider: RedactedCredentialProvider {
    public let profile: String
    let context: CredentialContext
    /// Profiles already on the way here, to stop `source_profile` cycles.
    let visited: [String]

    public init(profile: String, context: CredentialContext) {
        self.init(profile: profile, context: context, visited: [])
    }

    init(profile: String, context: CredentialContext, visited: [String]) {
        self.profile = profile
        self.context = context
        self.visited = visited
    }

    public func credentials() async throws -> Credentials {
        guard let section = context.files.profile(profile), Self.isRoleProfile(section) else {
            throw AWSError.notConfigured("profile '\(profile)' has no role_arn")
        }
        return try await AssumeRoleCredentialProvider(parameters: try parameters(section), source: try sourceProvider(section),
                                                      label: "profile '\(profile)'", context: context,
                                                      profileEndpointURL: section["endpoint_url"]).credentials()
    }

    /// botocore leaves a profile with `web_identity_token_file` to the web-identity provider even if it has a role.
    static func isRoleProfile(_ section: ConfigSection) -> Bool {
        section["role_arn"] != nil && section["web_identity_token_file"] == nil
    }

    func parameters(_ section: ConfigSection) throws -> AssumeRoleCredentialProvider.Parameters {
        if section["mfa_serial"] != nil {
            // privgw runs unattended; prompting for a code is out of scope.
            throw AWSError(kind: .configuration, code: "UnsupportedProfile",
                           message: "profile '\(profile)' needs an MFA code (mfa_serial), which privgw cannot prompt for",
                           hint: "get temporary credentials first (e.g. `aws sts get-session-token`) and pass them in the environment")
        }
        var duration: Int?
        if let text = section["duration_seconds"] {
            guard let d = Int(text), d > 0 else {
                throw AWSError(kind: .configuration, code: "InvalidProfile",
                               message: "profile '\(profile)' has duration_seconds '\(text)', not a positive whole number")
            }
            duration = d
        }
        return .init(roleArn: section["role_arn"] ?? "",
                     sessionName: section["role_session_name"] ?? "privgw-\(Int(context.now().timeIntervalSince1970))",
                     externalId: section["external_id"], durationSeconds: duration)
    }

    func sourceProvider(_ section: ConfigSection) throws -> any CredentialProvider {
        switch (section["source_profile"], section["credential_source"]) {
        case (_?, _?):
            throw invalid("has both source_profile and credential_source; keep one")
        case (nil, nil):
            throw invalid("has role_arn but neither source_profile nor credential_source")
        case (nil, let source?):
            switch source {
            case "Environment": return EnvironmentCredentialProvider(environment: context.environment)
            case "EcsContainer": return ContainerCredentialProvider(environment: context.environment, transport: context.transport)
            case "Ec2InstanceMetadata":
                return InstanceMetadataCredentialProvider(environment: context.environment, profile: section,
                                                          transport: context.metadataTransport)
            default:
                throw invalid("has credential_source '\(source)'; use Environment, EcsContainer or Ec2InstanceMetadata")
            }
        case (let name?, nil):
            guard let source = context.files.profile(name) else {
                throw invalid("names source_profile '\(name)', which is in neither \(context.files.configPath) nor \(context.files.credentialsPath)")
            }
            let hasKeys = source["aws_access_key_id"] != nil
            if name == profile || visited.contains(name) {
                // A profile may name itself to use its own keys; any other loop never ends.
                guard hasKeys, name == profile else {
                    throw invalid("starts a source_profile loop: \((visited + [profile, name]).joined(separator: " -> "))")
                }
                return ProfileKeysSourceProvider(profile: name, section: source, files: context.files)
            }
            if hasKeys || !Self.isRoleProfile(source) {
                // As botocore: a source with keys, or without a role, supplies credentials through its own sources.
                return SourceProfileChain(profile: name, context: context)
            }
            return ProfileRoleCredentialProvider(profile: name, context: context, visited: visited + [profile])
        }
    }

    private func invalid(_ what: String) -> AWSError {
        AWSError(kind: .configuration, code: "InvalidProfile", message: "profile '\(profile)' \(what)",
                 hint: "fix the profile in \(context.files.configPath)")
    }

    public var description: String { "ProfileRoleCredentialProvider(profile: \(profile))" }
}

/// The keys of a profile used as its own source (`source_profile` naming itself).
struct ProfileKeysSourceProvider: RedactedCredentialProvider {
    let profile: String
    let section: ConfigSection
    let files: SharedConfigFiles

    init(profile: String, section: ConfigSection, files: SharedConfigFiles) {
        self.profile = profile
        self.section = section
        self.files = files
    }

    func credentials() async throws -> Credentials {
        try ProfileKeysCredentialProvider.keys(in: section, profile: profile, where: "shared files", source: "profile:\(profile)")
    }

    var description: String { "ProfileKeysSourceProvider(profile: \(profile))" }
}

/// A source profile's own sources (web identity, SSO, keys, credential_process), never the environment.
struct SourceProfileChain: RedactedCredentialProvider {
    let profile: String
    let context: CredentialContext

    func credentials() async throws -> Credentials {
        let chain = CredentialProviderChain(DefaultCredentialChain.profileLinks(profile: profile, context: context, useEnvironment: false))
        do {
            return try await chain.credentials()
        } catch let e as AWSError where e.code == CredentialProviderChain.noCredentialsCode {
            throw AWSError.notConfigured("source profile '\(profile)' has no credentials")
        }
    }

    var description: String { "SourceProfileChain(profile: \(profile))" }
}
