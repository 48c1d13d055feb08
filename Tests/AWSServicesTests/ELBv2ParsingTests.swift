// ELBv2 client without a server: the form parameters each call sends (checked against botocore's serializer) and
// how answers are read, from documents captured from moto 5.2.1 and trimmed, plus the malformed cases.
@testable import AWSServices
import AWSCore
import Foundation
import XCTest

final class ELBv2ParsingTests: XCTestCase {
    private let ns = #"xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/""#

    private func response(_ action: String, _ result: String) -> String {
        "<\(action)Response \(ns)><\(action)Result>\(result)</\(action)Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></\(action)Response>"
    }

    private let loadBalancerXML = """
        <member><LoadBalancerArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/lb1/50cf</LoadBalancerArn>
        <DNSName>internal-lb1-1.us-east-1.elb.amazonaws.com</DNSName><CanonicalHostedZoneId>Z35SXDOTRQ7X7K</CanonicalHostedZoneId>
        <LoadBalancerName>lb1</LoadBalancerName><Scheme>internal</Scheme><VpcId>vpc-4</VpcId><State><Code>provisioning</Code></State>
        <Type>application</Type><AvailabilityZones><member><ZoneName>us-east-1a</ZoneName><SubnetId>subnet-a</SubnetId></member>
        <member><ZoneName>us-east-1b</ZoneName><SubnetId>subnet-b</SubnetId></member></AvailabilityZones>
        <SecurityGroups><member>sg-2</member></SecurityGroups><IpAddressType>ipv4</IpAddressType></member>
        """

    private let targetGroupXML = """
        <member><TargetGroupArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg1/2343</TargetGroupArn>
        <TargetGroupName>tg1</TargetGroupName><Protocol>HTTPS</Protocol><Port>443</Port><VpcId>vpc-4</VpcId>
        <HealthCheckProtocol>HTTPS</HealthCheckProtocol><HealthCheckPort>traffic-port</HealthCheckPort><HealthCheckEnabled>true</HealthCheckEnabled>
        <HealthCheckPath>/</HealthCheckPath><Matcher><HttpCode>200,403</HttpCode></Matcher>
        <LoadBalancerArns><member>arn:lb</member></LoadBalancerArns><TargetType>ip</TargetType></member>
        """

    // MARK: - What goes on the wire (expected pairs printed by botocore.serialize for the same inputs)

    func testCreateCallsSendBotocoreParameterNames() async throws {
        let stub = EC2StubTransport(xml:
            response("CreateLoadBalancer", "<LoadBalancers>\(loadBalancerXML)</LoadBalancers>"),
            response("CreateTargetGroup", "<TargetGroups>\(targetGroupXML)</TargetGroups>"),
            response("CreateListener", """
                <Listeners><member><ListenerArn>arn:l</ListenerArn><LoadBalancerArn>arn:lb</LoadBalancerArn><Port>443</Port>
                <Protocol>HTTPS</Protocol><Certificates><member><CertificateArn>arn:c</CertificateArn></member></Certificates>
                <SslPolicy>p</SslPolicy><DefaultActions><member><Type>forward</Type><TargetGroupArn>arn:tg</TargetGroupArn></member></DefaultActions>
                </member></Listeners>
                """),
            response("RegisterTargets", ""),
            response("ModifyLoadBalancerAttributes", "<Attributes><member><Key>k</Key><Value>v</Value></member><member><Key>e</Key><Value/></member></Attributes>"))
        let elb = ELBv2Client(stub.client())

        let lb = try await elb.createLoadBalancer(name: "lb1", subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-2"],
                                                  tags: ["privgw:stack": "demo"])
        XCTAssertEqual(stub.form(0), [
            "Action": "CreateLoadBalancer", "Version": "2015-12-01", "Name": "lb1",
            "Subnets.member.1": "subnet-a", "Subnets.member.2": "subnet-b", "SecurityGroups.member.1": "sg-2",
            "Scheme": "internal", "Type": "application", "IpAddressType": "ipv4",
            "Tags.member.1.Key": "privgw:stack", "Tags.member.1.Value": "demo",
        ])
        XCTAssertEqual(lb.subnetIds, ["subnet-a", "subnet-b"])

        _ = try await elb.createTargetGroup(name: "n", vpcId: "vpc-1")
        XCTAssertEqual(stub.form(1), [
            "Action": "CreateTargetGroup", "Version": "2015-12-01", "Name": "n", "Protocol": "HTTPS", "Port": "443",
            "VpcId": "vpc-1", "TargetType": "ip", "HealthCheckEnabled": "true", "HealthCheckProtocol": "HTTPS",
            "HealthCheckPath": "/", "Matcher.HttpCode": "200,403",
        ])

        let listener = try await elb.createListener(loadBalancerArn: "lb", certificateArn: "c", targetGroupArn: "tg",
                                                    sslPolicy: "p", tags: ["k": "v"])
        XCTAssertEqual(stub.form(2), [
            "Action": "CreateListener", "Version": "2015-12-01", "LoadBalancerArn": "lb", "Protocol": "HTTPS",
            "Port": "443", "SslPolicy": "p", "Certificates.member.1.CertificateArn": "c",
            "DefaultActions.member.1.Type": "forward", "DefaultActions.member.1.TargetGroupArn": "tg",
            "Tags.member.1.Key": "k", "Tags.member.1.Value": "v",
        ])
        XCTAssertEqual(listener.defaultTargetGroupArn, "arn:tg")

        try await elb.registerTargets(targetGroupArn: "tg", targets: [.init(id: "10.0.0.1")])
        XCTAssertEqual(stub.form(3), ["Action": "RegisterTargets", "Version": "2015-12-01", "TargetGroupArn": "tg",
                                      "Targets.member.1.Id": "10.0.0.1", "Targets.member.1.Port": "443"])

        let attributes = try await elb.modifyLoadBalancerAttributes(arn: "lb", attributes: ["k": "v"])
        XCTAssertEqual(stub.form(4), ["Action": "ModifyLoadBalancerAttributes", "Version": "2015-12-01",
                                      "LoadBalancerArn": "lb", "Attributes.member.1.Key": "k", "Attributes.member.1.Value": "v"])
        XCTAssertEqual(attributes, ["k": "v", "e": ""])
    }

    func testDescribeTagsSendsTwentyArnsPerCall() async throws {
        let arns = (1...25).map { "arn:\($0)" }
        func page(_ slice: ArraySlice<String>) -> String {
            response("DescribeTags", "<TagDescriptions>" + slice.map {
                "<member><ResourceArn>\($0)</ResourceArn><Tags><member><Key>n</Key><Value>\($0)</Value></member></Tags></member>"
            }.joined() + "</TagDescriptions>")
        }
        let stub = EC2StubTransport(xml: page(arns[0..<20]), page(arns[20...]))
        let tags = try await ELBv2Client(stub.client()).describeTags(resourceArns: arns)
        XCTAssertEqual(tags.count, 25)
        XCTAssertEqual(tags["arn:25"], ["n": "arn:25"])
        XCTAssertEqual(stub.requests.count, 2)
        XCTAssertEqual(stub.form(0)["ResourceArns.member.20"], "arn:20")
        XCTAssertNil(stub.form(0)["ResourceArns.member.21"])
        XCTAssertEqual(stub.form(1)["ResourceArns.member.5"], "arn:25")
    }

    func testDescribeFollowsNextMarker() async throws {
        let stub = EC2StubTransport(xml:
            response("DescribeTargetGroups", "<TargetGroups>\(targetGroupXML)</TargetGroups><NextMarker>m1</NextMarker>"),
            response("DescribeTargetGroups", "<TargetGroups/>"))
        let groups = try await ELBv2Client(stub.client()).describeTargetGroups(loadBalancerArn: "arn:lb")
        XCTAssertEqual(groups.count, 1)
        XCTAssertEqual(stub.form(0)["LoadBalancerArn"], "arn:lb")
        XCTAssertNil(stub.form(0)["Marker"])
        XCTAssertEqual(stub.form(1)["Marker"], "m1")
    }

    // MARK: - Reading answers

    private func reader(_ xml: String, _ op: String) throws -> QueryResponseReader {
        let root = try XMLTree.parse(Data(xml.utf8))
        return QueryResponseReader(root.child("\(op)Result") ?? root, service: "elasticloadbalancing", operation: op)
    }

    func testLoadBalancerAndTargetGroupFields() throws {
        let lb = try ELBv2Client.LoadBalancer(
            try reader(response("DescribeLoadBalancers", "<LoadBalancers>\(loadBalancerXML)</LoadBalancers>"),
                       "DescribeLoadBalancers").items("LoadBalancers", item: "member")[0])
        XCTAssertEqual(lb.name, "lb1")
        XCTAssertEqual(lb.dnsName, "internal-lb1-1.us-east-1.elb.amazonaws.com")
        XCTAssertEqual(lb.canonicalHostedZoneId, "Z35SXDOTRQ7X7K")
        XCTAssertEqual(lb.state, "provisioning")
        XCTAssertEqual(lb.scheme, "internal")
        XCTAssertEqual(lb.type, "application")
        XCTAssertEqual(lb.vpcId, "vpc-4")
        XCTAssertEqual(lb.availabilityZones, [.init(zoneName: "us-east-1a", subnetId: "subnet-a"),
                                              .init(zoneName: "us-east-1b", subnetId: "subnet-b")])
        XCTAssertEqual(lb.securityGroupIds, ["sg-2"])

        let tg = try ELBv2Client.TargetGroup(
            try reader(response("DescribeTargetGroups", "<TargetGroups>\(targetGroupXML)</TargetGroups>"),
                       "DescribeTargetGroups").items("TargetGroups", item: "member")[0])
        XCTAssertEqual(tg.name, "tg1")
        XCTAssertEqual(tg.protocol, "HTTPS")
        XCTAssertEqual(tg.port, 443)
        XCTAssertEqual(tg.targetType, "ip")
        XCTAssertEqual(tg.healthCheckEnabled, true)
        XCTAssertEqual(tg.healthCheckProtocol, "HTTPS")
        XCTAssertEqual(tg.healthCheckPath, "/")
        XCTAssertEqual(tg.matcher, "200,403")
        XCTAssertEqual(tg.loadBalancerArns, ["arn:lb"])
    }

    func testTargetHealthAndWeightedForward() throws {
        let health = try reader(response("DescribeTargetHealth", """
            <TargetHealthDescriptions><member><Target><Id>10.0.1.5</Id><Port>443</Port></Target><HealthCheckPort>traffic-port</HealthCheckPort>
            <TargetHealth><State>unhealthy</State><Reason>Target.ResponseCodeMismatch</Reason><Description>Health checks failed with these codes: [404]</Description></TargetHealth></member>
            <member><Target><Id>10.0.2.5</Id><Port>443</Port></Target><TargetHealth><State>healthy</State></TargetHealth></member></TargetHealthDescriptions>
            """), "DescribeTargetHealth").items("TargetHealthDescriptions", item: "member").map(ELBv2Client.TargetHealth.init)
        XCTAssertEqual(health.map(\.target), [.init(id: "10.0.1.5"), .init(id: "10.0.2.5")])
        XCTAssertEqual(health.map(\.state), ["unhealthy", "healthy"])
        XCTAssertEqual(health[0].reason, "Target.ResponseCodeMismatch")
        XCTAssertEqual(health[0].description, "Health checks failed with these codes: [404]")
        XCTAssertNil(health[1].reason)

        // A forward written by the console as a one-group ForwardConfig carries no top-level TargetGroupArn.
        let listener = try ELBv2Client.Listener(try reader(response("DescribeListeners", """
            <Listeners><member><ListenerArn>arn:l</ListenerArn><LoadBalancerArn>arn:lb</LoadBalancerArn><Port>443</Port><Protocol>HTTPS</Protocol>
            <DefaultActions><member><Type>forward</Type><ForwardConfig><TargetGroups><member><TargetGroupArn>arn:tg2</TargetGroupArn><Weight>1</Weight></member></TargetGroups></ForwardConfig></member></DefaultActions>
            </member></Listeners>
            """), "DescribeListeners").items("Listeners", item: "member")[0])
        XCTAssertEqual(listener.defaultTargetGroupArn, "arn:tg2")
        XCTAssertNil(listener.sslPolicy)
        XCTAssertEqual(listener.certificates, [])
    }

    func testMalformedAnswers() async throws {
        let stub = EC2StubTransport(xml:
            // No DNS name: nothing to point the alias record at.
            response("DescribeLoadBalancers", "<LoadBalancers><member><LoadBalancerArn>a</LoadBalancerArn><LoadBalancerName>n</LoadBalancerName><CanonicalHostedZoneId>Z</CanonicalHostedZoneId><State><Code>active</Code></State><Scheme>internal</Scheme></member></LoadBalancers>"),
            // A port that is not a number.
            response("DescribeListeners", "<Listeners><member><ListenerArn>a</ListenerArn><LoadBalancerArn>b</LoadBalancerArn><Port>https</Port><Protocol>HTTPS</Protocol></member></Listeners>"),
            // A create answer without the created resource.
            response("CreateTargetGroup", "<TargetGroups/>"),
            // Another document entirely.
            "<ErrorPage>upstream</ErrorPage>")
        let elb = ELBv2Client(stub.client())
        await assertMalformed("DescribeLoadBalancers", containing: "`DNSName`") { _ = try await elb.describeLoadBalancers(names: ["n"]) }
        await assertMalformed("DescribeListeners", containing: "`Port`") { _ = try await elb.describeListeners(loadBalancerArn: "b") }
        await assertMalformed("CreateTargetGroup", containing: "exactly one") { _ = try await elb.createTargetGroup(name: "n", vpcId: "v") }
        await assertMalformed("DescribeTargetGroups", containing: "<ErrorPage>") { _ = try await elb.describeTargetGroups(names: ["n"]) }
    }

    private func assertMalformed(_ operation: String, containing text: String, file: StaticString = #filePath,
                                 line: UInt = #line, _ body: () async throws -> Void) async {
        do {
            try await body()
            XCTFail("expected malformedResponse", file: file, line: line)
        } catch let e as AWSError {
            XCTAssertEqual(e.kind, .malformedResponse, "\(e)", file: file, line: line)
            XCTAssertEqual(e.operation, operation, file: file, line: line)
            XCTAssertEqual(e.service, "elasticloadbalancing", file: file, line: line)
            XCTAssertTrue(e.message.contains(text), e.message, file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }
}
