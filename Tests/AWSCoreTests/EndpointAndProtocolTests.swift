// Endpoint overrides and the shape of the requests the protocol serializers put on the wire.
import Foundation
import XCTest
@testable import AWSCore

final class ProtocolSerializationTests: XCTestCase {
    func client(_ t: ScriptedTransport, endpoint: String? = nil) -> AWSClient {
        AWSClient(configuration: AWSConfiguration(
            region: "us-east-1",
            credentials: StaticCredentialProvider(Credentials(accessKeyId: "AKID", secretAccessKey: "s")),
            endpoints: EndpointResolver(region: "us-east-1", commandLineURL: endpoint)), transport: t, sleeper: { _ in })
    }

    func testEC2FormBodyCarriesActionVersionAndFlattenedLists() async throws {
        let t = ScriptedTransport([ok("<DescribeSubnetsResponse><subnetSet/></DescribeSubnetsResponse>")])
        var p = QueryParams()
        p.ec2List("SubnetId", ["subnet-1", "subnet-2"])
        p.ec2Filters([(name: "tag:privgw:stack", values: ["a b"])])
        let root = try await client(t).ec2("DescribeSubnets", p, idempotent: true, mutating: false)
        XCTAssertEqual(root.name, "DescribeSubnetsResponse")
        let body = String(decoding: t.requests[0].body, as: UTF8.self)
        XCTAssertEqual(body, "Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=subnet-1&SubnetId.2=subnet-2&Filter.1.Name=tag%3Aprivgw%3Astack&Filter.1.Value.1=a%20b")
        XCTAssertEqual(t.requests[0].host, "ec2.us-east-1.amazonaws.com")
    }

    func testQueryProtocolReturnsResultElementAndSendsELBv2Version() async throws {
        let t = ScriptedTransport([ok("<DescribeLoadBalancersResponse><DescribeLoadBalancersResult><LoadBalancers/></DescribeLoadBalancersResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeLoadBalancersResponse>")])
        let r = try await client(t).query(.elbv2, "DescribeLoadBalancers", idempotent: true, mutating: false)
        XCTAssertEqual(r.name, "DescribeLoadBalancersResult")
        XCTAssertTrue(String(decoding: t.requests[0].body, as: UTF8.self).contains("Version=2015-12-01"))
    }

    func testJSONTargetHeaderAndRoute53GlobalEndpoint() async throws {
        let t = ScriptedTransport([ok("{}"), ok("<GetChangeResponse/>")])
        let c = client(t)
        _ = try await c.json(.acm, "ListCertificates", [:], idempotent: true, mutating: false)
        XCTAssertEqual(t.requests[0].header("X-Amz-Target"), "CertificateManager.ListCertificates")
        XCTAssertEqual(t.requests[0].header("Content-Type"), "application/x-amz-json-1.1")
        _ = try await c.restXML(.route53, "GetChange", method: "GET", path: "/2013-04-01/change/C1", idempotent: true, mutating: false)
        XCTAssertEqual(t.requests[1].host, "route53.amazonaws.com")
        XCTAssertTrue(t.requests[1].header("Authorization")?.contains("/us-east-1/route53/aws4_request") ?? false)
    }

    func testEndpointOverrideKeepsPortAndBasePath() async throws {
        let t = ScriptedTransport([ok()])
        _ = try await client(t, endpoint: "http://127.0.0.1:5123/base/").restJSON(.apiGateway, "GetRestApis", method: "GET",
                                                                                 path: "/restapis", idempotent: true, mutating: false)
        XCTAssertEqual(t.requests[0].urlString, "http://127.0.0.1:5123/base/restapis")
        XCTAssertEqual(t.requests[0].header("Host"), "127.0.0.1:5123")
    }
}

final class EndpointResolverTests: XCTestCase {
    func testPartitionsAndGlobalRoute53() throws {
        XCTAssertEqual(try EndpointResolver(region: "eu-west-1").endpoint(for: .elbv2).host, "elasticloadbalancing.eu-west-1.amazonaws.com")
        XCTAssertEqual(try EndpointResolver(region: "cn-north-1").endpoint(for: .ec2).host, "ec2.cn-north-1.amazonaws.com.cn")
        XCTAssertEqual(try EndpointResolver(region: "us-gov-west-1").endpoint(for: .acm).host, "acm.us-gov-west-1.amazonaws.com")
        let r53 = try EndpointResolver(region: "eu-west-1").endpoint(for: .route53)
        XCTAssertEqual(r53.host, "route53.amazonaws.com")
        XCTAssertEqual(r53.signingRegion, "us-east-1")
        XCTAssertEqual(try EndpointResolver(region: "cn-north-1").endpoint(for: .route53).host, "route53.amazonaws.com.cn")
        XCTAssertEqual(try EndpointResolver(region: "us-gov-east-1").endpoint(for: .route53).signingRegion, "us-gov-west-1")
    }

    func testOverridePrecedence() throws {
        let env = ["AWS_ENDPOINT_URL": "http://global:1", "AWS_ENDPOINT_URL_EC2": "http://ec2only:2"]
        XCTAssertEqual(try EndpointResolver(region: "us-east-1", environment: env).endpoint(for: .ec2).host, "ec2only:2")
        XCTAssertEqual(try EndpointResolver(region: "us-east-1", environment: env).endpoint(for: .acm).host, "global:1")
        XCTAssertEqual(try EndpointResolver(region: "us-east-1", commandLineURL: "https://cli:3", environment: env)
            .endpoint(for: .ec2).host, "cli:3")
        XCTAssertEqual(try EndpointResolver(region: "us-east-1", profileURL: "http://profile:4").endpoint(for: .ec2).host, "profile:4")
        var ignore = env
        ignore["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        XCTAssertEqual(try EndpointResolver(region: "us-east-1", environment: ignore).endpoint(for: .ec2).host, "ec2.us-east-1.amazonaws.com")
        XCTAssertThrowsError(try EndpointResolver(region: "us-east-1", commandLineURL: "ftp://x").endpoint(for: .ec2))
    }
}
