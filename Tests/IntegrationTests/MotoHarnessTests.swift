// The local-AWS harness itself: starts and stops by pid, verifies signatures (moto and the private-domain
// stand-in alike), keeps its key across resets, creates fixtures and names recorded calls.
import AWSCore
import Foundation
import TestSupport
import XCTest

final class MotoHarnessTests: XCTestCase {
    nonisolated(unsafe) private static var shared: MotoServer?

    override class func setUp() {
        super.setUp()
        shared = try? MotoServer.start(recording: true)
    }

    override class func tearDown() {
        shared?.stop()
        shared = nil
        super.tearDown()
    }

    private func server() throws -> MotoServer {
        guard let server = Self.shared else { return try MotoServer.start(recording: true) }
        return server
    }

    /// A request signed by privgw's signer, with the harness's key unless `secret` says otherwise.
    private func signed(_ server: MotoServer, service: String, method: String = "POST", path: String = "/",
                        form: String? = nil, secret: String? = nil) -> HTTPRequest {
        var request = HTTPRequest(method: method, scheme: "http", host: "127.0.0.1:\(server.port)", path: path)
        if let form {
            request.setHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            request.body = Data(form.utf8)
        }
        let credentials = Credentials(accessKeyId: server.accessKeyId,
                                      secretAccessKey: secret ?? server.secretAccessKey)
        SigV4Signer(credentials: credentials, region: server.region, service: service).sign(&request)
        return request
    }

    private let describeVpcs = "Action=DescribeVpcs&Version=2016-11-15"

    func testStopEndsTheHarnessProcessByPid() throws {
        let server = try MotoServer.start(verifySignatures: false)
        let pid = server.pid
        XCTAssertEqual(kill(pid, 0), 0, "harness pid \(pid) should be alive while running")
        XCTAssertTrue(server.endpoint.hasPrefix("http://127.0.0.1:"))

        server.stop()
        let result = kill(pid, 0), error = errno
        XCTAssertEqual(result, -1, "harness pid \(pid) still exists after stop()")
        XCTAssertEqual(error, ESRCH)
        XCTAssertFalse(server.isRunning)
    }

    func testWrongSecretIsRejectedAndTheHarnessKeyIsAccepted() throws {
        let server = try server()
        let good = try MotoServer.send(signed(server, service: "ec2", form: describeVpcs))
        XCTAssertEqual(good.status, 200, good.bodyText)
        XCTAssertTrue(good.bodyText.contains("DescribeVpcsResponse"), good.bodyText)

        let bad = try MotoServer.send(signed(server, service: "ec2", form: describeVpcs, secret: "wrong-secret"))
        XCTAssertEqual(bad.status, 401, bad.bodyText)
        XCTAssertTrue(bad.bodyText.contains("AuthFailure"), bad.bodyText)

        let badRoute53 = try MotoServer.send(signed(server, service: "route53", method: "GET",
                                                    path: "/2013-04-01/hostedzone", secret: "wrong-secret"))
        XCTAssertEqual(badRoute53.status, 403, badRoute53.bodyText)
    }

    func testStandInServesAccessAssociationsOnlyToCorrectlySignedRequests() throws {
        let server = try server()
        let list = try MotoServer.send(signed(server, service: "apigateway", method: "GET",
                                              path: "/domainnameaccessassociations"))
        XCTAssertEqual(list.status, 200, list.bodyText)
        XCTAssertTrue(list.bodyText.contains("\"item\""), list.bodyText)

        let forged = try MotoServer.send(signed(server, service: "apigateway", method: "GET",
                                                path: "/domainnameaccessassociations", secret: "wrong-secret"))
        XCTAssertEqual(forged.status, 403, forged.bodyText)

        // The ARN label travels percent-encoded; the stand-in verifies the path as sent (moto itself cannot),
        // so a correctly signed delete of an unknown association is a 404 NotFoundException, not a 403.
        let arn = "arn:aws:apigateway:us-east-1:123456789012:/domainnameaccessassociations/domainname/a.example.com+abc/vpcesource/vpce-1"
        let delete = try MotoServer.send(signed(server, service: "apigateway", method: "DELETE",
                                                path: "/domainnameaccessassociations/" + URIEncoding.encode(arn)))
        XCTAssertEqual(delete.status, 404, delete.bodyText)
        XCTAssertTrue(delete.bodyText.contains("NotFoundException"), delete.bodyText)
    }

    func testResetWipesStateButKeepsTheCredentialsValid() throws {
        let server = try server()
        let create = try MotoServer.send(signed(server, service: "ec2",
                                                form: "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.99.0.0/16"))
        XCTAssertEqual(create.status, 200, create.bodyText)

        try server.reset()

        let after = try MotoServer.send(signed(server, service: "ec2", form: describeVpcs))
        XCTAssertEqual(after.status, 200, "the harness key must survive a reset: \(after.bodyText)")
        XCTAssertFalse(after.bodyText.contains("10.99.0.0/16"), "reset left the VPC behind")
    }

    func testFixturesAreCreatedAndTheRecordingNamesEachCall() throws {
        let server = try server()
        try server.resetRecording()
        let fixtures = try server.createFixtures()
        XCTAssertTrue(fixtures.vpcId.hasPrefix("vpc-"))
        XCTAssertEqual(fixtures.subnetIds.count, 2)
        XCTAssertEqual(Set(fixtures.availabilityZones).count, 2)
        XCTAssertNotEqual(fixtures.publicZoneId, fixtures.privateZoneId)

        let subnets = try MotoServer.send(signed(server, service: "ec2",
            form: "Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=\(fixtures.vpcId)"))
        for id in fixtures.subnetIds { XCTAssertTrue(subnets.bodyText.contains(id), subnets.bodyText) }

        let calls = try server.recordedCalls()
        let names = calls.map(\.description)
        XCTAssertTrue(names.contains("ec2:CreateVpc"), "\(names)")
        XCTAssertEqual(names.filter { $0 == "route53:CreateHostedZone" }.count, 3, "\(names)")
        XCTAssertEqual(calls.last?.description, "ec2:DescribeSubnets")
        XCTAssertEqual(calls.last?.mutating, false)
        XCTAssertEqual(calls.first { $0.operation == "GetResources" }?.mutating, false, "\(names)")
        let mutating = try server.recordedMutatingCalls().map(\.description)
        XCTAssertTrue(mutating.contains("apigateway:CreateDeployment"), "\(mutating)")
        XCTAssertFalse(mutating.contains { $0.contains(":Describe") || $0.contains(":Get") }, "\(mutating)")

        try server.resetRecording()
        XCTAssertEqual(try server.recordedCalls(), [])
    }

    func testPrivgwBinaryIsFoundNextToTheTests() throws {
        let binary = try Privgw.binary()
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary.path), binary.path)
    }
}
