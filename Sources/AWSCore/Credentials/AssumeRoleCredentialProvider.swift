// Temporary credentials from STS AssumeRole, called with a source provider's credentials.
import Foundation

public struct AssumeRoleCredentialProvider: RedactedCredentialProvider {
    public struct Parameters: Sendable, Equatable {
        public var roleArn: String
        public var sessionName: String
        public var externalId: String?
        public var durationSeconds: Int?

        public init(roleArn: String, sessionName: String, externalId: String? = nil, durationSeconds: Int? = nil) {
            self.roleArn = roleArn
            self.sessionName = sessionName
            self.externalId = externalId
            self.durationSeconds = durationSeconds
        }
    }

    public let parameters: Parameters
    /// Who is asking, for messages (`profile 'x'`).
    public let label: String
    let source: any CredentialProvider
    let sts: STSCaller

    public init(parameters: Parameters, source: any CredentialProvider, label: String, context: CredentialContext,
                profileEndpointURL: String? = nil) {
        self.parameters = parameters
        self.source = source
        self.label = label
        self.sts = STSCaller(context: context, profileEndpointURL: profileEndpointURL)
    }

    public func credentials() async throws -> Credentials {
        let sourceCredentials: Credentials
        do {
            sourceCredentials = try await source.credentials()
        } catch let e as AWSError where e.isCredentialsNotConfigured {
            // The role needs source credentials; "none there" must not let the chain skip to another source.
            throw AWSError.credentials("NoSourceCredentials", "\(label) assumes role \(parameters.roleArn) but its source has no credentials: \(e.message)")
        }
        var params = QueryParams()
        params.set("RoleArn", parameters.roleArn)
        params.set("RoleSessionName", parameters.sessionName)
        params.set("ExternalId", parameters.externalId)
        params.set("DurationSeconds", parameters.durationSeconds)
        let client = sts.client(signingWith: sourceCredentials)
        do {
            let result = try await client.query(.sts, "AssumeRole", params, idempotent: true, mutating: false)
            return try STSCaller.credentials(in: result, source: "assume-role:\(label)", operation: "AssumeRole")
        } catch let e as AWSError {
            throw STSCaller.wrap(e, operation: "AssumeRole", role: parameters.roleArn, label: label)
        }
    }

    public var description: String { "AssumeRoleCredentialProvider(\(label), role: \(parameters.roleArn))" }
}

/// How the credential providers reach STS: the run's region and the STS endpoint overrides
/// (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, the profile's `endpoint_url`; not `--endpoint-url`, which the
/// AWS CLI applies only to the command's own service).
struct STSCaller: Sendable {
    let region: String
    let endpoints: EndpointResolver
    let transport: any HTTPTransport
    let debugLog: (@Sendable (String) -> Void)?

    init(context: CredentialContext, profileEndpointURL: String?) {
        region = context.region ?? "us-east-1"
        endpoints = EndpointResolver(region: region, environment: AWSConfigurationLoader.endpointEnvironment(context.environment),
                                     profileURL: profileEndpointURL)
        transport = context.transport
        debugLog = context.debugLog
    }

    func client(signingWith credentials: Credentials) -> AWSClient {
        AWSClient(configuration: AWSConfiguration(region: region, credentials: StaticCredentialProvider(credentials),
                                                  endpoints: endpoints, debugLog: debugLog),
                  transport: transport)
    }

    /// Reads `<Credentials>` of an AssumeRole* result.
    static func credentials(in result: XMLTree, source: String, operation: String) throws -> Credentials {
        guard let c = result.find("Credentials") ?? result.child("Credentials"),
              let key = c.string("AccessKeyId").flatMap(nonEmpty),
              let secret = c.string("SecretAccessKey").flatMap(nonEmpty),
              let token = c.string("SessionToken").flatMap(nonEmpty) else {
            throw AWSError(kind: .malformedResponse, code: "MalformedCredentials",
                           message: "STS \(operation) answered without complete Credentials", service: "sts", operation: operation)
        }
        let expiration = c.string("Expiration").flatMap(CredentialTimestamp.parse)
        return Credentials(accessKeyId: key, secretAccessKey: secret, sessionToken: token, expiration: expiration, source: source)
    }

    /// Turns an STS failure into a credentials error naming the role and who asked for it. An unreadable
    /// success body may hold the new secret, so its snippet is dropped.
    static func wrap(_ e: AWSError, operation: String, role: String, label: String) -> AWSError {
        var out = e
        out.kind = .credentials
        out.service = "sts"
        out.operation = operation
        out.resource = role
        let detail = e.kind == .malformedResponse ? "STS answered with a body that could not be read" : e.message
        out.message = "\(label): \(detail)"
        if out.hint == nil {
            out.hint = e.kind == .transport
                ? "check the network path to STS (AWS_ENDPOINT_URL_STS overrides its address)"
                : "check that the role exists and trusts the source identity"
        }
        return out
    }
}
