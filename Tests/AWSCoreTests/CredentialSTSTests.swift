// Role assumption (AssumeRole, AssumeRoleWithWebIdentity) against moto's STS, and the role profile's own errors.
import Foundation
import TestSupport
import XCTest
@testable import AWSCore

final class CredentialSTSTests: XCTestCase {
    var dir: TempDirectory!
    var moto: MotoServer?

    override func setUpWithError() throws { dir = try TempDirectory() }
    override func tearDown() {
        moto?.stop()  // SIGTERM to the harness's pid, then SIGKILL
        dir.remove()
    }

    func startMoto(verify: Bool = true) throws -> MotoServer {
        let m = try MotoServer.start(verifySignatures: verify)
        moto = m
        return m
    }

    func env(_ m: MotoServer, _ extra: [String: String] = [:]) -> [String: String] {
        isolatedEnvironment(dir, ["AWS_ENDPOINT_URL_STS": m.endpoint, "AWS_REGION": m.region].merging(extra) { _, n in n })
    }

    func resolve(profile: String?, _ env: [String: String], transport: any HTTPTransport) throws -> AWSConfiguration {
        try AWSConfigurationLoader.resolve(region: nil, profile: profile, endpointURL: nil, environment: env, debugLog: nil,
                                           transport: transport)
    }

    static func form(_ request: HTTPRequest) -> String { String(decoding: request.body, as: UTF8.self) }

    func testAssumeRoleProfileSignsWithTheSourceAndReturnsMotosTemporaryCredentials() async throws {
        let m = try startMoto()
        try dir.write("config", """
        [profile role]
        role_arn = arn:aws:iam::123456789012:role/privgw-test
        source_profile = base
        role_session_name = privgw-test-session
        external_id = ext-1
        duration_seconds = 1800
        [profile base]
        region = us-east-1
        """)
        try dir.write("credentials", "[base]\naws_access_key_id = \(m.accessKeyId)\naws_secret_access_key = \(m.secretAccessKey)\n")
        let transport = RecordingTransport()
        let config = try resolve(profile: "role", env(m), transport: transport)
        XCTAssertEqual(transport.requests.count, 0, "nothing is fetched while resolving")

        let creds = try await config.credentials.credentials()
        XCTAssertTrue(creds.accessKeyId.hasPrefix("ASIA"), creds.accessKeyId)
        XCTAssertNotEqual(creds.accessKeyId, m.accessKeyId)
        XCTAssertNotNil(creds.sessionToken)
        XCTAssertNotNil(creds.expiration)
        XCTAssertEqual(creds.source, "assume-role:profile 'role'")

        let sent = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertTrue(sent.header("Authorization")?.contains("Credential=\(m.accessKeyId)/") ?? false, "signed with the source profile's key")
        XCTAssertTrue(sent.header("Authorization")?.contains("/sts/aws4_request") ?? false)
        let body = Self.form(sent)
        for part in ["Action=AssumeRole", "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fprivgw-test",
                     "RoleSessionName=privgw-test-session", "ExternalId=ext-1", "DurationSeconds=1800"] {
            XCTAssertTrue(body.contains(part), "\(part) missing from \(body)")
        }
        let again = try await config.credentials.credentials()
        XCTAssertEqual(again, creds)
        XCTAssertEqual(transport.requests.count, 1, "cached until near expiry")
    }

    func testRoleChainsAndCredentialSourceEnvironment() async throws {
        let m = try startMoto(verify: false)  // the second hop signs with moto's fake ASIA key, which it cannot verify
        try dir.write("config", """
        [profile first]
        role_arn = arn:aws:iam::123456789012:role/first
        source_profile = base
        [profile second]
        role_arn = arn:aws:iam::123456789012:role/second
        source_profile = first
        [profile fromenv]
        role_arn = arn:aws:iam::123456789012:role/fromenv
        credential_source = Environment
        """)
        try dir.write("credentials", "[base]\naws_access_key_id = \(m.accessKeyId)\naws_secret_access_key = \(m.secretAccessKey)\n")

        let chained = RecordingTransport()
        let creds = try await resolve(profile: "second", env(m), transport: chained).credentials.credentials()
        XCTAssertTrue(creds.accessKeyId.hasPrefix("ASIA"))
        XCTAssertEqual(chained.requests.count, 2)
        XCTAssertTrue(Self.form(chained.requests[0]).contains("role%2Ffirst"))
        XCTAssertTrue(Self.form(chained.requests[1]).contains("role%2Fsecond"))
        let firstHopKey = chained.requests[1].header("Authorization") ?? ""
        XCTAssertTrue(firstHopKey.contains("Credential=ASIA"), "the second hop is signed with the first role's credentials")

        let fromEnv = RecordingTransport()
        let envCreds = try await resolve(profile: "fromenv", env(m, ["AWS_ACCESS_KEY_ID": m.accessKeyId,
                                                                     "AWS_SECRET_ACCESS_KEY": m.secretAccessKey]),
                                         transport: fromEnv).credentials.credentials()
        XCTAssertTrue(envCreds.accessKeyId.hasPrefix("ASIA"))
        XCTAssertTrue(fromEnv.requests.first?.header("Authorization")?.contains("Credential=\(m.accessKeyId)/") ?? false)
    }

    func testWebIdentityFromEnvironmentIsUnsignedAndReturnsMotosCredentials() async throws {
        // moto answers an unsigned call with HTTP 500 while it verifies signatures (its authenticator wants an
        // Authorization header); AWS takes this call unsigned, so the check is switched off here.
        let m = try startMoto(verify: false)
        let tokenFile = try dir.write("web-token", "eyJ-web-identity-token\n")
        let transport = RecordingTransport()
        let config = try resolve(profile: nil, env(m, [
            "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile,
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/web",
            "AWS_ROLE_SESSION_NAME": "ci-run-7",
        ]), transport: transport)
        let creds = try await config.credentials.credentials()
        XCTAssertTrue(creds.accessKeyId.hasPrefix("ASIA"), creds.accessKeyId)
        XCTAssertNotNil(creds.sessionToken)
        XCTAssertEqual(creds.source, "web-identity:env")
        let sent = try XCTUnwrap(transport.requests.first)
        XCTAssertNil(sent.header("Authorization"), "AssumeRoleWithWebIdentity is not signed")
        let body = Self.form(sent)
        XCTAssertTrue(body.contains("Action=AssumeRoleWithWebIdentity"))
        XCTAssertTrue(body.contains("WebIdentityToken=eyJ-web-identity-token&") || body.hasSuffix("WebIdentityToken=eyJ-web-identity-token"))
        XCTAssertTrue(body.contains("RoleSessionName=ci-run-7"))
    }

    func testWebIdentityFromProfile() async throws {
        let m = try startMoto(verify: false)  // unsigned call: see above
        let tokenFile = try dir.write("web-token", "profile-web-token")
        try dir.write("config", "[profile web]\nrole_arn = arn:aws:iam::123456789012:role/web\nweb_identity_token_file = \(tokenFile)\n")
        let creds = try await resolve(profile: "web", env(m), transport: CurlTransport()).credentials.credentials()
        XCTAssertTrue(creds.accessKeyId.hasPrefix("ASIA"))
        XCTAssertEqual(creds.source, "web-identity:web")
    }

    func testSTSRejectionIsACredentialsErrorNamingTheProfileWithoutSecrets() async throws {
        let m = try startMoto()
        try dir.write("config", "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = base\n")
        try dir.write("credentials", "[base]\naws_access_key_id = AKIAUNKNOWNKEY000000\naws_secret_access_key = wrongsecretvalue\n")
        let e = await awsError { _ = try await self.resolve(profile: "role", self.env(m), transport: CurlTransport()).credentials.credentials() }
        XCTAssertEqual(e?.kind, .credentials)
        XCTAssertEqual(e?.service, "sts")
        XCTAssertEqual(e?.operation, "AssumeRole")
        XCTAssertEqual(e?.httpStatus, 403)
        XCTAssertTrue(e?.message.contains("profile 'role'") ?? false, "\(String(describing: e))")
        XCTAssertEqual(e?.resource, "arn:aws:iam::123456789012:role/x")
        assertNoSecrets("\(String(describing: e))", ["wrongsecretvalue", m.secretAccessKey])
    }

    // MARK: role profile errors (no STS needed)

    func testRoleProfileConfigurationErrors() async throws {
        try dir.write("config", """
        [profile both]
        role_arn = arn:aws:iam::1:role/r
        source_profile = a
        credential_source = Environment
        [profile neither]
        role_arn = arn:aws:iam::1:role/r
        [profile badsource]
        role_arn = arn:aws:iam::1:role/r
        credential_source = Laptop
        [profile missing]
        role_arn = arn:aws:iam::1:role/r
        source_profile = ghost
        [profile loop1]
        role_arn = arn:aws:iam::1:role/r
        source_profile = loop2
        [profile loop2]
        role_arn = arn:aws:iam::1:role/r
        source_profile = loop1
        [profile mfa]
        role_arn = arn:aws:iam::1:role/r
        source_profile = keys
        mfa_serial = arn:aws:iam::1:mfa/me
        [profile nokeys]
        role_arn = arn:aws:iam::1:role/r
        source_profile = empty
        [profile empty]
        region = us-east-1
        [profile keys]
        aws_access_key_id = AKIAKEYS
        aws_secret_access_key = keyssecret
        """)
        let environment = isolatedEnvironment(dir)
        let context = CredentialContext(environment: environment, files: try SharedConfigFiles.load(environment: environment),
                                        region: "us-east-1", transport: ForbiddenTransport(), metadataTransport: ForbiddenTransport())
        func failure(_ profile: String) async -> AWSError? {
            await awsError {
                _ = try await DefaultCredentialChain.make(profile: profile, profileFromCommandLine: true, context: context).credentials()
            }
        }
        let expectations: [(String, String)] = [
            ("both", "has both source_profile and credential_source"),
            ("neither", "neither source_profile nor credential_source"),
            ("badsource", "credential_source 'Laptop'"),
            ("missing", "source_profile 'ghost'"),
            ("loop1", "loop1 -> loop2 -> loop1"),
            ("mfa", "MFA"),
            ("nokeys", "source has no credentials"),
        ]
        for (profile, fragment) in expectations {
            let e = await failure(profile)
            XCTAssertTrue(e?.message.contains(fragment) ?? false, "\(profile): \(String(describing: e))")
            XCTAssertFalse(e?.isCredentialsNotConfigured ?? true, "\(profile) must stop the chain, not be skipped")
            assertNoSecrets("\(String(describing: e))", ["keyssecret"])
        }
    }
}
