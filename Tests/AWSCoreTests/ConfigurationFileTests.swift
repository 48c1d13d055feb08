// The shared config/credentials file reader: sections, profiles, comments, nested blocks and clear errors.
import Foundation
import XCTest
@testable import AWSCore

final class ConfigurationFileTests: XCTestCase {
    func testProfilesSessionsAndServicesFromConfigFile() throws {
        let config = """
        # a comment
        ; another comment
        [default]
        region = eu-west-1
        output=json

        [profile dev]
        Region : us-east-2
        endpoint_url = http://127.0.0.1:5000
        credential_process = /usr/bin/helper --arg "x#y"
        s3 =
          max_concurrent_requests = 10
          addressing_style = path
        retry_mode = adaptive

        [sso-session corp]
        sso_region = eu-central-1
        sso_start_url = https://corp.awsapps.com/start

        [services local]
        ec2 =
          endpoint_url = http://localhost:1

        [notaprofile]
        region = ap-south-1
        """
        let credentials = """
        [dev]
        aws_access_key_id = AKIADEV
        aws_secret_access_key = devsecret
        [other]
        aws_access_key_id = AKIAOTHER
        """
        let files = try SharedConfigFiles.parse(config: config, credentials: credentials)
        XCTAssertEqual(files.configProfiles["default"]?["region"], "eu-west-1")
        XCTAssertEqual(files.configProfiles["default"]?["output"], "json")
        let dev = try XCTUnwrap(files.profile("dev"))
        XCTAssertEqual(dev["region"], "us-east-2", "keys are case-insensitive and ':' separates like '='")
        XCTAssertEqual(dev["endpoint_url"], "http://127.0.0.1:5000")
        XCTAssertEqual(dev["credential_process"], "/usr/bin/helper --arg \"x#y\"", "a '#' inside a value is kept")
        XCTAssertEqual(dev.nested["s3"], ["max_concurrent_requests": "10", "addressing_style": "path"])
        XCTAssertEqual(dev["retry_mode"], "adaptive", "a nested block ends at the next unindented key")
        XCTAssertEqual(dev["aws_access_key_id"], "AKIADEV", "the credentials file is merged into the profile")
        XCTAssertEqual(files.ssoSessions["corp"]?["sso_region"], "eu-central-1")
        XCTAssertEqual(files.services["local"]?.nested["ec2"]?["endpoint_url"], "http://localhost:1")
        XCTAssertNil(files.configProfiles["notaprofile"], "config sections without 'profile ' are not profiles")
        XCTAssertTrue(files.hasProfile("other"))
        XCTAssertFalse(files.hasProfile("notaprofile"))
        XCTAssertEqual(files.profileNames, ["default", "dev", "other"])
    }

    func testCredentialsFileWinsOverConfigFileAndProfileDefaultWinsOverDefault() throws {
        let files = try SharedConfigFiles.parse(
            config: "[profile default]\nregion = us-west-2\n[default]\nregion = eu-west-1\noutput = text\n[profile p]\nregion = a\naws_access_key_id = FROMCONFIG\n",
            credentials: "[p]\naws_access_key_id = FROMCREDS\n")
        XCTAssertEqual(files.profile("default")?["region"], "us-west-2")
        XCTAssertEqual(files.profile("default")?["output"], "text")
        XCTAssertEqual(files.profile("p")?["aws_access_key_id"], "FROMCREDS")
        XCTAssertEqual(files.configProfiles["p"]?["aws_access_key_id"], "FROMCONFIG")
    }

    func testEmptyValueIsUnsetAndContinuationLinesJoin() throws {
        let files = try SharedConfigFiles.parse(config: "[default]\nregion =\ncmd = one\n  two\n", credentials: "")
        XCTAssertNil(files.profile("default")?["region"])
        XCTAssertEqual(files.profile("default")?["cmd"], "one\ntwo")
    }

    func testMalformedLinesNameTheLineButNeverQuoteIt() throws {
        for text in ["aws_secret_access_key = SECRETBEFORESECTION\n", "[default]\nSECRETWITHOUTEQUALS\n", "[default\nx = y\n"] {
            XCTAssertThrowsError(try SharedConfigFiles.parse(config: "", credentials: text, credentialsPath: "/tmp/creds")) { error in
                let e = error as? AWSError
                XCTAssertEqual(e?.kind, .configuration)
                XCTAssertEqual(e?.code, "MalformedConfigFile")
                XCTAssertTrue(e?.message.contains("/tmp/creds line") ?? false, "\(String(describing: e))")
                assertNoSecrets("\(error)", ["SECRET"])
            }
        }
    }

    func testFileLocationsFromEnvironmentAndHome() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write(".aws/config", "[profile home]\nregion = eu-north-1\n")
        try dir.write(".aws/credentials", "[home]\naws_access_key_id = A\naws_secret_access_key = B\n")
        try dir.write("elsewhere/conf", "[profile moved]\nregion = sa-east-1\n")
        let fromHome = try SharedConfigFiles.load(environment: ["HOME": dir.url.path])
        XCTAssertEqual(fromHome.profile("home")?["region"], "eu-north-1")
        XCTAssertEqual(fromHome.profile("home")?["aws_access_key_id"], "A")
        XCTAssertEqual(fromHome.configPath, dir.path(".aws/config"))
        let moved = try SharedConfigFiles.load(environment: ["HOME": dir.url.path, "AWS_CONFIG_FILE": dir.path("elsewhere/conf"),
                                                             "AWS_SHARED_CREDENTIALS_FILE": dir.path("missing")])
        XCTAssertEqual(moved.profileNames, ["moved"], "a missing file is empty")
        XCTAssertThrowsError(try SharedConfigFiles.load(environment: ["AWS_CONFIG_FILE": dir.url.path]),
                             "a directory is not a config file")
    }
}
