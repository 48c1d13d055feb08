// ELBv2 client against moto with signature verification on, through the real stack (signer, libcurl, retry):
// the internal ALB, its target group of IPs, the HTTPS listener with SNI certificates, tags and the not-found codes.
// Each test makes its own VPC and names, so the tests share one server and need no reset.
import AWSCore
import AWSServices
import Foundation
import TestSupport
import XCTest

final class ELBv2ClientTests: XCTestCase {
    nonisolated(unsafe) private static var shared: MotoServer?
    nonisolated(unsafe) private static var startError: Error?

    override class func setUp() {
        super.setUp()
        do { shared = try MotoServer.start(verifySignatures: true) } catch { startError = error }
    }

    override class func tearDown() {
        shared?.stop()
        shared = nil
        super.tearDown()
    }

    private enum Setup: Error { case noServer, noCertificateArn }

    private func moto() throws -> MotoServer {
        if let server = Self.shared { return server }
        throw Self.startError ?? Setup.noServer
    }

    /// An ACM certificate for the listener (moto's CreateListener checks that it exists in ACM). The ACM client is
    /// another module's; the raw JSON call keeps these tests independent of it.
    private func certificate(_ client: AWSClient, _ domain: String) async throws -> String {
        let answer = try await client.json(.acm, "RequestCertificate", ["DomainName": .string(domain)],
                                           idempotent: false, mutating: true)
        guard let arn = answer["CertificateArn"]?.string else { throw Setup.noCertificateArn }
        return arn
    }

    func testInternalALBWithTargetGroupListenerAndCertificates() async throws {
        let moto = try moto()
        let client = EC2TestSupport.client(moto)
        let ec2 = EC2Client(client)
        let elb = ELBv2Client(client)
        let net = try await EC2TestSupport.makeNetwork(client, octet: 41)
        let group = try await ec2.createSecurityGroup(name: "privgw-alb-test", description: "alb", vpcId: net.vpcId)
        let stackTags = ["privgw:stack": "alb-test"]

        // Load balancer
        let lb = try await elb.createLoadBalancer(name: "privgw-alb-test", subnetIds: net.subnetIds,
                                                  securityGroupIds: [group], tags: stackTags)
        XCTAssertTrue(lb.arn.contains(":loadbalancer/app/privgw-alb-test/"), lb.arn)
        XCTAssertEqual(lb.name, "privgw-alb-test")
        XCTAssertEqual(lb.scheme, "internal")
        XCTAssertEqual(lb.type, "application")
        XCTAssertEqual(lb.ipAddressType, "ipv4")
        XCTAssertEqual(lb.vpcId, net.vpcId)
        XCTAssertEqual(lb.state, "provisioning")
        XCTAssertFalse(lb.dnsName.isEmpty)
        XCTAssertFalse(lb.canonicalHostedZoneId.isEmpty)
        XCTAssertEqual(Set(lb.subnetIds), Set(net.subnetIds))
        XCTAssertEqual(Set(lb.availabilityZones.compactMap(\.zoneName)), Set(net.zones))
        XCTAssertEqual(lb.securityGroupIds, [group])

        let byArn = try await elb.describeLoadBalancers(arns: [lb.arn])
        XCTAssertEqual(byArn.map(\.arn), [lb.arn])
        XCTAssertEqual(byArn.first?.state, "active")  // moto: active at the first describe; AWS: 2-4 minutes
        XCTAssertEqual(byArn.first?.dnsName, lb.dnsName)
        let byName = try await elb.describeLoadBalancers(names: [lb.name])
        XCTAssertEqual(byName.map(\.arn), [lb.arn])

        let attributes = try await elb.modifyLoadBalancerAttributes(
            arn: lb.arn, attributes: ["routing.http.drop_invalid_header_fields.enabled": "true"])
        XCTAssertEqual(attributes["routing.http.drop_invalid_header_fields.enabled"], "true")
        let readBack = try await elb.describeLoadBalancerAttributes(arn: lb.arn)
        XCTAssertEqual(readBack["routing.http.drop_invalid_header_fields.enabled"], "true")
        XCTAssertEqual(readBack["deletion_protection.enabled"], "false")

        // Target group and targets
        let tg = try await elb.createTargetGroup(name: "privgw-tg-test", vpcId: net.vpcId, healthCheckPath: "/ping",
                                                 tags: stackTags)
        XCTAssertEqual(tg.name, "privgw-tg-test")
        XCTAssertEqual(tg.protocol, "HTTPS")
        XCTAssertEqual(tg.port, 443)
        XCTAssertEqual(tg.vpcId, net.vpcId)
        XCTAssertEqual(tg.targetType, "ip")
        XCTAssertEqual(tg.healthCheckProtocol, "HTTPS")
        XCTAssertEqual(tg.healthCheckPath, "/ping")
        XCTAssertEqual(tg.healthCheckEnabled, true)
        XCTAssertEqual(tg.matcher, "200,403")
        XCTAssertEqual(tg.loadBalancerArns, [])

        let ips = ["10.41.1.10", "10.41.2.10"]
        try await elb.registerTargets(targetGroupArn: tg.arn, targets: ips.map { .init(id: $0) })
        try await elb.registerTargets(targetGroupArn: tg.arn, targets: [.init(id: ips[0])])  // again: no change
        let health = try await elb.describeTargetHealth(targetGroupArn: tg.arn)
        XCTAssertEqual(Set(health.map(\.target)), Set(ips.map { ELBv2Client.Target(id: $0, port: 443) }))
        XCTAssertEqual(Set(health.map(\.state)), ["healthy"])  // moto: healthy at once
        let one = try await elb.describeTargetHealth(targetGroupArn: tg.arn, targets: [.init(id: ips[1])])
        XCTAssertEqual(one.map(\.target.id), [ips[1]])

        // Listener
        let cert = try await certificate(client, "api.alb-test.example.com")
        let sniCert = try await certificate(client, "other.alb-test.example.com")
        let listener = try await elb.createListener(loadBalancerArn: lb.arn, certificateArn: cert, targetGroupArn: tg.arn,
                                                    tags: stackTags)
        XCTAssertEqual(listener.loadBalancerArn, lb.arn)
        XCTAssertEqual(listener.port, 443)
        XCTAssertEqual(listener.protocol, "HTTPS")
        XCTAssertEqual(listener.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06")
        XCTAssertEqual(listener.certificates.map(\.arn), [cert])
        XCTAssertEqual(listener.defaultActions.map(\.type), ["forward"])
        XCTAssertEqual(listener.defaultTargetGroupArn, tg.arn)

        let listeners = try await elb.describeListeners(loadBalancerArn: lb.arn)
        XCTAssertEqual(listeners, [listener])
        let listenersByArn = try await elb.describeListeners(arns: [listener.arn])
        XCTAssertEqual(listenersByArn.map(\.arn), [listener.arn])

        let groupsOfLB = try await elb.describeTargetGroups(loadBalancerArn: lb.arn)
        XCTAssertEqual(groupsOfLB.map(\.arn), [tg.arn])
        XCTAssertEqual(groupsOfLB.first?.loadBalancerArns, [lb.arn])
        let byTGArn = try await elb.describeTargetGroups(arns: [tg.arn])
        XCTAssertEqual(byTGArn.map(\.name), [tg.name])
        let byTGName = try await elb.describeTargetGroups(names: [tg.name])
        XCTAssertEqual(byTGName.map(\.arn), [tg.arn])

        // SNI certificates
        try await elb.addListenerCertificates(listenerArn: listener.arn, certificateArns: [sniCert])
        let certs = try await elb.describeListenerCertificates(listenerArn: listener.arn)
        XCTAssertEqual(Set(certs.map(\.arn)), [cert, sniCert])
        XCTAssertEqual(certs.first { $0.arn == cert }?.isDefault, true)
        XCTAssertEqual(certs.first { $0.arn == sniCert }?.isDefault, false)
        try await elb.removeListenerCertificates(listenerArn: listener.arn, certificateArns: [sniCert])
        let afterRemove = try await elb.describeListenerCertificates(listenerArn: listener.arn)
        XCTAssertEqual(afterRemove.map(\.arn), [cert])

        // Tags on all three kinds of resource, and adopting with AddTags.
        try await elb.addTags(resourceArns: [lb.arn, tg.arn], tags: ["privgw:owner": "me"])
        let tags = try await elb.describeTags(resourceArns: [lb.arn, tg.arn, listener.arn])
        XCTAssertEqual(tags[lb.arn], ["privgw:stack": "alb-test", "privgw:owner": "me"])
        XCTAssertEqual(tags[tg.arn], ["privgw:stack": "alb-test", "privgw:owner": "me"])
        XCTAssertEqual(tags[listener.arn], stackTags)

        // Tear down in dependency order, each delete checked by describing again.
        try await elb.deregisterTargets(targetGroupArn: tg.arn, targets: [.init(id: ips[0])])
        let remaining = try await elb.describeTargetHealth(targetGroupArn: tg.arn)
        XCTAssertEqual(remaining.map(\.target.id), [ips[1]])

        try await elb.deleteListener(arn: listener.arn)
        let listenerGone = await EC2TestSupport.error { _ = try await elb.describeListeners(arns: [listener.arn]) }
        assertNotFound(listenerGone, "ListenerNotFound", operation: "DescribeListeners")
        let deleteAgain = await EC2TestSupport.error { try await elb.deleteListener(arn: listener.arn) }
        assertNotFound(deleteAgain, "ListenerNotFound", operation: "DeleteListener")
        XCTAssertEqual(deleteAgain?.resource, listener.arn)

        try await elb.deleteTargetGroup(arn: tg.arn)
        let tgGone = await EC2TestSupport.error { _ = try await elb.describeTargetGroups(arns: [tg.arn]) }
        assertNotFound(tgGone, "TargetGroupNotFound", operation: "DescribeTargetGroups")
        XCTAssertEqual(tgGone?.resource, tg.arn)

        try await elb.deleteLoadBalancer(arn: lb.arn)
        let lbGone = await EC2TestSupport.error { _ = try await elb.describeLoadBalancers(names: [lb.name]) }
        assertNotFound(lbGone, "LoadBalancerNotFound", operation: "DescribeLoadBalancers")
        try await elb.deleteLoadBalancer(arn: lb.arn)  // already gone: success, as in AWS
        try await ec2.deleteSecurityGroup(id: group)
    }

    func testNotFoundCodesForMissingResources() async throws {
        let moto = try moto()
        let elb = ELBv2Client(EC2TestSupport.client(moto))
        let region = moto.region
        let missingTG = "arn:aws:elasticloadbalancing:\(region):123456789012:targetgroup/privgw-none/0123456789abcdef"
        let missingListener = "arn:aws:elasticloadbalancing:\(region):123456789012:listener/app/privgw-none/0123456789abcdef/0123456789abcdef"
        let missingLB = "arn:aws:elasticloadbalancing:\(region):123456789012:loadbalancer/app/privgw-none/0123456789abcdef"

        assertNotFound(await EC2TestSupport.error { _ = try await elb.describeTargetGroups(names: ["privgw-none"]) },
                       "TargetGroupNotFound", operation: "DescribeTargetGroups")
        assertNotFound(await EC2TestSupport.error { try await elb.deleteTargetGroup(arn: missingTG) },
                       "TargetGroupNotFound", operation: "DeleteTargetGroup")  // moto; AWS answers success
        assertNotFound(await EC2TestSupport.error { _ = try await elb.describeListeners(arns: [missingListener]) },
                       "ListenerNotFound", operation: "DescribeListeners")
        assertNotFound(await EC2TestSupport.error { _ = try await elb.describeLoadBalancers(arns: [missingLB]) },
                       "LoadBalancerNotFound", operation: "DescribeLoadBalancers")
        try await elb.deleteLoadBalancer(arn: missingLB)
    }

    func testWrongSecretKeyIsRejected() async throws {
        let moto = try moto()
        let elb = ELBv2Client(EC2TestSupport.client(moto, secretAccessKey: "not-the-secret"))
        let error = await EC2TestSupport.error { _ = try await elb.describeLoadBalancers() }
        XCTAssertEqual(error?.kind, .service)
        XCTAssertTrue(["AuthFailure", "SignatureDoesNotMatch"].contains(error?.code ?? ""), "\(String(describing: error))")
        XCTAssertEqual(error?.service, "elasticloadbalancing")
    }

    private func assertNotFound(_ error: AWSError?, _ code: String, operation: String,
                                file: StaticString = #filePath, line: UInt = #line) {
        guard let error else { return }  // EC2TestSupport.error already failed the test
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
        XCTAssertTrue(error.isNotFound, "\(error)", file: file, line: line)
        XCTAssertEqual(error.kind, .service, file: file, line: line)
        XCTAssertEqual(error.service, "elasticloadbalancing", file: file, line: line)
        XCTAssertEqual(error.operation, operation, file: file, line: line)
        XCTAssertEqual(error.httpStatus, 400, file: file, line: line)
        XCTAssertNotNil(error.requestId, file: file, line: line)
    }
}
