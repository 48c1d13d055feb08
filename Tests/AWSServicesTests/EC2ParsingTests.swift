// EC2 client without a server: the form parameters each call sends (checked against botocore's serializer) and
// how answers are read, from documents captured from moto 5.2.1 and trimmed, plus the malformed cases.
@testable import AWSServices
import AWSCore
import Foundation
import XCTest

/// Answers every request with the next canned response and keeps the requests, so a test sees exactly what the
/// client put on the wire. Shared by the EC2 and ELBv2 unit tests.
final class EC2StubTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var responses: [HTTPResponse]
    private var sent: [HTTPRequest] = []

    init(_ responses: [HTTPResponse]) { self.responses = responses }
    convenience init(xml: String...) { self.init(xml.map { HTTPResponse(status: 200, body: Data($0.utf8)) }) }

    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        try lock.withLock {
            sent.append(request)
            guard !responses.isEmpty else {
                throw AWSError(kind: .transport, code: "NoStubbedResponse", message: "no canned response left")
            }
            return responses.removeFirst()
        }
    }

    var requests: [HTTPRequest] { lock.withLock { sent } }

    /// The form parameters of request `index`, without Action and Version.
    func form(_ index: Int = 0) -> [String: String] {
        var result: [String: String] = [:]
        for pair in String(decoding: requests[index].body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }

    /// An AWSClient that talks to this stub only (dummy keys: the stub does not check signatures).
    func client() -> AWSClient {
        AWSClient(configuration: AWSConfiguration(
            region: "us-east-1",
            credentials: StaticCredentialProvider(Credentials(accessKeyId: "AKIDSTUB", secretAccessKey: "stub")),
            endpoints: EndpointResolver(region: "us-east-1", commandLineURL: "http://stub.invalid")),
            transport: self, sleeper: { _ in })
    }
}

final class EC2ParsingTests: XCTestCase {
    private let ns = #"xmlns="http://ec2.amazonaws.com/doc/2016-11-15""#

    // MARK: - What goes on the wire (expected pairs printed by botocore.serialize for the same inputs)

    func testCreateVpcEndpointSendsBotocoreParameterNames() async throws {
        let stub = EC2StubTransport(xml: """
            <CreateVpcEndpointResponse \(ns)><vpcEndpoint><vpcEndpointId>vpce-1</vpcEndpointId><vpcId>vpc-1</vpcId>
            <serviceName>com.amazonaws.us-east-1.execute-api</serviceName><state>pending</state></vpcEndpoint>
            <requestId>r</requestId></CreateVpcEndpointResponse>
            """)
        let endpoint = try await EC2Client(stub.client()).createVpcEndpoint(
            vpcId: "vpc-1", serviceName: EC2Client.executeAPIServiceName(region: "us-east-1"),
            subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1"], clientToken: "tok",
            tags: ["privgw:stack": "demo"])
        XCTAssertEqual(stub.form(), [
            "Action": "CreateVpcEndpoint", "Version": "2016-11-15",
            "VpcEndpointType": "Interface", "VpcId": "vpc-1", "ServiceName": "com.amazonaws.us-east-1.execute-api",
            "SubnetId.1": "subnet-a", "SubnetId.2": "subnet-b", "SecurityGroupId.1": "sg-1",
            "PrivateDnsEnabled": "false", "ClientToken": "tok",
            "TagSpecification.1.ResourceType": "vpc-endpoint",
            "TagSpecification.1.Tag.1.Key": "privgw:stack", "TagSpecification.1.Tag.1.Value": "demo",
        ])
        XCTAssertEqual(endpoint.id, "vpce-1")
        XCTAssertEqual(endpoint.state, "pending")
        XCTAssertEqual(endpoint.subnetIds, [])
        XCTAssertFalse(endpoint.privateDnsEnabled)
    }

    func testAuthorizeIngressSendsOnePermissionPerRule() async throws {
        let stub = EC2StubTransport(xml: """
            <AuthorizeSecurityGroupIngressResponse \(ns)><return>true</return><securityGroupRuleSet>
            <item><securityGroupRuleId>sgr-1</securityGroupRuleId></item><item><securityGroupRuleId>sgr-2</securityGroupRuleId></item>
            </securityGroupRuleSet></AuthorizeSecurityGroupIngressResponse>
            """)
        let ids = try await EC2Client(stub.client()).authorizeSecurityGroupIngress(groupId: "sg-1", rules: [
            .https(from: .cidr("10.0.0.0/16"), description: "vpc"),
            .https(from: .securityGroup("sg-2"), description: "alb"),
        ])
        XCTAssertEqual(ids, ["sgr-1", "sgr-2"])
        XCTAssertEqual(stub.form(), [
            "Action": "AuthorizeSecurityGroupIngress", "Version": "2016-11-15", "GroupId": "sg-1",
            "IpPermissions.1.IpProtocol": "tcp", "IpPermissions.1.FromPort": "443", "IpPermissions.1.ToPort": "443",
            "IpPermissions.1.IpRanges.1.CidrIp": "10.0.0.0/16", "IpPermissions.1.IpRanges.1.Description": "vpc",
            "IpPermissions.2.IpProtocol": "tcp", "IpPermissions.2.FromPort": "443", "IpPermissions.2.ToPort": "443",
            "IpPermissions.2.Groups.1.GroupId": "sg-2", "IpPermissions.2.Groups.1.Description": "alb",
        ])
    }

    func testSecurityGroupAndTagCallParameters() async throws {
        let stub = EC2StubTransport(xml:
            "<CreateSecurityGroupResponse \(ns)><groupId>sg-9</groupId></CreateSecurityGroupResponse>",
            "<DeleteTagsResponse \(ns)><return>true</return></DeleteTagsResponse>",
            "<CreateTagsResponse \(ns)><return>true</return></CreateTagsResponse>",
            "<DescribeNetworkInterfacesResponse \(ns)><networkInterfaceSet/></DescribeNetworkInterfacesResponse>")
        let ec2 = EC2Client(stub.client())
        let id = try await ec2.createSecurityGroup(name: "n", description: "d", vpcId: "vpc-1", tags: ["k": "v"])
        XCTAssertEqual(id, "sg-9")
        XCTAssertEqual(stub.form(0), [
            "Action": "CreateSecurityGroup", "Version": "2016-11-15", "GroupName": "n", "GroupDescription": "d",
            "VpcId": "vpc-1", "TagSpecification.1.ResourceType": "security-group",
            "TagSpecification.1.Tag.1.Key": "k", "TagSpecification.1.Tag.1.Value": "v",
        ])
        try await ec2.deleteTags(resourceIds: ["r-1"], keys: ["k"])
        XCTAssertEqual(stub.form(1), ["Action": "DeleteTags", "Version": "2016-11-15", "ResourceId.1": "r-1", "Tag.1.Key": "k"])
        try await ec2.createTags(resourceIds: ["r-1", "r-2"], tags: ["b": "2", "a": "1"])
        XCTAssertEqual(stub.form(2), [
            "Action": "CreateTags", "Version": "2016-11-15", "ResourceId.1": "r-1", "ResourceId.2": "r-2",
            "Tag.1.Key": "a", "Tag.1.Value": "1", "Tag.2.Key": "b", "Tag.2.Value": "2",
        ])
        let enis = try await ec2.describeNetworkInterfaces(ids: ["eni-1"])
        XCTAssertEqual(enis, [])
        XCTAssertEqual(stub.form(3), ["Action": "DescribeNetworkInterfaces", "Version": "2016-11-15", "NetworkInterfaceId.1": "eni-1"])
        // Nothing to tag, untag or describe: no call at all (no ids would describe every ENI in the region).
        try await ec2.createTags(resourceIds: [], tags: ["a": "1"])
        try await ec2.deleteTags(resourceIds: ["r-1"], keys: [])
        let none = try await ec2.describeNetworkInterfaces(ids: [])
        XCTAssertEqual(none, [])
        XCTAssertEqual(stub.requests.count, 4)
    }

    func testDescribeFollowsNextTokenAndRejectsARepeatedToken() async throws {
        let page1 = "<DescribeVpcsResponse \(ns)><vpcSet><item><vpcId>vpc-1</vpcId><cidrBlock>10.0.0.0/16</cidrBlock><state>available</state></item></vpcSet><nextToken>t1</nextToken></DescribeVpcsResponse>"
        let page2 = "<DescribeVpcsResponse \(ns)><vpcSet><item><vpcId>vpc-2</vpcId><cidrBlock>10.1.0.0/16</cidrBlock><state>pending</state><tagSet><item><key>Name</key><value>two</value></item></tagSet></item></vpcSet></DescribeVpcsResponse>"
        let stub = EC2StubTransport(xml: page1, page2)
        let vpcs = try await EC2Client(stub.client()).describeVpcs(filters: [.tag("privgw:stack", "a", "b")])
        XCTAssertEqual(vpcs.map(\.id), ["vpc-1", "vpc-2"])
        XCTAssertEqual(vpcs[1].tags, ["Name": "two"])
        XCTAssertEqual(stub.form(0)["Filter.1.Name"], "tag:privgw:stack")
        XCTAssertEqual(stub.form(0)["Filter.1.Value.2"], "b")
        XCTAssertNil(stub.form(0)["NextToken"])
        XCTAssertEqual(stub.form(1)["NextToken"], "t1")

        let looping = EC2StubTransport(xml: page1, page1)
        do {
            _ = try await EC2Client(looping.client()).describeVpcs()
            XCTFail("a repeated nextToken must not loop")
        } catch let e as AWSError {
            XCTAssertEqual(e.kind, .malformedResponse)
            XCTAssertTrue(e.message.contains("nextToken"), e.message)
        }
    }

    // MARK: - Reading answers

    private func reader(_ xml: String, _ op: String) throws -> QueryResponseReader {
        QueryResponseReader(try XMLTree.parse(Data(xml.utf8)), service: "ec2", operation: op)
    }

    func testSecurityGroupIngressIsFlattenedPerSource() throws {
        let xml = """
            <DescribeSecurityGroupsResponse \(ns)><securityGroupInfo><item><groupId>sg-7</groupId>
            <ipPermissionsEgress><item><ipProtocol>-1</ipProtocol><groups/><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges></item></ipPermissionsEgress>
            <tagSet><item><key>privgw:stack</key><value>x</value></item><item><key>empty</key><value/></item></tagSet>
            <vpcId>vpc-4</vpcId><groupName>g1</groupName><groupDescription>d</groupDescription>
            <ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>443</fromPort><toPort>443</toPort>
            <groups><item><description>alb</description><userId>123456789012</userId><groupId>sg-0</groupId></item></groups>
            <ipRanges><item><description>vpc</description><cidrIp>10.20.0.0/16</cidrIp></item><item><cidrIp>10.9.0.0/16</cidrIp></item></ipRanges>
            <ipv6Ranges/><prefixListIds/></item>
            <item><ipProtocol>-1</ipProtocol><prefixListIds><item><prefixListId>pl-1</prefixListId></item></prefixListIds></item>
            </ipPermissions></item></securityGroupInfo><requestId>request-id</requestId></DescribeSecurityGroupsResponse>
            """
        let r = try reader(xml, "DescribeSecurityGroups")
        let group = try EC2Client.SecurityGroup(r.items("securityGroupInfo", item: "item")[0])
        XCTAssertEqual(group.id, "sg-7")
        XCTAssertEqual(group.name, "g1")
        XCTAssertEqual(group.vpcId, "vpc-4")
        XCTAssertEqual(group.tags, ["privgw:stack": "x", "empty": ""])
        XCTAssertEqual(group.ingress, [
            .https(from: .cidr("10.20.0.0/16"), description: "vpc"),
            .https(from: .cidr("10.9.0.0/16")),
            .https(from: .securityGroup("sg-0"), description: "alb"),
            EC2Client.IngressRule(ipProtocol: "-1", fromPort: nil, toPort: nil, source: .prefixList("pl-1")),
        ])
        XCTAssertTrue(group.ingress[0].allowsSameAs(.https(from: .cidr("10.20.0.0/16"))))
        XCTAssertFalse(group.ingress[0].allowsSameAs(.https(from: .cidr("10.20.0.0/24"))))
    }

    func testVpcEndpointReadsEveryField() throws {
        let xml = """
            <DescribeVpcEndpointsResponse \(ns)><vpcEndpointSet><item><vpcEndpointId>vpce-a</vpcEndpointId>
            <vpcEndpointType>Interface</vpcEndpointType><vpcId>vpc-4</vpcId><serviceName>com.amazonaws.us-east-1.execute-api</serviceName>
            <state>failed</state><routeTableIdSet/><subnetIdSet><item>subnet-a</item><item>subnet-b</item></subnetIdSet>
            <groupSet><item><groupId>sg-7</groupId><groupName>g1</groupName></item></groupSet><privateDnsEnabled>false</privateDnsEnabled>
            <networkInterfaceIdSet><item>eni-1</item><item>eni-2</item></networkInterfaceIdSet>
            <dnsEntrySet><item><dnsName>vpce-a-x.execute-api.us-east-1.vpce.amazonaws.com</dnsName><hostedZoneId>Z7HUB22UULQXV</hostedZoneId></item></dnsEntrySet>
            <tagSet><item><key>privgw:stack</key><value>x</value></item></tagSet>
            <lastError><code>InsufficientCapacity</code><message>try another AZ</message></lastError></item></vpcEndpointSet></DescribeVpcEndpointsResponse>
            """
        let e = try EC2Client.VpcEndpoint(try reader(xml, "DescribeVpcEndpoints").items("vpcEndpointSet", item: "item")[0])
        XCTAssertEqual(e.id, "vpce-a")
        XCTAssertEqual(e.type, "Interface")
        XCTAssertEqual(e.vpcId, "vpc-4")
        XCTAssertEqual(e.state, "failed")
        XCTAssertEqual(e.subnetIds, ["subnet-a", "subnet-b"])
        XCTAssertEqual(e.networkInterfaceIds, ["eni-1", "eni-2"])
        XCTAssertEqual(e.securityGroupIds, ["sg-7"])
        XCTAssertFalse(e.privateDnsEnabled)
        XCTAssertEqual(e.dnsEntries, [EC2Client.DnsEntry(dnsName: "vpce-a-x.execute-api.us-east-1.vpce.amazonaws.com",
                                                         hostedZoneId: "Z7HUB22UULQXV")])
        XCTAssertEqual(e.tags, ["privgw:stack": "x"])
        XCTAssertEqual(e.lastError, "InsufficientCapacity: try another AZ")
    }

    func testMissingRequiredFieldIsAMalformedResponseNamingOperationAndField() async throws {
        // An endpoint without its state: privgw would not know whether to wait.
        let stub = EC2StubTransport(xml: """
            <DescribeVpcEndpointsResponse \(ns)><vpcEndpointSet><item><vpcEndpointId>vpce-a</vpcEndpointId><vpcId>vpc-1</vpcId>
            <serviceName>s</serviceName></item></vpcEndpointSet></DescribeVpcEndpointsResponse>
            """)
        do {
            _ = try await EC2Client(stub.client()).describeVpcEndpoints(ids: ["vpce-a"])
            XCTFail("expected malformedResponse")
        } catch let e as AWSError {
            XCTAssertEqual(e.kind, .malformedResponse)
            XCTAssertEqual(e.operation, "DescribeVpcEndpoints")
            XCTAssertTrue(e.message.contains("`state`"), e.message)
            XCTAssertTrue(e.message.contains("vpcEndpointSet.item[0]"), e.message)
        }
    }

    func testAnotherDocumentIsNotReadAsAnEmptyList() async throws {
        // Well-formed XML that is not the answer (a proxy's page, another action's answer) must not mean "none found".
        let stub = EC2StubTransport(xml: "<html><body>gateway</body></html>",
                                    "<CreateSecurityGroupResponse \(ns)><groupId></groupId></CreateSecurityGroupResponse>",
                                    "<CreateVpcEndpointResponse \(ns)><requestId>r</requestId></CreateVpcEndpointResponse>")
        let ec2 = EC2Client(stub.client())
        await assertMalformed(containing: "<html>") { _ = try await ec2.describeSecurityGroups(filters: [.tagKey("k")]) }
        await assertMalformed(containing: "`groupId`") { _ = try await ec2.createSecurityGroup(name: "n", description: "d", vpcId: "v") }
        await assertMalformed(containing: "`vpcEndpoint`") {
            _ = try await ec2.createVpcEndpoint(vpcId: "v", serviceName: "s", subnetIds: [], securityGroupIds: [], clientToken: "t")
        }
    }

    func testDeleteVpcEndpointsSurfacesUnsuccessfulItemsExceptNotFound() async throws {
        let notFoundOnly = """
            <DeleteVpcEndpointsResponse \(ns)><unsuccessful><item><error><code>InvalidVpcEndpoint.NotFound</code>
            <message>gone</message></error><resourceId>vpce-gone</resourceId></item></unsuccessful></DeleteVpcEndpointsResponse>
            """
        let mixed = """
            <DeleteVpcEndpointsResponse \(ns)><unsuccessful>
            <item><error><code>InvalidVpcEndpoint.NotFound</code><message>gone</message></error><resourceId>vpce-gone</resourceId></item>
            <item><error><code>OperationNotPermitted</code><message>not yours</message></error><resourceId>vpce-b</resourceId></item>
            <item><error><code>InvalidParameter</code><message>bad</message></error><resourceId>vpce-c</resourceId></item>
            </unsuccessful></DeleteVpcEndpointsResponse>
            """
        let stub = EC2StubTransport(xml: notFoundOnly, mixed)
        let ec2 = EC2Client(stub.client())
        try await ec2.deleteVpcEndpoints(ids: ["vpce-gone"])
        do {
            try await ec2.deleteVpcEndpoints(ids: ["vpce-gone", "vpce-b", "vpce-c"])
            XCTFail("expected the OperationNotPermitted item as an error")
        } catch let e as AWSError {
            XCTAssertEqual(e.kind, .service)
            XCTAssertEqual(e.code, "OperationNotPermitted")
            XCTAssertEqual(e.resource, "vpce-b")
            XCTAssertEqual(e.operation, "DeleteVpcEndpoints")
            XCTAssertTrue(e.message.contains("1 more"), e.message)
        }
        XCTAssertEqual(stub.form(1)["VpcEndpointId.3"], "vpce-c")
        try await ec2.deleteVpcEndpoints(ids: [])
        XCTAssertEqual(stub.requests.count, 2)
    }

    private func assertMalformed(containing text: String, file: StaticString = #filePath, line: UInt = #line,
                                 _ body: () async throws -> Void) async {
        do {
            try await body()
            XCTFail("expected malformedResponse", file: file, line: line)
        } catch let e as AWSError {
            XCTAssertEqual(e.kind, .malformedResponse, "\(e)", file: file, line: line)
            XCTAssertTrue(e.message.contains(text), e.message, file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }
}
