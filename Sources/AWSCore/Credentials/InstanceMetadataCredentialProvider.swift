// Credentials of an EC2 instance's IAM role from IMDSv2 (token PUT, then the role name, then its credentials).
import Foundation

public struct InstanceMetadataCredentialProvider: RedactedCredentialProvider {
    public static let defaultEndpoint = "http://169.254.169.254"
    public static let defaultIPv6Endpoint = "http://[fd00:ec2::254]"
    static let tokenTTLSeconds = "21600"

    let environment: [String: String]
    let profile: ConfigSection
    let transport: any HTTPTransport

    /// `profile` supplies `ec2_metadata_service_endpoint[_mode]`, `metadata_service_timeout` and
    /// `metadata_service_num_attempts` when the matching variables are not set. Give `transport` a short
    /// connect timeout: off EC2 nothing answers and the whole chain waits for this provider.
    public init(environment: [String: String], profile: ConfigSection = ConfigSection(), transport: any HTTPTransport) {
        self.environment = environment
        self.profile = profile
        self.transport = transport
    }

    private func setting(_ variable: String, _ key: String) -> String? { nonEmpty(environment[variable]) ?? profile[key] }

    var endpoint: String {
        if let e = setting("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint") { return e }
        if setting("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode")?.lowercased() == "ipv6" {
            return Self.defaultIPv6Endpoint
        }
        return Self.defaultEndpoint
    }

    var timeout: TimeInterval {
        setting("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout").flatMap(TimeInterval.init).map { max(0.1, $0) } ?? 1
    }

    var attempts: Int {
        setting("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts").flatMap(Int.init).map { max(1, $0) } ?? 1
    }

    public func credentials() async throws -> Credentials {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            throw AWSError.notConfigured("AWS_EC2_METADATA_DISABLED is true")
        }
        let base = try ContainerCredentialProvider.request(for: endpoint, checkHost: false)
        func request(_ method: String, _ path: String) -> HTTPRequest {
            var r = base
            r.method = method
            r.path = (base.path == "/" ? "" : base.path.hasSuffix("/") ? String(base.path.dropLast()) : base.path) + path
            return r
        }

        // IMDSv2 session token; 403/404/405 mean an IMDS that only speaks v1 (botocore then falls back).
        var tokenRequest = request("PUT", "/latest/api/token")
        tokenRequest.setHeader("X-aws-ec2-metadata-token-ttl-seconds", Self.tokenTTLSeconds)
        let tokenResponse = try await send(tokenRequest)
        var token: String?
        switch tokenResponse.status {
        case 200:
            token = tokenResponse.bodyText.trimmingCharacters(in: .whitespacesAndNewlines)
        case 403, 404, 405:
            let v1Disabled = setting("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled")?.lowercased() == "true"
            if v1Disabled {
                throw AWSError.credentials("InstanceMetadataFailed",
                                           "IMDS at \(endpoint) refused a v2 token (HTTP \(tokenResponse.status)) and IMDSv1 is disabled")
            }
        default:
            throw AWSError.credentials("InstanceMetadataFailed",
                                       "IMDS at \(endpoint) answered the token request with HTTP \(tokenResponse.status)")
        }

        let rolesPath = "/latest/meta-data/iam/security-credentials/"
        var rolesRequest = request("GET", rolesPath)
        if let token { rolesRequest.setHeader("X-aws-ec2-metadata-token", token) }
        let roles = try await send(rolesRequest)
        if roles.status == 404 {
            throw AWSError.notConfigured("the instance at \(endpoint) has no IAM role (instance profile)")
        }
        guard roles.status == 200,
              let role = roles.bodyText.split(whereSeparator: \.isNewline).first.map({ $0.trimmingCharacters(in: .whitespaces) }),
              !role.isEmpty else {
            throw AWSError.credentials("InstanceMetadataFailed",
                                       "IMDS at \(endpoint) answered the role listing with HTTP \(roles.status) and no role name")
        }
        var credsRequest = request("GET", rolesPath + URIEncoding.encode(role))
        if let token { credsRequest.setHeader("X-aws-ec2-metadata-token", token) }
        let creds = try await send(credsRequest)
        guard creds.status == 200 else {
            throw AWSError.credentials("InstanceMetadataFailed",
                                       "IMDS at \(endpoint) answered HTTP \(creds.status) for the credentials of role \(role)")
        }
        let what = "IMDS credentials of role \(role)"
        if let object = (try? JSONSerialization.jsonObject(with: creds.body)) as? [String: Any],
           let code = object["Code"] as? String, code != "Success" {
            throw AWSError.credentials("InstanceMetadataFailed", "\(what): IMDS reported \(code)")
        }
        return try CredentialDocument.parse(creds.body, source: "imds:\(role)", what: what)
    }

    /// One metadata call with the configured attempts; no answer at all means "not on EC2" (the chain moves on).
    private func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var lastCode = ""
        for _ in 1...attempts {
            do {
                return try await transport.send(request, timeout: timeout)
            } catch let e as AWSError where e.kind == .transport {
                lastCode = e.code
            }
        }
        throw AWSError.notConfigured("no instance metadata service answered at \(endpoint) (\(lastCode), \(timeout) s timeout)")
    }

    public var description: String { "InstanceMetadataCredentialProvider(endpoint: \(endpoint))" }
}
