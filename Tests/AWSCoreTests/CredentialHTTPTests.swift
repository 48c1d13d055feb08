// Container, IMDSv2 and SSO credentials against a local HTTP server on 127.0.0.1.
import Foundation
import XCTest
@testable import AWSCore

final class CredentialHTTPTests: XCTestCase {
    var dir: TempDirectory!
    var server: LocalHTTPServer?

    override func setUpWithError() throws { dir = try TempDirectory() }
    override func tearDown() {
        server?.stop()
        dir.remove()
    }

    static let document: JSONValue = ["AccessKeyId": "ASIALOCAL", "SecretAccessKey": "localsecret", "Token": "localtoken",
                                      "Expiration": "2031-01-01T00:00:00Z"]
    static let secrets = ["localsecret", "localtoken", "container-auth-token", "imds-session-token", "sso-access-token",
                          "ssosecret", "ssotoken"]

    func start(_ routes: [LocalHTTPServer.Route]) throws -> LocalHTTPServer {
        let s = try LocalHTTPServer(routes)
        server = s
        return s
    }

    // MARK: container

    func testContainerFullURIWithAuthorizationToken() async throws {
        let s = try start([.init(method: "GET", path: "/v2/creds", body: Self.document,
                                 require: ["Authorization": "container-auth-token"])])
        let provider = ContainerCredentialProvider(environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(s.base)/v2/creds",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-auth-token",
        ], transport: CurlTransport())
        let creds = try await provider.credentials()
        XCTAssertEqual(creds.accessKeyId, "ASIALOCAL")
        XCTAssertEqual(creds.sessionToken, "localtoken")
        XCTAssertEqual(creds.source, "container")
        XCTAssertEqual(s.requests().first?.headers["authorization"], "container-auth-token")
    }

    func testContainerTokenFileWinsAndIsRequired() async throws {
        let s = try start([.init(method: "GET", path: "/creds", body: Self.document, require: ["Authorization": "container-auth-token"])])
        let tokenFile = try dir.write("token", "container-auth-token\n")
        let good = ContainerCredentialProvider(environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(s.base)/creds",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong-token",
        ], transport: CurlTransport())
        let creds = try await good.credentials()
        XCTAssertEqual(creds.accessKeyId, "ASIALOCAL")

        let wrong = ContainerCredentialProvider(environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(s.base)/creds",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong-token",
        ], transport: CurlTransport())
        let e = await awsError { _ = try await wrong.credentials() }
        XCTAssertEqual(e?.code, "ContainerCredentialsFailed")
        XCTAssertTrue(e?.message.contains("HTTP 401") ?? false, "\(String(describing: e))")
        XCTAssertEqual(s.requests().count, 2, "a 401 is not retried")
        assertNoSecrets("\(String(describing: e))", Self.secrets + ["wrong-token"])
    }

    func testContainerRelativeURIUsesTheECSHost() async throws {
        let s = try start([.init(method: "GET", path: "/v2/credentials/abc", body: Self.document)])
        // The provider would call 169.254.170.2; the test points the same code at the local server.
        let provider = ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"],
                                                   transport: CurlTransport(), relativeBase: s.base)
        let creds = try await provider.credentials()
        XCTAssertEqual(creds.accessKeyId, "ASIALOCAL")
        XCTAssertEqual(ContainerCredentialProvider.ecsHost, "169.254.170.2")
    }

    func testContainerRejectsPlainHTTPToOtherHosts() async throws {
        let provider = ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/creds",
                                                                 "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-auth-token"],
                                                   transport: ForbiddenTransport())
        let e = await awsError { _ = try await provider.credentials() }
        XCTAssertEqual(e?.code, "InvalidContainerCredentialsURI")
    }

    // MARK: IMDSv2

    func imdsRoutes(role: String = "my-role", document: JSONValue = CredentialHTTPTests.document) -> [LocalHTTPServer.Route] {
        let token = ["X-aws-ec2-metadata-token": "imds-session-token"]
        return [
            .init(method: "PUT", path: "/latest/api/token", body: "imds-session-token",
                  require: ["X-aws-ec2-metadata-token-ttl-seconds": "21600"]),
            .init(method: "GET", path: "/latest/meta-data/iam/security-credentials/", body: .string(role), require: token),
            .init(method: "GET", path: "/latest/meta-data/iam/security-credentials/\(role)",
                  body: document.object.map { .object($0.merging(["Code": "Success", "Type": "AWS-HMAC"]) { a, _ in a }) } ?? document,
                  require: token),
        ]
    }

    func testIMDSv2TokenFirstThenRoleThenCredentials() async throws {
        let s = try start(imdsRoutes())
        let provider = InstanceMetadataCredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": s.base],
                                                          transport: CurlTransport(options: .init(connectTimeout: 1)))
        let creds = try await provider.credentials()
        XCTAssertEqual(creds.accessKeyId, "ASIALOCAL")
        XCTAssertEqual(creds.secretAccessKey, "localsecret")
        XCTAssertEqual(creds.source, "imds:my-role")
        let seen = s.requests()
        XCTAssertEqual(seen.map { "\($0.method) \($0.path)" }, [
            "PUT /latest/api/token",
            "GET /latest/meta-data/iam/security-credentials/",
            "GET /latest/meta-data/iam/security-credentials/my-role",
        ])
        XCTAssertEqual(seen[0].headers["x-aws-ec2-metadata-token-ttl-seconds"], "21600")
        XCTAssertNil(seen[0].headers["x-aws-ec2-metadata-token"])
        XCTAssertEqual(seen[1].headers["x-aws-ec2-metadata-token"], "imds-session-token")
        XCTAssertEqual(seen[2].headers["x-aws-ec2-metadata-token"], "imds-session-token")
    }

    func testIMDSThroughTheChainAndItsFailures() async throws {
        let s = try start(imdsRoutes())
        let env = isolatedEnvironment(dir, ["AWS_EC2_METADATA_SERVICE_ENDPOINT": s.base])
            .filter { $0.key != "AWS_EC2_METADATA_DISABLED" }
        let context = CredentialContext(environment: env, files: try SharedConfigFiles.load(environment: env),
                                        transport: ForbiddenTransport())
        let creds = try await DefaultCredentialChain.make(profile: "default", profileFromCommandLine: false, context: context).credentials()
        XCTAssertEqual(creds.source, "imds:my-role", "the last link of the chain")

        let disabled = InstanceMetadataCredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": s.base,
                                                                        "AWS_EC2_METADATA_DISABLED": "true"],
                                                          transport: ForbiddenTransport())
        let off = await awsError { _ = try await disabled.credentials() }
        XCTAssertTrue(off?.isCredentialsNotConfigured ?? false)

        // Nothing listening: "not on EC2", quickly (the port was just freed by the stopped server).
        s.stop()
        let started = Date()
        let gone = await awsError {
            _ = try await InstanceMetadataCredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": s.base],
                                                             transport: CurlTransport(options: .init(connectTimeout: 1))).credentials()
        }
        XCTAssertTrue(gone?.isCredentialsNotConfigured ?? false, "\(String(describing: gone))")
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
    }

    func testIMDSWithoutRole() async throws {
        let s = try start([.init(method: "PUT", path: "/latest/api/token", body: "imds-session-token")])
        let e = await awsError {
            _ = try await InstanceMetadataCredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": s.base],
                                                             transport: CurlTransport()).credentials()
        }
        XCTAssertTrue(e?.isCredentialsNotConfigured ?? false)
        XCTAssertTrue(e?.message.contains("no IAM role") ?? false)
    }

    // MARK: SSO

    func writeSSOProfile(start s: LocalHTTPServer, expiresAt: String = "2099-01-01T00:00:00Z") throws -> [String: String] {
        try dir.write("config", """
        [profile sso]
        sso_session = corp
        sso_account_id = 111122223333
        sso_role_name = Admin
        region = eu-west-1
        [sso-session corp]
        sso_region = eu-central-1
        sso_start_url = https://corp.awsapps.com/start
        """)
        // `aws sso login` names the cache file after the SHA-1 of the session name.
        try dir.write(".aws/sso/cache/\(SSOCredentialProvider.sha1Hex("corp")).json",
                      #"{"accessToken": "sso-access-token", "expiresAt": "\#(expiresAt)", "region": "eu-central-1"}"#)
        return isolatedEnvironment(dir, ["AWS_ENDPOINT_URL_SSO": s.base])
    }

    func ssoRoute() -> LocalHTTPServer.Route {
        .init(method: "GET", path: "/federation/credentials",
              body: ["roleCredentials": ["accessKeyId": "ASIASSO", "secretAccessKey": "ssosecret", "sessionToken": "ssotoken",
                                         "expiration": 1_924_992_000_000]],
              require: ["x-amz-sso_bearer_token": "sso-access-token"], query: ["account_id=111122223333", "role_name=Admin"])
    }

    func testSSOCachedTokenExchangedAtThePortal() async throws {
        let s = try start([ssoRoute()])
        let env = try writeSSOProfile(start: s)
        let config = try AWSConfigurationLoader.resolve(region: nil, profile: "sso", endpointURL: nil, environment: env,
                                                        debugLog: nil, transport: nil)
        let creds = try await config.credentials.credentials()
        XCTAssertEqual(creds.accessKeyId, "ASIASSO")
        XCTAssertEqual(creds.sessionToken, "ssotoken")
        XCTAssertEqual(creds.source, "sso:sso")
        XCTAssertEqual(creds.expiration, Date(timeIntervalSince1970: 1_924_992_000))
        let request = try XCTUnwrap(s.requests().first)
        XCTAssertNil(request.headers["authorization"], "the portal call is not SigV4-signed")
        XCTAssertEqual(SSOCredentialProvider.sha1Hex("corp"), "ee0bfd2552fbd840c02cc48b6e823320543c450f", "the cache file name the AWS CLI uses")
    }

    func testSSOErrorsTellTheUserToLogIn() async throws {
        let s = try start([ssoRoute()])
        let env = try writeSSOProfile(start: s, expiresAt: "2001-01-01T00:00:00UTC")
        let context = CredentialContext(environment: env, files: try SharedConfigFiles.load(environment: env))
        let expired = await awsError { _ = try await SSOCredentialProvider(profile: "sso", context: context).credentials() }
        XCTAssertEqual(expired?.code, "SSOTokenExpired")
        XCTAssertEqual(expired?.hint, "run `aws sso login --profile sso`")

        try FileManager.default.removeItem(atPath: dir.path(".aws/sso/cache"))
        let missing = await awsError { _ = try await SSOCredentialProvider(profile: "sso", context: context).credentials() }
        XCTAssertEqual(missing?.code, "SSOTokenMissing")

        try dir.write(".aws/sso/cache/\(SSOCredentialProvider.sha1Hex("corp")).json",
                      #"{"accessToken": "revoked-token", "expiresAt": "2099-01-01T00:00:00Z"}"#)
        let rejected = await awsError { _ = try await SSOCredentialProvider(profile: "sso", context: context).credentials() }
        XCTAssertEqual(rejected?.kind, .credentials)
        XCTAssertEqual(rejected?.httpStatus, 401)
        XCTAssertTrue(rejected?.hint?.contains("aws sso login") ?? false)
        for e in [expired, missing, rejected] { assertNoSecrets("\(String(describing: e))", Self.secrets + ["revoked-token"]) }

        try dir.write("config", "[profile sso]\nsso_session = nowhere\nsso_account_id = 1\nsso_role_name = R\n")
        let badSession = await awsError {
            let ctx = CredentialContext(environment: env, files: try SharedConfigFiles.load(environment: env))
            _ = try await SSOCredentialProvider(profile: "sso", context: ctx).credentials()
        }
        XCTAssertEqual(badSession?.code, "InvalidSSOConfig")
        XCTAssertTrue(badSession?.message.contains("[sso-session nowhere]") ?? false)
    }
}
