// Temporary credentials from STS AssumeRoleWithWebIdentity with an OIDC token file (EKS IRSA, CI systems).
import Foundation

public struct WebIdentityCredentialProvider: RedactedCredentialProvider {
    public let profile: String
    let context: CredentialContext
    let useEnvironment: Bool

    /// With `useEnvironment`, `AWS_WEB_IDENTITY_TOKEN_FILE` / `AWS_ROLE_ARN` / `AWS_ROLE_SESSION_NAME` win over the
    /// profile's `web_identity_token_file` / `role_arn` / `role_session_name` (off for a role's source profile).
    public init(profile: String, context: CredentialContext, useEnvironment: Bool = true) {
        self.profile = profile
        self.context = context
        self.useEnvironment = useEnvironment
    }

    public func credentials() async throws -> Credentials {
        let section = context.files.profile(profile) ?? ConfigSection()
        let envFile = useEnvironment ? context.env("AWS_WEB_IDENTITY_TOKEN_FILE") : nil
        let (tokenFile, roleArn, sessionName, label): (String?, String?, String?, String)
        if let envFile {
            (tokenFile, roleArn, sessionName, label) = (envFile, context.env("AWS_ROLE_ARN"), context.env("AWS_ROLE_SESSION_NAME"),
                                                        "AWS_WEB_IDENTITY_TOKEN_FILE")
        } else {
            (tokenFile, roleArn, sessionName, label) = (section["web_identity_token_file"], section["role_arn"],
                                                        section["role_session_name"], "profile '\(profile)'")
        }
        guard let tokenFile else {
            throw AWSError.notConfigured(useEnvironment
                ? "AWS_WEB_IDENTITY_TOKEN_FILE is not set and profile '\(profile)' has no web_identity_token_file"
                : "profile '\(profile)' has no web_identity_token_file")
        }
        guard let roleArn else {
            throw AWSError.credentials("IncompleteWebIdentityConfig",
                                       "\(label) gives a web identity token file but no role ARN",
                                       hint: envFile != nil ? "set AWS_ROLE_ARN" : "add role_arn to profile '\(profile)'")
        }
        let path = SharedConfigFiles.expandHome(tokenFile, environment: context.environment)
        // Re-read on every call: the token rotates (EKS refreshes it about hourly).
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AWSError.credentials("WebIdentityTokenUnreadable", "cannot read the web identity token file \(path) (\(label))")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw AWSError.credentials("WebIdentityTokenUnreadable", "the web identity token file \(path) is empty (\(label))")
        }

        var params = QueryParams()
        params.set("RoleArn", roleArn)
        params.set("RoleSessionName", sessionName ?? "privgw-\(Int(context.now().timeIntervalSince1970))")
        params.set("WebIdentityToken", token)
        if let d = section["duration_seconds"].flatMap(Int.init), envFile == nil { params.set("DurationSeconds", d) }
        let sts = STSCaller(context: context, profileEndpointURL: section["endpoint_url"])
        do {
            return try await Self.assume(params, sts: sts, source: "web-identity:\(useEnvironment && envFile != nil ? "env" : profile)")
        } catch let e as AWSError {
            throw STSCaller.wrap(e, operation: "AssumeRoleWithWebIdentity", role: roleArn, label: label)
        }
    }

    /// The call is unsigned (the token is the proof of identity), so it bypasses AWSClient's signer.
    static func assume(_ params: QueryParams, sts: STSCaller, source: String) async throws -> Credentials {
        let operation = "AssumeRoleWithWebIdentity"
        let endpoint = try sts.endpoints.endpoint(for: .sts)
        var request = HTTPRequest(method: "POST", scheme: endpoint.scheme, host: endpoint.host, path: endpoint.basePath + "/",
                                  body: params.formBody(action: operation, version: ServiceDescriptor.sts.apiVersion))
        request.setHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        request.setHeader("User-Agent", "privgw/\(AWSCoreVersion.string)")
        // One retry on an answer that never arrived: the call changes nothing, so repeating it is safe.
        var response: HTTPResponse?
        for attempt in 1...2 {
            do {
                response = try await sts.transport.send(request, timeout: 30)
                break
            } catch let e as AWSError where e.kind == .transport && attempt == 1 {
                continue
            }
        }
        guard let response else { throw AWSError(kind: .transport, code: "NoResponse", message: "no answer from STS") }
        sts.debugLog?("POST sts:\(operation) -> \(response.status)")
        guard (200..<300).contains(response.status) else {
            throw AWSErrorParser.parse(response, protocol: .query, service: "sts", operation: operation)
        }
        let root = try XMLTree.parse(response.body)
        return try STSCaller.credentials(in: root.child("\(operation)Result") ?? root, source: source, operation: operation)
    }

    public var description: String { "WebIdentityCredentialProvider(profile: \(profile))" }
}
