// Credentials from IAM Identity Center (SSO): the cached `aws sso login` token, exchanged at the SSO portal.
import CCrypto
import Foundation

extension ServiceDescriptor {
    /// The SSO portal (`portal.sso.REGION.amazonaws.com`); its calls are bearer-token, not SigV4.
    public static let ssoPortal = ServiceDescriptor(signingName: "awsssoportal", endpointPrefix: "portal.sso",
                                                    endpointEnvironmentKey: "SSO", wireProtocol: .restJSON,
                                                    apiVersion: "2019-06-10")
}

public struct SSOCredentialProvider: RedactedCredentialProvider {
    public let profile: String
    let context: CredentialContext

    public init(profile: String, context: CredentialContext) {
        self.profile = profile
        self.context = context
    }

    struct Settings: Equatable {
        var accountId: String
        var roleName: String
        var region: String
        /// `sso_session` name, or the legacy profile's `sso_start_url`: the cache file is the SHA-1 of it.
        var cacheKey: String
        var loginHint: String
    }

    func settings() throws -> Settings {
        let section = context.files.profile(profile) ?? ConfigSection()
        let keys = ["sso_session", "sso_start_url", "sso_account_id", "sso_role_name", "sso_region"]
        guard keys.contains(where: { section[$0] != nil }) else {
            throw AWSError.notConfigured("profile '\(profile)' has no sso_session or sso_start_url")
        }
        let login = "run `aws sso login --profile \(profile)`"
        var region = section["sso_region"]
        var cacheKey: String
        var missing: [String] = []
        if let sessionName = section["sso_session"] {
            guard let session = context.files.ssoSessions[sessionName] else {
                throw AWSError(kind: .configuration, code: "InvalidSSOConfig",
                               message: "profile '\(profile)' names sso_session '\(sessionName)' but \(context.files.configPath) has no [sso-session \(sessionName)]",
                               hint: "add the section, e.g. with `aws configure sso-session`")
            }
            region = session["sso_region"] ?? region
            if session["sso_start_url"] == nil { missing.append("sso_start_url (in [sso-session \(sessionName)])") }
            cacheKey = sessionName
        } else {
            cacheKey = section["sso_start_url"] ?? ""
            if cacheKey.isEmpty { missing.append("sso_start_url") }
        }
        if region == nil { missing.append("sso_region") }
        let accountId = section["sso_account_id"], roleName = section["sso_role_name"]
        if accountId == nil { missing.append("sso_account_id") }
        if roleName == nil { missing.append("sso_role_name") }
        guard missing.isEmpty, let region, let accountId, let roleName else {
            throw AWSError(kind: .configuration, code: "InvalidSSOConfig",
                           message: "profile '\(profile)' is an SSO profile but lacks \(missing.joined(separator: ", "))",
                           hint: "run `aws configure sso --profile \(profile)`")
        }
        return Settings(accountId: accountId, roleName: roleName, region: region, cacheKey: cacheKey, loginHint: login)
    }

    public func credentials() async throws -> Credentials {
        let s = try settings()
        let token = try cachedToken(s)
        let endpoint = try EndpointResolver(region: s.region,
                                            environment: AWSConfigurationLoader.endpointEnvironment(context.environment))
            .endpoint(for: .ssoPortal)
        var request = HTTPRequest(method: "GET", scheme: endpoint.scheme, host: endpoint.host,
                                  path: endpoint.basePath + "/federation/credentials",
                                  query: [QueryItem("account_id", s.accountId), QueryItem("role_name", s.roleName)])
        request.setHeader("x-amz-sso_bearer_token", token)
        request.setHeader("User-Agent", "privgw/\(AWSCoreVersion.string)")
        let response: HTTPResponse
        do {
            response = try await context.transport.send(request, timeout: 30)
        } catch let e as AWSError {
            var e = e
            e.kind = .credentials
            e.service = "sso"
            e.operation = "GetRoleCredentials"
            throw e
        }
        context.log("GET sso:GetRoleCredentials -> \(response.status)")
        guard response.status == 200 else {
            var e = AWSErrorParser.parse(response, protocol: .restJSON, service: "sso", operation: "GetRoleCredentials")
            e.kind = .credentials
            e.resource = "account \(s.accountId) role \(s.roleName)"
            if response.status == 401 || response.status == 403 {
                e.hint = "the SSO session may have ended: \(s.loginHint)"
            }
            throw e
        }
        let what = "the SSO portal (profile '\(profile)')"
        guard let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
              let rc = object["roleCredentials"] as? [String: Any],
              let key = (rc["accessKeyId"] as? String).flatMap(nonEmpty),
              let secret = (rc["secretAccessKey"] as? String).flatMap(nonEmpty) else {
            throw AWSError.credentials("MalformedCredentials", "\(what) returned no roleCredentials")
        }
        // `expiration` is epoch milliseconds.
        let expiration = (rc["expiration"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue / 1000) }
        return Credentials(accessKeyId: key, secretAccessKey: secret, sessionToken: rc["sessionToken"] as? String,
                           expiration: expiration, source: "sso:\(profile)")
    }

    /// The access token `aws sso login` left in `~/.aws/sso/cache/<sha1 hex of the key>.json`.
    func cachedToken(_ s: Settings) throws -> String {
        let home = SharedConfigFiles.expandHome("~", environment: context.environment)
        let path = "\(home)/.aws/sso/cache/\(Self.sha1Hex(s.cacheKey)).json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AWSError.credentials("SSOTokenMissing", "no cached SSO token for profile '\(profile)' (\(path))",
                                       hint: s.loginHint)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let token = (object["accessToken"] as? String).flatMap(nonEmpty),
              let expiresText = object["expiresAt"] as? String, let expires = CredentialTimestamp.parse(expiresText) else {
            throw AWSError.credentials("SSOTokenMissing", "the SSO token cache \(path) has no accessToken or expiresAt",
                                       hint: s.loginHint)
        }
        guard expires > context.now() else {
            throw AWSError.credentials("SSOTokenExpired",
                                       "the SSO token for profile '\(profile)' expired at \(CredentialTimestamp.format(expires))",
                                       hint: s.loginHint)
        }
        return token
    }

    static func sha1Hex(_ text: String) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { buf in
            EVP_Digest(buf.baseAddress, buf.count, &digest, &length, EVP_sha1(), nil)
        }
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }

    public var description: String { "SSOCredentialProvider(profile: \(profile))" }
}
