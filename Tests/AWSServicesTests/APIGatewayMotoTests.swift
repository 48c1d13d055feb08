// Integration tests of APIGatewayClient through the real stack (SigV4 signer, curl transport, retry) against the
// moto harness with signature verification on. The PRIVATE-domain calls moto 5.2.1 lacks are answered by the
// harness's stand-in (Tests/Support/python/private_domains.py), which follows botocore's model and checks signatures
// against the path as sent.
import AWSCore
import AWSServices
import TestSupport
import XCTest

final class APIGatewayMotoTests: XCTestCase {
    typealias Kit = GatewayDNSCertTestKit

    /// One harness for the class (starting one costs seconds); `reset()` before each test wipes its state.
    nonisolated(unsafe) static var shared: MotoServer?

    var moto: MotoServer!
    var gw: APIGatewayClient!

    override func setUp() async throws {
        if Self.shared == nil { Self.shared = try MotoServer.start(verifySignatures: true) }
        moto = try XCTUnwrap(Self.shared)
        try moto.reset()
        gw = APIGatewayClient(Kit.client(for: moto))
    }

    override class func tearDown() {
        shared?.stop()
        shared = nil
        super.tearDown()
    }

    static let vpce = "vpce-0123456789abcdef0"
    static let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"}}}]}"#

    /// A PRIVATE API with a MOCK `GET /health` deployed to `prod`, as privgw builds it.
    func makeDeployedApi(name: String = "privgw-test") async throws -> (APIGatewayClient.RestApi, APIGatewayClient.Deployment) {
        let api = try await gw.createRestApi(.init(name: name, description: "privgw test", vpcEndpointIds: [Self.vpce],
                                                   policy: Self.policy, tags: ["privgw:stack": "t1"]))
        let root = try await gw.getAllResources(restApiId: api.id).first { $0.path == "/" }
        let health = try await gw.createResource(restApiId: api.id, parentId: try XCTUnwrap(root).id, pathPart: "health")
        try await gw.putMethod(restApiId: api.id, resourceId: health.id, httpMethod: "GET")
        _ = try await gw.putIntegration(restApiId: api.id, resourceId: health.id, httpMethod: "GET")
        try await gw.putMethodResponse(restApiId: api.id, resourceId: health.id, httpMethod: "GET")
        try await gw.putIntegrationResponse(restApiId: api.id, resourceId: health.id, httpMethod: "GET",
                                            responseTemplates: ["application/json": #"{"ok": true}"#])
        let deployment = try await gw.createDeployment(restApiId: api.id, stageName: "prod", description: "test")
        return (api, deployment)
    }

    func testPrivateRestApiLifecycle() async throws {
        let api = try await gw.createRestApi(.init(name: "privgw-test", description: "privgw test", vpcEndpointIds: [Self.vpce],
                                                   policy: Self.policy, tags: ["privgw:stack": "t1"]))
        XCTAssertEqual(api.name, "privgw-test")
        XCTAssertEqual(api.description, "privgw test")
        XCTAssertEqual(api.endpointTypes, ["PRIVATE"])
        XCTAssertEqual(api.vpcEndpointIds, [Self.vpce])
        XCTAssertTrue(try XCTUnwrap(api.policy).contains(Self.vpce))
        XCTAssertEqual(api.tags, ["privgw:stack": "t1"])

        let read = try await gw.getRestApi(id: api.id)
        XCTAssertEqual(read.id, api.id)
        XCTAssertEqual(read.endpointTypes, ["PRIVATE"])
        XCTAssertEqual(read.tags, ["privgw:stack": "t1"])
        let listed = try await gw.getRestApis(limit: 100)
        XCTAssertEqual(listed.items.map(\.id), [api.id])
        let all = try await gw.getAllRestApis()
        XCTAssertEqual(all.map(\.id), [api.id])

        // Resources: the root is `/`, and GetResources agrees with CreateRestApi's rootResourceId.
        let resources = try await gw.getResources(restApiId: api.id)
        let root = try XCTUnwrap(resources.items.first { $0.path == "/" })
        XCTAssertEqual(root.id, api.rootResourceId)
        let health = try await gw.createResource(restApiId: api.id, parentId: root.id, pathPart: "health")
        XCTAssertEqual(health.path, "/health")
        XCTAssertEqual(health.parentId, root.id)
        XCTAssertEqual(health.pathPart, "health")

        // The MOCK route. moto cannot invoke the API, so the test reads the integration back: MOCK answers from
        // the request template's statusCode, and the integration response carries the body template.
        try await gw.putMethod(restApiId: api.id, resourceId: health.id, httpMethod: "GET")
        let put = try await gw.putIntegration(restApiId: api.id, resourceId: health.id, httpMethod: "GET")
        XCTAssertEqual(put.type, "MOCK")
        try await gw.putMethodResponse(restApiId: api.id, resourceId: health.id, httpMethod: "GET")
        try await gw.putIntegrationResponse(restApiId: api.id, resourceId: health.id, httpMethod: "GET",
                                            responseTemplates: ["application/json": #"{"ok": true}"#])
        let integration = try await gw.getIntegration(restApiId: api.id, resourceId: health.id, httpMethod: "GET")
        XCTAssertEqual(integration.type, "MOCK")
        XCTAssertEqual(integration.requestTemplates, ["application/json": #"{"statusCode": 200}"#])
        XCTAssertEqual(integration.responseTemplates, ["200": ["application/json": #"{"ok": true}"#]])
        let withMethods = try await gw.getAllResources(restApiId: api.id)
        XCTAssertEqual(withMethods.first { $0.id == health.id }?.methods, ["GET"])

        // Deployment and stage.
        let deployment = try await gw.createDeployment(restApiId: api.id, stageName: "prod", description: "test")
        XCTAssertFalse(deployment.id.isEmpty)
        let stage = try await gw.getStage(restApiId: api.id, stageName: "prod")
        XCTAssertEqual(stage.stageName, "prod")
        XCTAssertEqual(stage.deploymentId, deployment.id)
        let stages = try await gw.getStages(restApiId: api.id)
        XCTAssertEqual(stages.map(\.stageName), ["prod"])

        // Policy replace (UpdateRestApi with a patch operation).
        let newPolicy = Self.policy.replacingOccurrences(of: Self.vpce, with: "vpce-0fedcba9876543210")
        let updated = try await gw.replaceRestApiPolicy(id: api.id, policy: newPolicy)
        XCTAssertEqual(updated.policy, newPolicy)
        let reread = try await gw.getRestApi(id: api.id)
        XCTAssertTrue(try XCTUnwrap(reread.policy).contains("vpce-0fedcba9876543210"))

        // Delete. moto has been seen to answer 500 after deleting (see deleteRestApi); what counts is that it is gone.
        do {
            try await gw.deleteRestApi(id: api.id)
        } catch let e as AWSError where e.isNotFound || e.httpStatus == 500 {}
        await Kit.expectError(try await gw.getRestApi(id: api.id)) { e in
            XCTAssertEqual(e.code, "NotFoundException")
            XCTAssertTrue(e.isNotFound)
            XCTAssertEqual(e.httpStatus, 404)
        }
        let none = try await gw.getRestApis()
        XCTAssertTrue(none.items.isEmpty)
    }

    /// ALB design: REGIONAL domain + root base path mapping to the private API's stage.
    func testRegionalDomainWithBasePathMappings() async throws {
        let (api, _) = try await makeDeployedApi()
        let cert = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000001"
        let domain = try await gw.createDomainName(.init(domainName: "api.example.com", endpoint: .regional,
                                                         certificateArn: cert, tags: ["privgw:stack": "t1"]))
        XCTAssertEqual(domain.domainName, "api.example.com")
        XCTAssertEqual(domain.endpointTypes, ["REGIONAL"])
        XCTAssertEqual(domain.regionalCertificateArn, cert)
        XCTAssertEqual(domain.status, "AVAILABLE")
        XCTAssertEqual(domain.securityPolicy, "TLS_1_2")
        XCTAssertEqual(domain.tags, ["privgw:stack": "t1"])
        let target = try XCTUnwrap(domain.regionalDomainName)
        XCTAssertTrue(target.hasSuffix(".execute-api.us-east-1.amazonaws.com"), target)
        XCTAssertNotNil(domain.regionalHostedZoneId)
        XCTAssertNil(domain.domainNameId, "public domains have no id")

        let read = try await gw.getDomainName("api.example.com", domainNameId: nil)
        XCTAssertEqual(read.regionalDomainName, target)
        XCTAssertEqual(read.regionalHostedZoneId, domain.regionalHostedZoneId)
        let all = try await gw.getAllDomainNames()
        XCTAssertEqual(all.map(\.domainName), ["api.example.com"])

        // Root mapping (no basePath → "(none)") and a named one.
        let root = try await gw.createBasePathMapping(domainName: "api.example.com", domainNameId: nil,
                                                      restApiId: api.id, stage: "prod")
        XCTAssertEqual(root, .init(basePath: "(none)", restApiId: api.id, stage: "prod"))
        let v1 = try await gw.createBasePathMapping(domainName: "api.example.com", domainNameId: nil, basePath: "v1",
                                                    restApiId: api.id, stage: "prod")
        XCTAssertEqual(v1.basePath, "v1")
        let mappings = try await gw.getAllBasePathMappings(domainName: "api.example.com", domainNameId: nil)
        XCTAssertEqual(Set(mappings.map(\.basePath)), ["(none)", "v1"])
        XCTAssertTrue(mappings.allSatisfy { $0.restApiId == api.id && $0.stage == "prod" })

        // `v1` has no escapes in its path: verified as usual.
        try await gw.deleteBasePathMapping(domainName: "api.example.com", domainNameId: nil, basePath: "v1")
        // `(none)` goes out as `/basepathmappings/%28none%29`. moto canonicalises the *decoded* path when it checks
        // signatures, so a correct signature over the escaped path never verifies there (docs: moto bug 2). Switch
        // checking off for exactly this call.
        try await Kit.withoutSignatureVerification(moto) {
            try await gw.deleteBasePathMapping(domainName: "api.example.com", domainNameId: nil,
                                               basePath: APIGatewayClient.rootBasePath)
        }
        let left = try await gw.getBasePathMappings(domainName: "api.example.com", domainNameId: nil)
        XCTAssertTrue(left.items.isEmpty, "\(left.items)")

        try await gw.deleteDomainName("api.example.com", domainNameId: nil)
        await Kit.expectError(try await gw.getDomainName("api.example.com", domainNameId: nil)) { e in
            XCTAssertEqual(e.code, "NotFoundException")
            XCTAssertTrue(e.isNotFound)
        }
    }

    /// Native design: PRIVATE domain (with domainNameId), base path mapping and VPC endpoint access association.
    func testPrivateDomainWithAccessAssociation() async throws {
        let vpceId = try await Self.makeExecuteApiEndpoint(Kit.client(for: moto))
        let (api, _) = try await makeDeployedApi()
        let cert = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000002"
        let domainPolicy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"StringEquals":{"aws:SourceVpce":"\#(vpceId)"}}}]}"#
        let domain = try await gw.createDomainName(.init(domainName: "api.example.com", endpoint: .private(policy: domainPolicy),
                                                         certificateArn: cert, tags: ["privgw:stack": "t1"]))
        let id = try XCTUnwrap(domain.domainNameId)
        let arn = try XCTUnwrap(domain.domainNameArn)
        XCTAssertTrue(arn.hasSuffix(":/domainnames/api.example.com+\(id)"), arn)
        XCTAssertEqual(domain.endpointTypes, ["PRIVATE"])
        XCTAssertEqual(domain.certificateArn, cert)
        XCTAssertTrue(try XCTUnwrap(domain.policy).contains(vpceId))

        let read = try await gw.getDomainName("api.example.com", domainNameId: id)
        XCTAssertEqual(read.domainNameArn, arn)
        // Without the id the public namespace is addressed, where this name does not exist.
        await Kit.expectError(try await gw.getDomainName("api.example.com", domainNameId: nil)) {
            XCTAssertTrue($0.isNotFound, "\($0)")
        }
        let mine = try await gw.getAllDomainNames(resourceOwner: "SELF")
        XCTAssertTrue(mine.contains { $0.domainNameId == id }, "\(mine)")

        let mapping = try await gw.createBasePathMapping(domainName: "api.example.com", domainNameId: id,
                                                         restApiId: api.id, stage: "prod")
        XCTAssertEqual(mapping, .init(basePath: "(none)", restApiId: api.id, stage: "prod"))
        let mappings = try await gw.getBasePathMappings(domainName: "api.example.com", domainNameId: id)
        XCTAssertEqual(mappings.items, [mapping])

        let association = try await gw.createDomainNameAccessAssociation(domainNameArn: arn, vpcEndpointId: vpceId,
                                                                         tags: ["privgw:stack": "t1"])
        XCTAssertEqual(association.domainNameArn, arn)
        XCTAssertEqual(association.sourceType, "VPCE")
        XCTAssertEqual(association.source, vpceId)
        XCTAssertEqual(association.tags, ["privgw:stack": "t1"])
        let associations = try await gw.getAllDomainNameAccessAssociations()
        XCTAssertEqual(associations, [association])

        // The stand-in checks signatures over the path as sent, so these escaped paths verify with checking on.
        try await gw.deleteDomainNameAccessAssociation(arn: association.arn)
        let noAssociations = try await gw.getDomainNameAccessAssociations(resourceOwner: "SELF")
        XCTAssertTrue(noAssociations.items.isEmpty)
        try await gw.deleteBasePathMapping(domainName: "api.example.com", domainNameId: id,
                                           basePath: APIGatewayClient.rootBasePath)
        let noMappings = try await gw.getBasePathMappings(domainName: "api.example.com", domainNameId: id)
        XCTAssertTrue(noMappings.items.isEmpty)
        try await gw.deleteDomainName("api.example.com", domainNameId: id)
        await Kit.expectError(try await gw.getDomainName("api.example.com", domainNameId: id)) { e in
            XCTAssertEqual(e.code, "NotFoundException")
            XCTAssertTrue(e.isNotFound)
        }
        await Kit.expectError(try await gw.deleteDomainNameAccessAssociation(arn: association.arn)) {
            XCTAssertTrue($0.isNotFound, "\($0)")
        }
    }

    func testNotFoundErrors() async throws {
        await Kit.expectError(try await gw.getRestApi(id: "nope123456")) { e in
            XCTAssertEqual(e.code, "NotFoundException")
            XCTAssertTrue(e.isNotFound)
            XCTAssertEqual(e.service, "apigateway")
            XCTAssertEqual(e.operation, "GetRestApi")
        }
        await Kit.expectError(try await gw.getResources(restApiId: "nope123456")) { XCTAssertTrue($0.isNotFound) }
        await Kit.expectError(try await gw.getStage(restApiId: "nope123456", stageName: "prod")) {
            XCTAssertTrue($0.isNotFound)
        }
        await Kit.expectError(try await gw.getDomainName("missing.example.com", domainNameId: nil)) {
            XCTAssertEqual($0.code, "NotFoundException")
        }
        await Kit.expectError(try await gw.getBasePathMappings(domainName: "missing.example.com", domainNameId: nil)) {
            XCTAssertTrue($0.isNotFound)
        }
        await Kit.expectError(try await gw.deleteDomainName("missing.example.com", domainNameId: nil)) {
            XCTAssertTrue($0.isNotFound)
        }
        // DeleteRestApi on a missing id: AWS answers NotFoundException; moto 5.2.1 fails with HTTP 500 (a KeyError),
        // which is also what a retried, already-successful delete meets there. One attempt, so no retry backoff.
        let once = APIGatewayClient(Kit.client(for: moto, retry: RetryPolicy(maxAttempts: 1)))
        await Kit.expectError(try await once.deleteRestApi(id: "nope123456")) { e in
            XCTAssertTrue(e.isNotFound || e.httpStatus == 500, "\(e)")
        }
    }

    /// Proves the harness really checks signatures: the same call signed with a wrong secret is refused.
    func testWrongSignatureIsRefused() async throws {
        let forged = APIGatewayClient(Kit.client(for: moto, retry: RetryPolicy(maxAttempts: 1),
                                                 secretAccessKey: "wrong-secret"))
        await Kit.expectError(try await forged.getRestApis()) { XCTAssertTrue(Kit.isSignatureRefusal($0), "\($0)") }
        _ = try await gw.getRestApis()
    }

    /// GetTags: moto 5.2.1 does not implement it. A REST API or domain ARN (one escaped label that decodes to a
    /// path with `/`) matches no route and gets an HTML 404 with no AWS error document; a stage ARN matches a route
    /// and then fails with a 500 NotImplementedError (not exercised: it would only test moto's retry-worthy 500).
    /// Either must come back as an AWSError, never as a crash or an empty tag set. The success path is covered by
    /// APIGatewayParsingTests over a canned answer.
    func testGetTagsSurfacesMotosMissingRouteAsAWSError() async throws {
        let (api, _) = try await makeDeployedApi()
        for arn in ["arn:aws:apigateway:us-east-1::/restapis/\(api.id)", "arn:aws:apigateway:us-east-1::/domainnames/api.example.com"] {
            await Kit.expectError(try await gw.getTags(resourceArn: arn)) { e in
                XCTAssertEqual(e.httpStatus, 404)
                XCTAssertEqual(e.service, "apigateway")
                XCTAssertEqual(e.operation, "GetTags")
                XCTAssertEqual(e.kind, .malformedResponse, "HTML, not an AWS error document: \(e)")
            }
        }
    }

    /// An interface endpoint for execute-api in a new VPC, made with raw EC2 calls (this file does not depend on
    /// the EC2 client's shape).
    static func makeExecuteApiEndpoint(_ client: AWSClient) async throws -> String {
        let vpc = try await client.ec2("CreateVpc", QueryParams(["CidrBlock": "10.30.0.0/16"]), idempotent: false, mutating: true)
        let vpcId = try XCTUnwrap(vpc.string("vpc.vpcId"))
        let subnet = try await client.ec2("CreateSubnet", QueryParams(["VpcId": vpcId, "CidrBlock": "10.30.1.0/24",
                                                                       "AvailabilityZone": "us-east-1a"]),
                                          idempotent: false, mutating: true)
        let subnetId = try XCTUnwrap(subnet.string("subnet.subnetId"))
        var params = QueryParams(["VpcId": vpcId, "ServiceName": "com.amazonaws.us-east-1.execute-api",
                                  "VpcEndpointType": "Interface"])
        params.ec2List("SubnetId", [subnetId])
        let endpoint = try await client.ec2("CreateVpcEndpoint", params, idempotent: false, mutating: true)
        return try XCTUnwrap(endpoint.string("vpcEndpoint.vpcEndpointId"))
    }
}
