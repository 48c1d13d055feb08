// Credentials from the ECS/EKS container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI).
import Foundation

public struct ContainerCredentialProvider: RedactedCredentialProvider {
    /// Where ECS serves credentials for a relative URI.
    public static let ecsHost = "169.254.170.2"
    /// Plain-http hosts botocore accepts in a full URI besides loopback: the ECS and EKS Pod Identity agents.
    static let allowedHTTPHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]"]

    let environment: [String: String]
    let transport: any HTTPTransport
    let relativeBase: String
    let attempts: Int
    let timeout: TimeInterval

    public init(environment: [String: String], transport: any HTTPTransport) {
        self.init(environment: environment, transport: transport, relativeBase: "http://\(Self.ecsHost)")
    }

    /// `relativeBase` is replaceable so a test can serve relative URIs from 127.0.0.1.
    init(environment: [String: String], transport: any HTTPTransport, relativeBase: String, attempts: Int = 3,
         timeout: TimeInterval = 2) {
        self.environment = environment
        self.transport = transport
        self.relativeBase = relativeBase
        self.attempts = attempts
        self.timeout = timeout
    }

    public func credentials() async throws -> Credentials {
        let url: String
        if let relative = nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
            url = relativeBase + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"]) {
            url = full
        } else {
            throw AWSError.notConfigured("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set")
        }
        var request = try Self.request(for: url, checkHost: environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] == nil)
        request.setHeader("Accept", "application/json")
        if let token = try authorizationToken() { request.setHeader("Authorization", token) }

        var lastProblem = ""
        for attempt in 1...max(1, attempts) {
            do {
                let response = try await transport.send(request, timeout: timeout)
                if response.status == 200 {
                    return try CredentialDocument.parse(response.body, source: "container", what: "the container credentials endpoint")
                }
                lastProblem = "HTTP \(response.status)"
                // 4xx (bad token, unknown URI) will not change on a retry.
                if response.status < 500 { break }
            } catch let e as AWSError where e.kind == .transport {
                lastProblem = e.code
            }
            if attempt < attempts { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        throw AWSError.credentials("ContainerCredentialsFailed",
                                   "the container credentials endpoint \(Self.redactedURL(request)) answered \(lastProblem)",
                                   hint: "check AWS_CONTAINER_CREDENTIALS_* and the task's or pod's IAM role")
    }

    /// The token from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read each time: EKS rotates it) or
    /// AWS_CONTAINER_AUTHORIZATION_TOKEN.
    func authorizationToken() throws -> String? {
        var token: String?
        if let path = nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AWSError.credentials("ContainerCredentialsFailed",
                                           "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (\(path))")
            }
            token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            token = nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"])
        }
        if let token, token.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw AWSError.credentials("ContainerCredentialsFailed", "the container authorization token contains a line break")
        }
        return token.flatMap(nonEmpty)
    }

    static func request(for url: String, checkHost: Bool) throws -> HTTPRequest {
        guard let comps = URLComponents(string: url), let scheme = comps.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = comps.host, !host.isEmpty else {
            throw AWSError(kind: .configuration, code: "InvalidContainerCredentialsURI",
                           message: "the container credentials URI is not an http(s) URL with a host")
        }
        if checkHost, scheme == "http", !isLoopback(host), !allowedHTTPHosts.contains(host) {
            // A plain-http full URI elsewhere would hand the authorization token to any host on the path.
            throw AWSError(kind: .configuration, code: "InvalidContainerCredentialsURI",
                           message: "AWS_CONTAINER_CREDENTIALS_FULL_URI uses http with host \(host); only loopback, "
                               + "169.254.170.2 and 169.254.170.23 may use http",
                           hint: "use an https URL")
        }
        var hostPort = host.contains(":") ? "[\(host)]" : host
        if let port = comps.port { hostPort += ":\(port)" }
        let query = (comps.queryItems ?? []).map { QueryItem($0.name, $0.value ?? "") }
        let path = comps.percentEncodedPath.isEmpty ? "/" : comps.percentEncodedPath
        return HTTPRequest(method: "GET", scheme: scheme, host: hostPort, path: path, query: query)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// Scheme, host and path only: a full URI's query string could carry a credential.
    static func redactedURL(_ r: HTTPRequest) -> String { "\(r.scheme)://\(r.host)\(r.path)" }

    public var description: String { "ContainerCredentialProvider" }
}
