// Tries credential sources in order, remembers the first that works, and reports everything tried when none does.
import Foundation

public actor CredentialProviderChain: CredentialProvider, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    public static let noCredentialsCode = "NoCredentials"

    public struct Link: Sendable {
        /// What the source is, for the "tried" list: e.g. `environment`, `shared credentials file`.
        public var name: String
        public var provider: any CredentialProvider
        public init(_ name: String, _ provider: any CredentialProvider) {
            self.name = name
            self.provider = provider
        }
    }

    public nonisolated let links: [Link]
    let debugLog: (@Sendable (String) -> Void)?
    /// Once a source has worked, refreshes go back to it (as botocore does), not through the whole chain.
    private var chosen: Int?

    public init(_ links: [Link], debugLog: (@Sendable (String) -> Void)? = nil) {
        self.links = links
        self.debugLog = debugLog
    }

    public func credentials() async throws -> Credentials {
        if let chosen { return try await links[chosen].provider.credentials() }
        var tried: [String] = []
        for (index, link) in links.enumerated() {
            do {
                let credentials = try await link.provider.credentials()
                chosen = index
                debugLog?("credentials: from \(link.name) (\(credentials.source))")
                return credentials
            } catch let e as AWSError where e.isCredentialsNotConfigured {
                debugLog?("credentials: \(link.name): \(e.message)")
                tried.append("\(link.name): \(e.message)")
            }
        }
        throw AWSError(kind: .credentials, code: Self.noCredentialsCode,
                       message: "no AWS credentials found; tried, in order:\n" + tried.map { "    - \($0)" }.joined(separator: "\n"),
                       hint: "run `aws configure` (or `aws sso login`), set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                           + "or choose a configured profile with --profile or AWS_PROFILE")
    }

    public nonisolated var description: String {
        "CredentialProviderChain(" + links.map(\.name).joined(separator: ", ") + ")"
    }
    public nonisolated var debugDescription: String { description }
    public nonisolated var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// The AWS CLI v2's chain: environment, assume-role profile, web identity, SSO, credentials file,
/// credential_process, config file, container, instance metadata.
public enum DefaultCredentialChain {
    /// - Parameter profileFromCommandLine: the profile came from `--profile`; then, as in the AWS CLI, the
    ///   environment's keys are not consulted (AWS_PROFILE does not have this effect).
    public static func make(profile: String, profileFromCommandLine: Bool, context: CredentialContext) -> CredentialProviderChain {
        var links: [CredentialProviderChain.Link] = []
        if !profileFromCommandLine {
            links.append(.init("environment", EnvironmentCredentialProvider(environment: context.environment)))
        }
        links.append(.init("assume role (profile '\(profile)')", ProfileRoleCredentialProvider(profile: profile, context: context)))
        links += profileLinks(profile: profile, context: context, useEnvironment: true)
        links.append(.init("container credentials", ContainerCredentialProvider(environment: context.environment,
                                                                                transport: context.transport)))
        links.append(.init("EC2 instance metadata",
                           InstanceMetadataCredentialProvider(environment: context.environment,
                                                              profile: context.files.profile(profile) ?? ConfigSection(),
                                                              transport: context.metadataTransport)))
        return CredentialProviderChain(links, debugLog: context.debugLog)
    }

    /// The sources that belong to one profile, in chain order.
    static func profileLinks(profile: String, context: CredentialContext, useEnvironment: Bool) -> [CredentialProviderChain.Link] {
        let section = context.files.profile(profile)
        return [
            .init("web identity", WebIdentityCredentialProvider(profile: profile, context: context, useEnvironment: useEnvironment)),
            .init("SSO (profile '\(profile)')", SSOCredentialProvider(profile: profile, context: context)),
            .init("shared credentials file (\(context.files.credentialsPath))",
                  ProfileKeysCredentialProvider(profile: profile, file: .credentials, files: context.files)),
            .init("credential_process (profile '\(profile)')",
                  ProcessCredentialProvider(profile: profile, command: section?["credential_process"], environment: context.environment)),
            .init("config file (\(context.files.configPath))",
                  ProfileKeysCredentialProvider(profile: profile, file: .config, files: context.files)),
        ]
    }
}
