// Resolves a run's AWSConfiguration from flags, environment and the shared files, as the AWS CLI does; no network.
import Foundation

public struct AWSConfigurationLoader: Sendable {
    /// Builds the configuration for one run.
    ///
    /// - Profile: `profile` (`--profile`) > `AWS_PROFILE` > `AWS_DEFAULT_PROFILE` > `default`; a named profile
    ///   that neither file holds is an error (the implicit `default` may be absent).
    /// - Region: `region` (`--region`) > `AWS_REGION` > `AWS_DEFAULT_REGION` > the profile's `region`.
    /// - Endpoints: `endpointURL` (`--endpoint-url`) > `AWS_ENDPOINT_URL_<SERVICE>` > `AWS_ENDPOINT_URL` > the
    ///   profile's `endpoint_url` (see `EndpointResolver`).
    /// - Retries: `AWS_RETRY_MODE` / `retry_mode`, `AWS_MAX_ATTEMPTS` / `max_attempts`.
    /// - Credentials: the AWS CLI's chain (`DefaultCredentialChain`) behind a refreshing cache; nothing is
    ///   fetched until the first request needs it.
    /// Throws `AWSError` of kind `.configuration` for anything missing or malformed.
    public static func resolve(region: String? = nil, profile: String? = nil, endpointURL: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               debugLog: (@Sendable (String) -> Void)? = nil) throws -> AWSConfiguration {
        try resolve(region: region, profile: profile, endpointURL: endpointURL, environment: environment,
                    debugLog: debugLog, transport: nil)
    }

    /// As above, with the transport used for credential calls (STS, SSO, container) replaceable.
    public static func resolve(region: String?, profile: String?, endpointURL: String?, environment: [String: String],
                               debugLog: (@Sendable (String) -> Void)?, transport: (any HTTPTransport)?) throws -> AWSConfiguration {
        let files = try SharedConfigFiles.load(environment: environment)
        let profileName = try Self.profileName(explicit: profile, environment: environment, files: files)
        let section = files.profile(profileName) ?? ConfigSection()

        let (regionName, regionSource) = try Self.region(explicit: region, environment: environment, profile: profileName,
                                                         section: section)
        let endpoints = try Self.endpoints(region: regionName, commandLineURL: endpointURL, environment: environment,
                                           section: section)
        let retry = try Self.retryPolicy(environment: environment, section: section, profile: profileName)

        var context = CredentialContext(environment: environment, files: files, region: regionName, debugLog: debugLog)
        if let transport { context.transport = transport }
        let chain = DefaultCredentialChain.make(profile: profileName, profileFromCommandLine: nonEmpty(profile) != nil,
                                                context: context)
        debugLog?("configuration: profile \(profileName), region \(regionName) (from \(regionSource)), "
                  + "retry \(retry.mode.rawValue) x\(retry.maxAttempts)")
        return AWSConfiguration(region: regionName, credentials: CachingCredentialProvider(chain), endpoints: endpoints,
                                retry: retry, debugLog: debugLog)
    }

    /// The profile this run uses, checking that an explicitly named one exists.
    public static func profileName(explicit: String?, environment: [String: String], files: SharedConfigFiles) throws -> String {
        let candidates: [(String?, String)] = [(explicit, "--profile"), (environment["AWS_PROFILE"], "AWS_PROFILE"),
                                               (environment["AWS_DEFAULT_PROFILE"], "AWS_DEFAULT_PROFILE")]
        guard let (name, origin) = candidates.lazy.compactMap({ v, o in nonEmpty(v).map { ($0, o) } }).first else {
            return "default"
        }
        guard files.hasProfile(name) else {
            let known = files.profileNames
            throw AWSError(kind: .configuration, code: "ProfileNotFound",
                           message: "profile '\(name)' (from \(origin)) is in neither \(files.configPath) nor \(files.credentialsPath)",
                           hint: known.isEmpty ? "create it with `aws configure --profile \(name)`"
                               : "known profiles: \(known.joined(separator: ", ")); or create it with `aws configure --profile \(name)`")
        }
        return name
    }

    static func region(explicit: String?, environment: [String: String], profile: String,
                       section: ConfigSection) throws -> (String, String) {
        let candidates: [(String?, String)] = [(explicit, "--region"), (environment["AWS_REGION"], "AWS_REGION"),
                                               (environment["AWS_DEFAULT_REGION"], "AWS_DEFAULT_REGION"),
                                               (section["region"], "profile '\(profile)'")]
        guard let (value, origin) = candidates.lazy.compactMap({ v, o in
            v.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap(nonEmpty).map { ($0, o) }
        }).first else {
            throw AWSError(kind: .configuration, code: "NoRegion",
                           message: "no AWS region: pass --region, set AWS_REGION, or add region to the profile",
                           hint: "e.g. --region eu-west-1, or `aws configure set region eu-west-1 --profile \(profile)`")
        }
        // The region becomes part of host names: refuse anything that is not a plain region code.
        guard value.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
            throw AWSError(kind: .configuration, code: "InvalidRegion",
                           message: "region '\(value)' (from \(origin)) is not a region code such as eu-west-1")
        }
        return (value, origin)
    }

    static func endpoints(region: String, commandLineURL: String?, environment: [String: String],
                          section: ConfigSection) throws -> EndpointResolver {
        var env = endpointEnvironment(environment)
        if env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] == nil, let ignore = section["ignore_configured_endpoint_urls"] {
            env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = ignore
        }
        let resolver = EndpointResolver(region: region, commandLineURL: nonEmpty(commandLineURL), environment: env,
                                        profileURL: section["endpoint_url"])
        // Check the URLs that apply to every service now, so a typo fails before any work starts.
        for url in [nonEmpty(commandLineURL), env["AWS_ENDPOINT_URL"], section["endpoint_url"]].compactMap({ $0 }) {
            _ = try EndpointResolver.parse(url, signingRegion: region)
        }
        return resolver
    }

    /// Only the variables `EndpointResolver` reads, so the process environment (which may hold keys) is not
    /// kept in a value that may be printed.
    public static func endpointEnvironment(_ environment: [String: String]) -> [String: String] {
        environment.filter { $0.key.hasPrefix("AWS_ENDPOINT_URL") || $0.key == "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" }
    }

    static func retryPolicy(environment: [String: String], section: ConfigSection, profile: String) throws -> RetryPolicy {
        var mode = RetryMode.standard
        if let (text, origin) = setting("AWS_RETRY_MODE", "retry_mode", environment, section, profile) {
            guard let m = RetryMode(rawValue: text.lowercased()) else {
                throw AWSError(kind: .configuration, code: "InvalidRetryMode",
                               message: "retry mode '\(text)' (from \(origin)) is not standard, legacy or adaptive")
            }
            mode = m
        }
        var attempts: Int?
        if let (text, origin) = setting("AWS_MAX_ATTEMPTS", "max_attempts", environment, section, profile) {
            guard let n = Int(text), n >= 1 else {
                throw AWSError(kind: .configuration, code: "InvalidMaxAttempts",
                               message: "max attempts '\(text)' (from \(origin)) is not a whole number of at least 1")
            }
            attempts = n
        }
        return RetryPolicy(mode: mode, maxAttempts: attempts)
    }

    private static func setting(_ variable: String, _ key: String, _ environment: [String: String], _ section: ConfigSection,
                                _ profile: String) -> (String, String)? {
        if let v = nonEmpty(environment[variable]?.trimmingCharacters(in: .whitespaces)) { return (v, variable) }
        if let v = section[key] { return (v, "\(key) in profile '\(profile)'") }
        return nil
    }
}
