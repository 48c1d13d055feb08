// Local credential sources (environment, shared files, credential_process), the chain's order and its errors.
import Foundation
import XCTest
@testable import AWSCore

final class CredentialProviderTests: XCTestCase {
    var dir: TempDirectory!
    override func setUpWithError() throws { dir = try TempDirectory() }
    override func tearDown() { dir.remove() }

    func context(_ env: [String: String] = [:]) throws -> CredentialContext {
        let environment = isolatedEnvironment(dir, env)
        return CredentialContext(environment: environment, files: try SharedConfigFiles.load(environment: environment),
                                 region: "us-east-1", transport: ForbiddenTransport(), metadataTransport: ForbiddenTransport())
    }

    func chain(profile: String = "default", fromCommandLine: Bool = false, _ env: [String: String] = [:]) throws -> CredentialProviderChain {
        DefaultCredentialChain.make(profile: profile, profileFromCommandLine: fromCommandLine, context: try context(env))
    }

    // MARK: environment

    func testEnvironmentKeysTokenAndExpiration() async throws {
        let creds = try await EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "envtoken",
            "AWS_CREDENTIAL_EXPIRATION": "2030-01-02T03:04:05Z",
        ]).credentials()
        XCTAssertEqual(creds.accessKeyId, "AKIAENV")
        XCTAssertEqual(creds.secretAccessKey, "envsecret")
        XCTAssertEqual(creds.sessionToken, "envtoken")
        XCTAssertEqual(creds.expiration, Date(timeIntervalSince1970: 1_893_553_445))
        XCTAssertEqual(creds.source, "environment")

        let absent = await awsError { _ = try await EnvironmentCredentialProvider(environment: [:]).credentials() }
        XCTAssertTrue(absent?.isCredentialsNotConfigured ?? false)
        let half = await awsError {
            _ = try await EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "AKIAENV"]).credentials()
        }
        XCTAssertEqual(half?.code, "PartialCredentials")
        let badTime = await awsError {
            _ = try await EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "B",
                                                                      "AWS_CREDENTIAL_EXPIRATION": "tomorrow"]).credentials()
        }
        XCTAssertEqual(badTime?.code, "InvalidCredentialExpiration")
    }

    // MARK: shared files

    func testCredentialsFileThenConfigFileKeys() async throws {
        try dir.write("credentials", "[default]\naws_access_key_id = AKIACREDS\naws_secret_access_key = credsecret\naws_session_token = t1\n")
        try dir.write("config", "[default]\nregion = eu-west-1\n[profile cfg]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = cfgsecret\n")
        let fromCreds = try await chain().credentials()
        XCTAssertEqual(fromCreds.accessKeyId, "AKIACREDS")
        XCTAssertEqual(fromCreds.sessionToken, "t1")
        XCTAssertEqual(fromCreds.source, "profile:default")
        let fromConfig = try await chain(profile: "cfg").credentials()
        XCTAssertEqual(fromConfig.accessKeyId, "AKIACONFIG")
        XCTAssertEqual(fromConfig.source, "config-profile:cfg")
    }

    func testEnvironmentBeatsProfilesUnlessProfileGivenOnCommandLine() async throws {
        try dir.write("credentials", "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = devsecret\n")
        let env = ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_PROFILE": "dev"]
        let viaEnvProfile = try await chain(profile: "dev", env).credentials()
        XCTAssertEqual(viaEnvProfile.accessKeyId, "AKIAENV", "AWS_PROFILE does not outrank the environment's keys")
        let viaFlag = try await chain(profile: "dev", fromCommandLine: true, env).credentials()
        XCTAssertEqual(viaFlag.accessKeyId, "AKIADEV", "--profile does (as in the AWS CLI)")
    }

    func testPartialProfileKeysStopTheChain() async throws {
        try dir.write("credentials", "[default]\naws_access_key_id = AKIAHALF\n")
        let e = await awsError { _ = try await self.chain().credentials() }
        XCTAssertEqual(e?.code, "PartialCredentials")
        XCTAssertTrue(e?.message.contains("profile 'default'") ?? false)
    }

    // MARK: credential_process

    func testCredentialProcessVersion1() async throws {
        let script = try dir.write("helper.sh", """
        #!/bin/sh
        # prints the profile's credentials; the argument proves /bin/sh -c word splitting
        echo "called with $1" >&2
        cat <<'JSON'
        {"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "procsecret", "SessionToken": "proctoken",
         "Expiration": "2031-05-06T07:08:09.123Z"}
        JSON
        """, executable: true)
        try dir.write("config", "[profile proc]\ncredential_process = \(script) first-arg\n")
        let creds = try await chain(profile: "proc").credentials()
        XCTAssertEqual(creds.accessKeyId, "AKIAPROC")
        XCTAssertEqual(creds.secretAccessKey, "procsecret")
        XCTAssertEqual(creds.sessionToken, "proctoken")
        XCTAssertEqual(creds.source, "process:proc")
        XCTAssertEqual(creds.expiration.map { Int($0.timeIntervalSince1970) }, 1_935_817_689)
    }

    func testCredentialProcessFailuresNameTheProfileAndHideTheOutput() async throws {
        try dir.write("fail.sh", "#!/bin/sh\necho 'token expired, log in again' >&2\nexit 3\n", executable: true)
        try dir.write("v2.sh", "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"AKIAV2\", \"SecretAccessKey\": \"v2secret\"}'\n",
                      executable: true)
        try dir.write("nokey.sh", "#!/bin/sh\necho '{\"Version\": 1, \"SecretAccessKey\": \"lonesecret\"}'\n", executable: true)
        try dir.write("garbage.sh", "#!/bin/sh\necho 'AKIAGARBAGE garbagesecret'\n", executable: true)
        try dir.write("config", """
        [profile fail]
        credential_process = \(dir.path("fail.sh"))
        [profile v2]
        credential_process = \(dir.path("v2.sh"))
        [profile nokey]
        credential_process = \(dir.path("nokey.sh"))
        [profile garbage]
        credential_process = \(dir.path("garbage.sh"))
        """)
        let fail = await awsError { _ = try await self.chain(profile: "fail").credentials() }
        XCTAssertEqual(fail?.code, "CredentialProcessFailed")
        XCTAssertTrue(fail?.message.contains("profile 'fail' exited with status 3: token expired, log in again") ?? false,
                      "\(String(describing: fail))")
        let v2 = await awsError { _ = try await self.chain(profile: "v2").credentials() }
        XCTAssertTrue(v2?.message.contains("profile 'v2'") ?? false)
        XCTAssertTrue(v2?.message.contains("Version") ?? false)
        let nokey = await awsError { _ = try await self.chain(profile: "nokey").credentials() }
        XCTAssertTrue(nokey?.message.contains("no AccessKeyId") ?? false)
        let garbage = await awsError { _ = try await self.chain(profile: "garbage").credentials() }
        XCTAssertTrue(garbage?.message.contains("did not print a JSON object") ?? false)
        for e in [fail, v2, nokey, garbage] {
            XCTAssertEqual(e?.kind, .credentials)
            assertNoSecrets("\(String(describing: e))", ["v2secret", "lonesecret", "garbagesecret", "AKIAGARBAGE"])
        }
    }

    // MARK: the chain

    func testNothingConfiguredListsEverySourceTriedAndHowToFix() async throws {
        let e = await awsError { _ = try await self.chain().credentials() }
        XCTAssertEqual(e?.kind, .credentials)
        XCTAssertEqual(e?.code, CredentialProviderChain.noCredentialsCode)
        let message = e?.message ?? ""
        let expectedOrder = ["environment", "assume role", "web identity", "SSO", "shared credentials file", "credential_process",
                             "config file", "container credentials", "EC2 instance metadata"]
        var last = message.startIndex
        for name in expectedOrder {
            guard let r = message.range(of: "- \(name)", range: last..<message.endIndex) else {
                XCTFail("'\(name)' missing or out of order in: \(message)"); return
            }
            last = r.upperBound
        }
        XCTAssertTrue(e?.hint?.contains("aws configure") ?? false)
        XCTAssertTrue(e?.hint?.contains("AWS_PROFILE") ?? false)
    }

    func testChainSticksToTheSourceThatWorked() async throws {
        let counting = CountingProvider()
        let chain = CredentialProviderChain([
            .init("first", EnvironmentCredentialProvider(environment: [:])),
            .init("second", counting),
        ])
        _ = try await chain.credentials()
        _ = try await chain.credentials()
        XCTAssertEqual(counting.calls, 2, "the refresh goes straight back to the provider that worked")
    }

    // MARK: caching and refresh

    func testRefreshHappensWithinFiveMinutesOfExpiryAndNotBefore() async throws {
        let clock = TestClock()
        let base = CountingProvider(lifetime: 3600, clock: clock)
        let cache = CachingCredentialProvider(base, now: { clock.now })
        let first = try await cache.credentials()
        XCTAssertEqual(first.accessKeyId, "AKIA1")
        clock.advance(3600 - 301)
        let stillFirst = try await cache.credentials()
        XCTAssertEqual(stillFirst.accessKeyId, "AKIA1", "5 min 1 s before expiry: no refresh yet")
        clock.advance(2)
        let second = try await cache.credentials()
        XCTAssertEqual(second.accessKeyId, "AKIA2", "4 min 59 s before expiry: refreshed")
        XCTAssertEqual(base.calls, 2)
    }

    func testConcurrentCallersShareOneRefresh() async throws {
        let base = CountingProvider(delay: 0.2)
        let cache = CachingCredentialProvider(base)
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.credentials().accessKeyId } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(Set(ids), ["AKIA1"])
        XCTAssertEqual(base.calls, 1)
        let fetches = await cache.fetches
        XCTAssertEqual(fetches, 1)
    }

    func testLongTermKeysAreFetchedOnceAndExpiredOnesAreRejected() async throws {
        let base = CountingProvider(lifetime: nil)
        let cache = CachingCredentialProvider(base)
        for _ in 0..<3 { _ = try await cache.credentials() }
        XCTAssertEqual(base.calls, 1)

        let expired = CachingCredentialProvider(StaticCredentialProvider(
            Credentials(accessKeyId: "AKIAOLD", secretAccessKey: "oldsecret", expiration: Date(timeIntervalSinceNow: -10), source: "environment")))
        let e = await awsError { _ = try await expired.credentials() }
        XCTAssertEqual(e?.code, "ExpiredCredentials")
        XCTAssertTrue(e?.message.contains("environment") ?? false)
    }

    func testFailedRefreshKeepsStillValidCredentials() async throws {
        let clock = TestClock()
        let base = CountingProvider(lifetime: 600, clock: clock, failAfter: 1)
        let cache = CachingCredentialProvider(base, now: { clock.now })
        _ = try await cache.credentials()
        clock.advance(400)  // 200 s left: refresh is due, and fails
        let kept = try await cache.credentials()
        XCTAssertEqual(kept.accessKeyId, "AKIA1")
        clock.advance(150)  // 50 s left: too close, the failure surfaces
        let e = await awsError { _ = try await cache.credentials() }
        XCTAssertEqual(e?.code, "Broken")
    }
}

/// Hands out AKIA1, AKIA2, ... each living `lifetime` seconds (nil: long-term), optionally slowly or failing.
final class CountingProvider: CredentialProvider, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    let lifetime: TimeInterval?
    let clock: TestClock?
    let delay: TimeInterval
    let failAfter: Int?

    init(lifetime: TimeInterval? = 3600, clock: TestClock? = nil, delay: TimeInterval = 0, failAfter: Int? = nil) {
        self.lifetime = lifetime
        self.clock = clock
        self.delay = delay
        self.failAfter = failAfter
    }

    var calls: Int { lock.lock(); defer { lock.unlock() }; return count }

    func credentials() async throws -> Credentials {
        let n: Int = { lock.lock(); defer { lock.unlock() }; count += 1; return count }()
        if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
        if let failAfter, n > failAfter { throw AWSError(kind: .credentials, code: "Broken", message: "source is down") }
        let now = clock?.now ?? Date()
        return Credentials(accessKeyId: "AKIA\(n)", secretAccessKey: "secret\(n)", sessionToken: lifetime == nil ? nil : "token\(n)",
                           expiration: lifetime.map { now + $0 }, source: "counting")
    }
}
