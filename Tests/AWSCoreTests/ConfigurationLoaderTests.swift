// AWSConfigurationLoader: profile, region, endpoint and retry precedence, and its errors, all without network.
import Foundation
import XCTest
@testable import AWSCore

/// Fails the test if anything tries to send a request.
final class ForbiddenTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var calls: Int { lock.lock(); defer { lock.unlock() }; return count }
    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        lock.withLock { count += 1 }
        throw AWSError(kind: .transport, code: "Forbidden", message: "no network in this test")
    }
}

final class ConfigurationLoaderTests: XCTestCase {
    var dir: TempDirectory!

    override func setUpWithError() throws {
        dir = try TempDirectory()
        try dir.write("config", """
        [default]
        region = eu-west-1
        [profile dev]
        region = us-east-2
        endpoint_url = http://profile-endpoint:4566
        retry_mode = legacy
        max_attempts = 7
        [profile noregion]
        output = json
        [profile badretry]
        region = us-east-1
        max_attempts = 0
        """)
        try dir.write("credentials", "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s\n")
    }

    override func tearDown() { dir.remove() }

    func load(region: String? = nil, profile: String? = nil, endpointURL: String? = nil,
              _ env: [String: String] = [:]) throws -> AWSConfiguration {
        try AWSConfigurationLoader.resolve(region: region, profile: profile, endpointURL: endpointURL,
                                           environment: isolatedEnvironment(dir, env), debugLog: nil,
                                           transport: ForbiddenTransport())
    }

    func testRegionPrecedence() throws {
        let env = ["AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "ca-central-1"]
        XCTAssertEqual(try load(region: "us-west-1", env).region, "us-west-1", "--region wins")
        XCTAssertEqual(try load(env).region, "ap-south-1", "then AWS_REGION")
        XCTAssertEqual(try load(["AWS_DEFAULT_REGION": "ca-central-1"]).region, "ca-central-1", "then AWS_DEFAULT_REGION")
        XCTAssertEqual(try load().region, "eu-west-1", "then the default profile's region")
        XCTAssertEqual(try load(profile: "dev").region, "us-east-2", "the chosen profile's region")
        XCTAssertEqual(try load(["AWS_PROFILE": "dev"]).region, "us-east-2")
        XCTAssertEqual(try load(["AWS_REGION": ""]).region, "eu-west-1", "an empty variable is unset")
    }

    func testNoRegionIsAClearConfigurationError() throws {
        XCTAssertThrowsError(try load(profile: "noregion")) { error in
            let e = error as? AWSError
            XCTAssertEqual(e?.kind, .configuration)
            XCTAssertEqual(e?.message, "no AWS region: pass --region, set AWS_REGION, or add region to the profile")
        }
        XCTAssertThrowsError(try load(region: "eu-west-1.evil.com")) { error in
            XCTAssertEqual((error as? AWSError)?.code, "InvalidRegion")
        }
    }

    func testProfileSelectionAndMissingProfile() throws {
        XCTAssertEqual(try AWSConfigurationLoader.profileName(explicit: nil, environment: [:], files: SharedConfigFiles()), "default",
                       "no profile at all is fine: the chain looks elsewhere")
        let files = try SharedConfigFiles.load(environment: isolatedEnvironment(dir))
        XCTAssertEqual(try AWSConfigurationLoader.profileName(explicit: "dev", environment: ["AWS_PROFILE": "noregion"], files: files), "dev")
        XCTAssertEqual(try AWSConfigurationLoader.profileName(explicit: nil, environment: ["AWS_PROFILE": "dev", "AWS_DEFAULT_PROFILE": "noregion"],
                                                              files: files), "dev")
        XCTAssertEqual(try AWSConfigurationLoader.profileName(explicit: nil, environment: ["AWS_DEFAULT_PROFILE": "noregion"], files: files),
                       "noregion")
        for (profile, env, origin) in [("nope", [String: String](), "--profile"), (nil, ["AWS_PROFILE": "nope"], "AWS_PROFILE")] {
            XCTAssertThrowsError(try load(region: "us-east-1", profile: profile, env)) { error in
                let e = error as? AWSError
                XCTAssertEqual(e?.kind, .configuration)
                XCTAssertEqual(e?.code, "ProfileNotFound")
                XCTAssertTrue(e?.message.contains("profile 'nope' (from \(origin))") ?? false, "\(String(describing: e))")
                XCTAssertTrue(e?.hint?.contains("default, dev") ?? false)
            }
        }
    }

    func testEndpointPrecedence() throws {
        let env = ["AWS_ENDPOINT_URL": "http://global:1", "AWS_ENDPOINT_URL_EC2": "http://ec2only:2"]
        let cli = try load(profile: "dev", endpointURL: "http://cli:3", env)
        XCTAssertEqual(try cli.endpoints.endpoint(for: .ec2).host, "cli:3", "--endpoint-url beats everything")
        let fromEnv = try load(profile: "dev", env)
        XCTAssertEqual(try fromEnv.endpoints.endpoint(for: .ec2).host, "ec2only:2", "then AWS_ENDPOINT_URL_<SERVICE>")
        XCTAssertEqual(try fromEnv.endpoints.endpoint(for: .acm).host, "global:1", "then AWS_ENDPOINT_URL")
        let fromProfile = try load(profile: "dev")
        XCTAssertEqual(try fromProfile.endpoints.endpoint(for: .acm).host, "profile-endpoint:4566", "then the profile's endpoint_url")
        XCTAssertEqual(try fromProfile.endpoints.endpoint(for: .acm).scheme, "http")
        let standard = try load()
        XCTAssertEqual(try standard.endpoints.endpoint(for: .acm).host, "acm.eu-west-1.amazonaws.com")
        let ignored = try load(profile: "dev", ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"] .merging(env) { a, _ in a })
        XCTAssertEqual(try ignored.endpoints.endpoint(for: .ec2).host, "ec2.us-east-2.amazonaws.com")
        XCTAssertThrowsError(try load(endpointURL: "not a url")) { XCTAssertEqual(($0 as? AWSError)?.code, "InvalidEndpointURL") }
        XCTAssertThrowsError(try load(["AWS_ENDPOINT_URL": "ftp://x"])) { XCTAssertEqual(($0 as? AWSError)?.kind, .configuration) }
    }

    func testPartitionHostsAndGlobalSigningRegion() throws {
        func host(_ region: String, _ service: ServiceDescriptor) throws -> Endpoint {
            try load(region: region).endpoints.endpoint(for: service)
        }
        XCTAssertEqual(try host("eu-west-1", .ec2).host, "ec2.eu-west-1.amazonaws.com")
        XCTAssertEqual(try host("cn-north-1", .apiGateway).host, "apigateway.cn-north-1.amazonaws.com.cn")
        XCTAssertEqual(try host("us-gov-west-1", .elbv2).host, "elasticloadbalancing.us-gov-west-1.amazonaws.com")
        XCTAssertEqual(try host("eu-west-1", .sts).host, "sts.eu-west-1.amazonaws.com")
        XCTAssertEqual(try host("eu-west-1", .ssoPortal).host, "portal.sso.eu-west-1.amazonaws.com")
        let r53 = try host("ap-southeast-2", .route53)
        XCTAssertEqual(r53.host, "route53.amazonaws.com")
        XCTAssertEqual(r53.signingRegion, "us-east-1")
        XCTAssertEqual(try host("cn-northwest-1", .route53).host, "route53.amazonaws.com.cn")
        XCTAssertEqual(try host("cn-north-1", .route53).signingRegion, "cn-northwest-1")
        XCTAssertEqual(try host("us-gov-east-1", .route53).host, "route53.us-gov.amazonaws.com")
        XCTAssertEqual(try host("us-gov-east-1", .route53).signingRegion, "us-gov-west-1")
        XCTAssertEqual(try host("eu-west-1", .ec2).signingRegion, "eu-west-1")
    }

    func testRetrySettings() throws {
        XCTAssertEqual(try load().retry, RetryPolicy(mode: .standard, maxAttempts: 3))
        XCTAssertEqual(try load(profile: "dev").retry, RetryPolicy(mode: .legacy, maxAttempts: 7))
        XCTAssertEqual(try load(profile: "dev", ["AWS_RETRY_MODE": "adaptive", "AWS_MAX_ATTEMPTS": "2"]).retry,
                       RetryPolicy(mode: .adaptive, maxAttempts: 2), "the environment beats the profile")
        XCTAssertEqual(try load(["AWS_RETRY_MODE": "legacy"]).retry.maxAttempts, 5, "legacy's default")
        XCTAssertThrowsError(try load(["AWS_RETRY_MODE": "aggressive"])) { XCTAssertEqual(($0 as? AWSError)?.code, "InvalidRetryMode") }
        XCTAssertThrowsError(try load(["AWS_MAX_ATTEMPTS": "three"])) { XCTAssertEqual(($0 as? AWSError)?.code, "InvalidMaxAttempts") }
        XCTAssertThrowsError(try load(profile: "badretry")) { error in
            XCTAssertEqual((error as? AWSError)?.kind, .configuration)
            XCTAssertTrue((error as? AWSError)?.message.contains("max_attempts in profile 'badretry'") ?? false)
        }
    }

    func testResolutionMakesNoCallsAndCredentialsComeLazily() async throws {
        let transport = ForbiddenTransport()
        let env = isolatedEnvironment(dir, ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds"])
        let started = Date()
        let config = try AWSConfigurationLoader.resolve(region: nil, profile: "dev", endpointURL: nil, environment: env,
                                                        debugLog: nil, transport: transport)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        XCTAssertEqual(transport.calls, 0)
        // --profile dev has no keys: the first use walks the chain and reaches the container endpoint.
        let error = await awsError { _ = try await config.credentials.credentials() }
        XCTAssertEqual(transport.calls, 3, "the container provider's three attempts, only now")
        XCTAssertEqual(error?.code, "ContainerCredentialsFailed")
    }

    func testDefaultProfileKeysAreUsedAndProvenanceIsLogged() async throws {
        let lines = LogLines()
        let config = try AWSConfigurationLoader.resolve(environment: isolatedEnvironment(dir), debugLog: { lines.add($0) })
        let creds = try await config.credentials.credentials()
        XCTAssertEqual(creds.accessKeyId, "AKIADEFAULT")
        XCTAssertEqual(creds.source, "profile:default")
        XCTAssertTrue(lines.all.contains { $0.contains("region eu-west-1 (from profile 'default')") }, "\(lines.all)")
        XCTAssertTrue(lines.all.contains { $0.hasPrefix("credentials: from shared credentials file") }, "\(lines.all)")
    }
}

final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
