// The ALB design end to end through the built binary against moto (signatures verified): plan, up, status,
// up again with zero mutating calls, down; every claim checked independently with boto3 (inspect_stack.py).
import AWSCore
import AWSServices
import Foundation
import TestSupport
import XCTest

/// A stack under test: moto, its fixtures, a spec file and a state directory.
struct StackFixture {
    let moto: MotoServer
    let fixtures: MotoFixtures
    let dir: URL
    let spec: URL
    let stack: String

    static func make(stack: String = "itest", design: String = "alb", recording: Bool = true,
                     extra: String = "", apis: String? = nil, privateZone: String? = nil) throws -> StackFixture {
        // ACM certificates turn ISSUED at once instead of after moto's default 60 s.
        let moto = try MotoServer.start(verifySignatures: true, recording: recording,
                                        environment: ["MOTO_ACM_VALIDATION_WAIT": "0"])
        let fixtures = try moto.createFixtures()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("privgw-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let spec = dir.appendingPathComponent("privgw.yaml")
        let yaml = """
        name: \(stack)
        region: \(fixtures.region)
        design: \(design)
        domain: api.example.com
        vpc: \(fixtures.vpcId)
        subnets: [\(fixtures.subnetIds.joined(separator: ", "))]
        certificate:
          validationZone: \(fixtures.publicZoneId)
        privateZone: \(privateZone ?? fixtures.privateZoneId)
        \(apis ?? "api:\n  id: demo\n  stage: prod")
        tags: {team: payments}
        \(extra)
        """
        try yaml.write(to: spec, atomically: true, encoding: .utf8)
        return StackFixture(moto: moto, fixtures: fixtures, dir: dir, spec: spec, stack: stack)
    }

    /// Runs privgw with the spec and state directory of this fixture.
    func run(_ args: [String], environment: [String: String] = [:], timeout: TimeInterval = 300) throws -> CommandResult {
        try moto.runPrivgw(args + ["-f", spec.path, "--state-dir", dir.appendingPathComponent("state").path],
                           environment: environment, currentDirectory: dir, timeout: timeout)
    }

    func json(_ result: CommandResult) throws -> JSONValue {
        try JSONValue.parse(Data(result.stdout.utf8))
    }

    var client: AWSClient {
        AWSClient(configuration: AWSConfiguration(
            region: moto.region, credentials: StaticCredentialProvider(moto.credentials),
            endpoints: EndpointResolver(region: moto.region, commandLineURL: moto.endpoint)))
    }

    func stop() {
        moto.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}

final class ALBDesignTests: XCTestCase {
    func testUpStatusUpAgainDownAgainstMoto() async throws {
        let f = try StackFixture.make()
        defer { f.stop() }

        // Decoys the user owns: privgw must never touch them.
        let ec2 = EC2Client(f.client)
        let decoySG = try await ec2.createSecurityGroup(name: "decoy", description: "not privgw's", vpcId: f.fixtures.vpcId,
                                                        tags: ["privgw:stack": "someone-else"])
        let r53 = Route53Client(f.client)
        _ = try await r53.changeResourceRecordSets(zoneId: f.fixtures.privateZoneId, changes: [
            .init(.create, .plain(name: "decoy.example.com", type: "A", ttl: 60, values: ["10.20.9.9"])),
        ])

        // plan: everything to create, and not one mutating call.
        try f.moto.resetRecording()
        let plan = try f.run(["plan", "--output", "json"])
        XCTAssertEqual(plan.status, 0, plan.description)
        let planJSON = try f.json(plan)
        let actions = Dictionary(uniqueKeysWithValues: (planJSON["steps"]?.array ?? []).compactMap { s -> (String, String)? in
            guard let step = s["step"]?.string, let action = s["action"]?.string else { return nil }
            return (step, action)
        })
        XCTAssertEqual(actions["alb"], "create", plan.stdout)
        XCTAssertEqual(actions["listener"], "create", plan.stdout)
        XCTAssertEqual(actions["network"], "adopt", plan.stdout)
        XCTAssertEqual(try f.moto.recordedMutatingCalls(), [], "plan must not change anything")

        // up
        let up = try f.run(["up", "--yes"])
        XCTAssertEqual(up.status, 0, up.description)
        XCTAssertTrue(up.stdout.contains("api.example.com"), up.stdout)
        XCTAssertTrue(up.stdout.contains("curl"), up.stdout)

        // Independent read-back with boto3.
        let snap = try f.moto.snapshot()
        let lbs = snap.loadBalancers.filter { $0.tags["privgw:stack"] == f.stack }
        XCTAssertEqual(lbs.count, 1)
        let lb = try XCTUnwrap(lbs.first)
        XCTAssertEqual(lb.scheme, "internal")
        XCTAssertEqual(lb.tags["team"], "payments")
        XCTAssertEqual(lb.tags["privgw:step"], "alb")
        XCTAssertEqual(lb.attributes["routing.http.drop_invalid_header_fields.enabled"], "true")
        let endpoints = snap.vpcEndpoints.filter { $0.tags["privgw:stack"] == f.stack }
        XCTAssertEqual(endpoints.count, 1)
        let endpoint = try XCTUnwrap(endpoints.first)
        XCTAssertEqual(endpoint.serviceName, "com.amazonaws.\(f.fixtures.region).execute-api")
        XCTAssertEqual(endpoint.privateDns, false)
        XCTAssertEqual(Set(endpoint.subnets), Set(f.fixtures.subnetIds))
        XCTAssertFalse(endpoint.ips.isEmpty)

        let tg = try XCTUnwrap(snap.targetGroups.first { $0.tags["privgw:stack"] == f.stack })
        XCTAssertEqual(tg.targetType, "ip")
        XCTAssertEqual(tg.protocol, "HTTPS")
        XCTAssertEqual(tg.port, 443)
        XCTAssertEqual(tg.healthCheckPath, "/")
        XCTAssertEqual(tg.matcher, "200,403")
        XCTAssertEqual(tg.targets, endpoint.ips, "targets must be exactly the endpoint's ENI IPs")

        let cert = try XCTUnwrap(snap.certificates.first { $0.tags["privgw:stack"] == f.stack })
        XCTAssertEqual(cert.domain, "api.example.com")
        XCTAssertEqual(cert.status, "ISSUED")
        let listener = try XCTUnwrap(lb.listeners.first)
        XCTAssertEqual(lb.listeners.count, 1)
        XCTAssertEqual(listener.port, 443)
        XCTAssertEqual(listener.protocol, "HTTPS")
        XCTAssertEqual(listener.certificates, [cert.arn])
        XCTAssertEqual(listener.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06")
        XCTAssertEqual(listener.targetGroups, [tg.arn])

        // Security groups: ALB's from the VPC CIDR only; the endpoint's from the ALB's group only.
        let albSG = try XCTUnwrap(snap.securityGroups.first { $0.tags["privgw:step"] == "alb-sg" && $0.tags["privgw:stack"] == f.stack })
        XCTAssertEqual(lb.securityGroups, [albSG.id])
        XCTAssertEqual(albSG.ingress.flatMap(\.cidrs), ["10.20.0.0/16"])
        XCTAssertFalse(snap.securityGroups.flatMap(\.ingress).flatMap(\.cidrs).contains("0.0.0.0/0"))
        let epSG = try XCTUnwrap(snap.securityGroups.first { $0.tags["privgw:step"] == "endpoint-sg" && $0.tags["privgw:stack"] == f.stack })
        XCTAssertEqual(epSG.ingress.flatMap(\.groups), [albSG.id])
        XCTAssertEqual(epSG.ingress.first?.from, 443)
        XCTAssertEqual(endpoint.groups, [epSG.id])

        let api = try XCTUnwrap(snap.restApis.first { $0.tags["privgw:stack"] == f.stack })
        XCTAssertEqual(api.endpointTypes, ["PRIVATE"])
        XCTAssertTrue(api.policy?.contains(endpoint.id) ?? false, "the API policy must name the endpoint: \(api.policy ?? "nil")")
        let domain = try XCTUnwrap(snap.domainNames.first { $0.name == "api.example.com" })
        XCTAssertEqual(domain.regionalCertificateArn, cert.arn)
        XCTAssertEqual(domain.mappings.map(\.restApiId), [api.id])
        XCTAssertEqual(domain.mappings.first?.stage, "prod")

        let zone = try XCTUnwrap(snap.zone(f.fixtures.privateZoneId))
        let record = try XCTUnwrap(zone.records.first { $0.name == "api.example.com." && $0.type == "A" })
        XCTAssertTrue(record.alias.map { $0.lowercased().contains(lb.dnsName.lowercased()) } ?? false, "\(record)")
        let validation = snap.zone(f.fixtures.publicZoneId)?.records.filter { $0.type == "CNAME" } ?? []
        XCTAssertEqual(validation.count, 1, "the ACM validation record is written in the public zone")

        // status: healthy.
        let status = try f.run(["status", "--output", "json"])
        XCTAssertEqual(status.status, 0, status.description)
        XCTAssertNotNil(try f.json(status)["resources"]?.array)

        // up again: converged, so not one mutating call.
        try f.moto.resetRecording()
        let again = try f.run(["up", "--yes"])
        XCTAssertEqual(again.status, 0, again.description)
        XCTAssertEqual(try f.moto.recordedMutatingCalls(), [], "a converged stack must need no change")
        XCTAssertEqual(try f.moto.snapshot().loadBalancers.count, 1, "no duplicate")

        // down: nothing tagged with the stack remains; the user's things are untouched.
        let down = try f.run(["down", "--yes"])
        XCTAssertEqual(down.status, 0, down.description)
        let after = try f.moto.snapshot()
        XCTAssertEqual(after.tagged(stack: f.stack), [])
        XCTAssertTrue(after.domainNames.isEmpty, "\(after.domainNames)")
        XCTAssertTrue(after.securityGroups.contains { $0.id == decoySG }, "decoy security group deleted")
        let afterZone = try XCTUnwrap(after.zone(f.fixtures.privateZoneId), "the user's private zone must survive")
        XCTAssertTrue(afterZone.records.contains { $0.name == "decoy.example.com." }, "decoy record deleted")
        XCTAssertFalse(afterZone.records.contains { $0.name == "api.example.com." })
        XCTAssertEqual(after.zone(f.fixtures.publicZoneId)?.records.filter { $0.type == "CNAME" }.count, 0,
                       "the validation record privgw wrote is removed")
        XCTAssertTrue(after.restApis.contains { $0.id == f.fixtures.restApiId }, "the user's API must survive")

        // status after down: not deployed.
        let gone = try f.run(["status"])
        XCTAssertEqual(gone.status, 3, gone.description)
    }

    func testDownWithoutJournalFindsTheStackByTags() async throws {
        let f = try StackFixture.make(stack: "tagfind", recording: false)
        defer { f.stop() }
        let up = try f.run(["up", "--yes"])
        XCTAssertEqual(up.status, 0, up.description)
        // Another machine: no journal at all.
        try FileManager.default.removeItem(at: f.dir.appendingPathComponent("state"))
        let down = try f.run(["down", "--yes"])
        XCTAssertEqual(down.status, 0, down.description)
        XCTAssertEqual(try f.moto.snapshot().tagged(stack: f.stack), [])
    }

    func testSpecErrorsExitTwoBeforeAnyAWSCall() throws {
        let f = try StackFixture.make(stack: "badspec", extra: "subnett: [x]")
        defer { f.stop() }
        try f.moto.resetRecording()
        let r = try f.run(["plan"])
        XCTAssertEqual(r.status, 2, r.description)
        XCTAssertTrue(r.stderr.contains("subnett"), r.stderr)
        XCTAssertEqual(try f.moto.recordedCalls(), [], "no AWS call for a bad spec")
    }
}

final class ALBConvergenceTests: XCTestCase {
    /// Targets that no longer match the endpoint's ENI IPs are drift: `status` says so (exit 1), `up` re-registers.
    /// (moto never changes an endpoint's IPs, so the drift is made from the other side: a target is removed and a
    /// stale IP added, which is what the target group looks like after the ENIs change.)
    func testStatusReportsTargetDriftAndUpReRegisters() async throws {
        let f = try StackFixture.make(stack: "drift", recording: false)
        defer { f.stop() }
        XCTAssertEqual(try f.run(["up", "--yes"]).status, 0)
        let snap = try f.moto.snapshot()
        let tg = try XCTUnwrap(snap.targetGroups.first { $0.tags["privgw:stack"] == "drift" })
        let ips = try XCTUnwrap(snap.vpcEndpoints.first { $0.tags["privgw:stack"] == "drift" }).ips
        let elb = ELBv2Client(f.client)
        try await elb.deregisterTargets(targetGroupArn: tg.arn, targets: [.init(id: ips[0], port: 443)])
        try await elb.registerTargets(targetGroupArn: tg.arn, targets: [.init(id: "10.20.1.250", port: 443)])

        let status = try f.run(["status", "--output", "json"])
        XCTAssertEqual(status.status, 1, "drift is degraded: \(status.description)")
        let drift = try f.json(status)["drift"]?.strings ?? []
        XCTAssertTrue(drift.contains { $0.contains("targets") && $0.contains(ips[0]) && $0.contains("10.20.1.250") }, "\(drift)")

        let up = try f.run(["up", "--yes"])
        XCTAssertEqual(up.status, 0, up.description)
        let after = try XCTUnwrap(try f.moto.snapshot().targetGroups.first { $0.arn == tg.arn })
        XCTAssertEqual(after.targets, ips, "up re-registers exactly the endpoint's IPs")
        XCTAssertEqual(try f.run(["status"]).status, 0)
        XCTAssertEqual(try f.run(["down", "--yes"]).status, 0)
    }

    /// A custom domain name that someone else owns stops `up` at that step; what this run created is rolled back
    /// and the foreign domain is left exactly as it was.
    func testForeignDomainNameFailsUpAndRollsBackThisRunsResources() async throws {
        let f = try StackFixture.make(stack: "foreign", recording: false)
        defer { f.stop() }
        let acm = ACMClient(f.client)
        let theirCert = try await acm.requestCertificate(.init(domainName: "api.example.com", subjectAlternativeNames: [],
                                                               validationMethod: "DNS", idempotencyToken: "theirs", tags: [:]))
        let gw = APIGatewayClient(f.client)
        _ = try await gw.createDomainName(.init(domainName: "api.example.com", endpoint: .regional, certificateArn: theirCert,
                                                tags: ["owner": "another-team"]))

        let up = try f.run(["up", "--yes"])
        XCTAssertEqual(up.status, 1, up.description)
        XCTAssertTrue(up.stderr.contains("domain-name"), up.stderr)
        XCTAssertTrue(up.stderr.contains("ForeignResource") || up.stderr.contains("not tagged"), up.stderr)

        let snap = try f.moto.snapshot()
        XCTAssertEqual(snap.tagged(stack: "foreign"), [], "the failed run's own resources are rolled back")
        let theirs = try XCTUnwrap(snap.domainNames.first { $0.name == "api.example.com" }, "the foreign domain must survive")
        XCTAssertEqual(theirs.tags["owner"], "another-team")
        XCTAssertEqual(theirs.regionalCertificateArn, theirCert)
        XCTAssertTrue(theirs.mappings.isEmpty, "privgw must not map anything onto a domain it does not own")
    }
}
