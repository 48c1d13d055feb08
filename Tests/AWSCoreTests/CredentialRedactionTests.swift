// No provider, chain, context or resolved configuration prints, reflects or dumps a secret key or token.
import Foundation
import XCTest
@testable import AWSCore

final class CredentialRedactionTests: XCTestCase {
    static let secrets = ["envSECRETvalue", "envTOKENvalue", "fileSECRETvalue", "fileTOKENvalue", "containerAUTHtoken"]

    func renderings(_ value: Any) -> String {
        var dumped = ""
        dump(value, to: &dumped)
        return String(describing: value) + "\n" + String(reflecting: value) + "\n" + dumped
    }

    func testDescriptionsAndDumpsHoldNoSecrets() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write("credentials", "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = fileSECRETvalue\naws_session_token = fileTOKENvalue\n")
        try dir.write("config", "[default]\nregion = eu-west-1\n[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\n")
        let env = isolatedEnvironment(dir, [
            "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "envSECRETvalue", "AWS_SESSION_TOKEN": "envTOKENvalue",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "containerAUTHtoken", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
        ])
        let files = try SharedConfigFiles.load(environment: env)
        let context = CredentialContext(environment: env, files: files, region: "eu-west-1")
        let providers: [Any] = [
            context,
            EnvironmentCredentialProvider(environment: env),
            ProfileKeysCredentialProvider(profile: "default", file: .credentials, files: files),
            ProcessCredentialProvider(profile: "default", command: "echo envSECRETvalue", environment: env),
            ContainerCredentialProvider(environment: env, transport: CurlTransport()),
            InstanceMetadataCredentialProvider(environment: env, transport: CurlTransport()),
            ProfileRoleCredentialProvider(profile: "role", context: context),
            AssumeRoleCredentialProvider(parameters: .init(roleArn: "arn:aws:iam::1:role/r", sessionName: "s"),
                                         source: EnvironmentCredentialProvider(environment: env), label: "test", context: context),
            WebIdentityCredentialProvider(profile: "default", context: context),
            SSOCredentialProvider(profile: "default", context: context),
            DefaultCredentialChain.make(profile: "role", profileFromCommandLine: false, context: context),
            CachingCredentialProvider(EnvironmentCredentialProvider(environment: env)),
            Credentials(accessKeyId: "AKIAENV", secretAccessKey: "envSECRETvalue", sessionToken: "envTOKENvalue"),
        ]
        for p in providers {
            assertNoSecrets(renderings(p), Self.secrets)
        }
        let config = try AWSConfigurationLoader.resolve(environment: env)
        let text = renderings(config)
        assertNoSecrets(text, Self.secrets)
        XCTAssertFalse(text.contains("AWS_SECRET_ACCESS_KEY"), "the endpoint resolver keeps only AWS_ENDPOINT_URL* variables")
    }

    func testFetchedCredentialsAndChainErrorsHoldNoSecrets() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        // Every source that prints errors about its input, fed with secrets in the places it reads.
        try dir.write("credentials", "[half]\naws_secret_access_key = fileSECRETvalue\n")
        try dir.write("bad.sh", "#!/bin/sh\necho '{\"Version\": 1, \"SecretAccessKey\": \"fileSECRETvalue\", \"SessionToken\": \"fileTOKENvalue\"}'\n",
                      executable: true)
        try dir.write("config", "[profile proc]\ncredential_process = \(dir.path("bad.sh"))\n")
        let env = isolatedEnvironment(dir, ["AWS_SECRET_ACCESS_KEY": "envSECRETvalue", "AWS_SESSION_TOKEN": "envTOKENvalue"])
        let log = LogLines()
        var errors: [String] = []
        for profile in ["half", "proc", "default"] {
            let config = try AWSConfigurationLoader.resolve(region: "us-east-1", profile: profile == "default" ? nil : profile,
                                                            endpointURL: nil, environment: env, debugLog: { log.add($0) },
                                                            transport: ForbiddenTransport())
            let e = await awsError { _ = try await config.credentials.credentials() }
            errors.append(String(describing: e))
            errors.append(e?.localizedDescription ?? "")
        }
        XCTAssertEqual(errors.count, 6)
        XCTAssertFalse(log.all.isEmpty)
        assertNoSecrets((errors + log.all).joined(separator: "\n"), Self.secrets)
    }
}
