// Unit tests of APIGatewayClient over canned answers: what each call puts on the wire (method, escaped path,
// domainNameId query, JSON body) and how answers captured from moto 5.2.1 and AWS's documented shapes are read.
import AWSCore
@testable import AWSServices
import XCTest

final class APIGatewayParsingTests: XCTestCase {
    typealias Kit = GatewayDNSCertTestKit

    // Captured from moto 5.2.1 (CreateRestApi answers 200 there, 201 on AWS).
    let restApiJSON = #"""
    {"id": "g7fe4shg0c", "name": "x", "description": "d", "version": "V1", "binaryMediaTypes": [], "createdDate": 1795614454,
     "apiKeySource": "HEADER", "endpointConfiguration": {"types": ["PRIVATE"], "vpcEndpointIds": ["vpce-123"]},
     "tags": {"k": "v"}, "policy": "{\"a\": \"vpce-123\"}", "disableExecuteApiEndpoint": false,
     "minimumCompressionSize": null, "rootResourceId": "uhbiwdaatt"}
    """#

    func testCreateRestApiRequestAndAnswer() async throws {
        let (client, transport) = Kit.stubbed([(201, restApiJSON)])
        let api = try await APIGatewayClient(client).createRestApi(.init(
            name: "x", description: "d", vpcEndpointIds: ["vpce-123"], policy: #"{"a": "vpce-123"}"#, tags: ["k": "v"]))
        let request = try XCTUnwrap(transport.last)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/restapis")
        XCTAssertEqual(try Kit.bodyJSON(request), [
            "name": "x", "description": "d", "policy": #"{"a": "vpce-123"}"#, "tags": ["k": "v"],
            "endpointConfiguration": ["types": ["PRIVATE"], "vpcEndpointIds": ["vpce-123"]],
        ])
        XCTAssertEqual(api.id, "g7fe4shg0c")
        XCTAssertEqual(api.endpointTypes, ["PRIVATE"])
        XCTAssertEqual(api.vpcEndpointIds, ["vpce-123"])
        XCTAssertEqual(api.policy, #"{"a": "vpce-123"}"#)
        XCTAssertEqual(api.tags, ["k": "v"])
        XCTAssertEqual(api.rootResourceId, "uhbiwdaatt")
        XCTAssertEqual(api.createdDate, Date(timeIntervalSince1970: 1795614454))
    }

    /// Real API Gateway returns the policy escaped once more; privgw must see the plain document.
    func testPolicyEscapedByAWSIsNormalized() async throws {
        let escaped = #"{"id":"a1","name":"n","policy":"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Condition\\\":{\\\"IpAddress\\\":{\\\"aws:SourceIp\\\":\\\"10.0.0.0\\/8\\\"}},\\\"Principal\\\":\\\"*\\\"}]}"}"#
        let (client, _) = Kit.stubbed([(200, escaped)])
        let api = try await APIGatewayClient(client).getRestApi(id: "a1")
        let policy = try XCTUnwrap(api.policy)
        XCTAssertEqual(policy, #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}},"Principal":"*"}]}"#)
        XCTAssertEqual(APIGatewayPolicyText.normalize("not json"), "not json")
        XCTAssertEqual(APIGatewayPolicyText.normalize(#"{"a":"b\\c"}"#), #"{"a":"b\\c"}"#)
    }

    func testMissingRequiredFieldIsMalformedNamingOperationAndField() async throws {
        let (client, _) = Kit.stubbed([(200, #"{"name": "x"}"#), (200, "[1,2]"), (200, #"{"item": [{"id": "r1"}]}"#),
                                       (200, #"{"item": "nope"}"#)])
        let gw = APIGatewayClient(client)
        await Kit.expectError(try await gw.getRestApi(id: "x")) { e in
            XCTAssertEqual(e.kind, .malformedResponse)
            XCTAssertEqual(e.operation, "GetRestApi")
            XCTAssertTrue(e.message.contains("`id`"), e.message)
        }
        await Kit.expectError(try await gw.getRestApi(id: "x")) { XCTAssertEqual($0.kind, .malformedResponse) }
        await Kit.expectError(try await gw.getResources(restApiId: "x")) { e in
            XCTAssertEqual(e.kind, .malformedResponse)
            XCTAssertTrue(e.message.contains("`path`") && e.message.contains("item[0]"), e.message)
        }
        await Kit.expectError(try await gw.getRestApis()) { XCTAssertEqual($0.kind, .malformedResponse) }
    }

    func testListsUseItemKeyAndPosition() async throws {
        let (client, transport) = Kit.stubbed([
            (200, #"{"item": [{"id": "a", "name": "one"}], "position": "p2"}"#),
            (200, #"{"item": [{"id": "b", "name": "two"}]}"#),
        ])
        let apis = try await APIGatewayClient(client).getAllRestApis(pageSize: 1)
        XCTAssertEqual(apis.map(\.id), ["a", "b"])
        XCTAssertEqual(transport.sent.map(\.query), [[QueryItem("limit", "1")],
                                                    [QueryItem("position", "p2"), QueryItem("limit", "1")]])
    }

    func testPagingStopsWhenServerRepeatsPosition() async throws {
        let page = #"{"item": [{"id": "a", "name": "one"}], "position": "same"}"#
        let (client, transport) = Kit.stubbed([(200, page), (200, page), (200, page)])
        let apis = try await APIGatewayClient(client).getAllRestApis()
        XCTAssertEqual(apis.count, 2)
        XCTAssertEqual(transport.sent.count, 2)
    }

    func testMethodIntegrationRequests() async throws {
        let (client, transport) = Kit.stubbed([
            (201, #"{"httpMethod": "GET", "authorizationType": "NONE"}"#),
            (201, #"{"type": "MOCK", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}, "integrationResponses": null}"#),
            (201, #"{"statusCode": "200"}"#),
            (201, #"{"statusCode": "200", "responseTemplates": {"application/json": "{}"}}"#),
        ])
        let gw = APIGatewayClient(client)
        try await gw.putMethod(restApiId: "api", resourceId: "res", httpMethod: "GET")
        let integration = try await gw.putIntegration(restApiId: "api", resourceId: "res", httpMethod: "GET")
        try await gw.putMethodResponse(restApiId: "api", resourceId: "res", httpMethod: "GET")
        try await gw.putIntegrationResponse(restApiId: "api", resourceId: "res", httpMethod: "GET",
                                            responseTemplates: ["application/json": "{}"])
        let sent = transport.sent
        XCTAssertEqual(sent.map(\.method), ["PUT", "PUT", "PUT", "PUT"])
        XCTAssertEqual(sent.map(\.path), [
            "/restapis/api/resources/res/methods/GET",
            "/restapis/api/resources/res/methods/GET/integration",
            "/restapis/api/resources/res/methods/GET/responses/200",
            "/restapis/api/resources/res/methods/GET/integration/responses/200",
        ])
        XCTAssertEqual(try Kit.bodyJSON(sent[0]), ["authorizationType": "NONE"])
        XCTAssertEqual(try Kit.bodyJSON(sent[1]), ["type": "MOCK", "requestTemplates": ["application/json": #"{"statusCode": 200}"#]])
        XCTAssertEqual(try Kit.bodyJSON(sent[3]), ["responseTemplates": ["application/json": "{}"]])
        XCTAssertEqual(integration.type, "MOCK")
        XCTAssertEqual(integration.responseTemplates, [:])
    }

    func testDomainNameBodiesDifferByEndpointType() async throws {
        let regionalAnswer = #"{"domainName": "api.example.com", "regionalDomainName": "d-rq3zbjtvzs.execute-api.us-east-1.amazonaws.com", "domainNameStatus": "AVAILABLE", "regionalHostedZoneId": "Z1UJRXOUMOOFQ8", "securityPolicy": "TLS_1_2", "regionalCertificateArn": "arn:cert", "endpointConfiguration": {"types": ["REGIONAL"]}, "tags": {"k": "v"}}"#
        let privateAnswer = #"{"domainName": "api.example.com", "domainNameId": "abc123", "domainNameArn": "arn:aws:apigateway:us-east-1:123456789012:/domainnames/api.example.com+abc123", "domainNameStatus": "PENDING", "certificateArn": "arn:cert", "endpointConfiguration": {"types": ["PRIVATE"]}, "policy": "{\"Statement\":[]}"}"#
        let (client, transport) = Kit.stubbed([(201, regionalAnswer), (201, privateAnswer)])
        let gw = APIGatewayClient(client)
        let regional = try await gw.createDomainName(.init(domainName: "api.example.com", endpoint: .regional,
                                                           certificateArn: "arn:cert", tags: ["k": "v"]))
        let privateDomain = try await gw.createDomainName(.init(domainName: "api.example.com",
                                                                endpoint: .private(policy: #"{"Statement":[]}"#),
                                                                certificateArn: "arn:cert"))
        XCTAssertEqual(try Kit.bodyJSON(transport.sent[0]), [
            "domainName": "api.example.com", "regionalCertificateArn": "arn:cert", "securityPolicy": "TLS_1_2",
            "endpointConfiguration": ["types": ["REGIONAL"]], "tags": ["k": "v"],
        ])
        XCTAssertEqual(try Kit.bodyJSON(transport.sent[1]), [
            "domainName": "api.example.com", "certificateArn": "arn:cert", "securityPolicy": "TLS_1_2",
            "endpointConfiguration": ["types": ["PRIVATE"]], "policy": #"{"Statement":[]}"#,
        ])
        XCTAssertEqual(regional.regionalDomainName, "d-rq3zbjtvzs.execute-api.us-east-1.amazonaws.com")
        XCTAssertEqual(regional.regionalHostedZoneId, "Z1UJRXOUMOOFQ8")
        XCTAssertEqual(regional.status, "AVAILABLE")
        XCTAssertEqual(regional.regionalCertificateArn, "arn:cert")
        XCTAssertNil(regional.domainNameId)
        XCTAssertEqual(privateDomain.domainNameId, "abc123")
        XCTAssertEqual(privateDomain.domainNameArn, "arn:aws:apigateway:us-east-1:123456789012:/domainnames/api.example.com+abc123")
        XCTAssertEqual(privateDomain.endpointTypes, ["PRIVATE"])
        XCTAssertEqual(privateDomain.policy, #"{"Statement":[]}"#)
    }

    /// Private domains are addressed with `?domainNameId=`; the base path `(none)` and ARNs go out escaped.
    func testDomainScopedCallsCarryDomainNameIdAndEscapeLabels() async throws {
        let mapping = #"{"basePath": "(none)", "restApiId": "api", "stage": "prod"}"#
        let (client, transport) = Kit.stubbed([(200, #"{"domainName": "api.example.com"}"#), (201, mapping),
                                               (200, #"{"item": [\#(mapping)]}"#), (202, ""), (202, ""), (202, ""),
                                               (200, #"{"tags": {"a": "b"}}"#)])
        let gw = APIGatewayClient(client)
        _ = try await gw.getDomainName("api.example.com", domainNameId: "abc123")
        let created = try await gw.createBasePathMapping(domainName: "api.example.com", domainNameId: "abc123",
                                                         restApiId: "api", stage: "prod")
        let mappings = try await gw.getBasePathMappings(domainName: "api.example.com", domainNameId: "abc123")
        try await gw.deleteBasePathMapping(domainName: "api.example.com", domainNameId: "abc123",
                                           basePath: APIGatewayClient.rootBasePath)
        try await gw.deleteDomainName("api.example.com", domainNameId: "abc123")
        let arn = "arn:aws:apigateway:us-east-1:123456789012:/domainnameaccessassociations/domainname/api.example.com+abc123/vpcesource/vpce-1"
        try await gw.deleteDomainNameAccessAssociation(arn: arn)
        let tags = try await gw.getTags(resourceArn: "arn:aws:apigateway:us-east-1::/restapis/api")
        let sent = transport.sent
        XCTAssertEqual(sent.map(\.method), ["GET", "POST", "GET", "DELETE", "DELETE", "DELETE", "GET"])
        XCTAssertEqual(sent.map(\.path), [
            "/domainnames/api.example.com",
            "/domainnames/api.example.com/basepathmappings",
            "/domainnames/api.example.com/basepathmappings",
            "/domainnames/api.example.com/basepathmappings/%28none%29",
            "/domainnames/api.example.com",
            "/domainnameaccessassociations/" + URIEncoding.encode(arn),
            "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fapi",
        ])
        for request in sent.prefix(5) {
            XCTAssertEqual(request.query, [QueryItem("domainNameId", "abc123")], request.path)
        }
        XCTAssertTrue(sent[5].query.isEmpty)
        XCTAssertEqual(try Kit.bodyJSON(sent[1]), ["restApiId": "api", "stage": "prod"])
        XCTAssertEqual(created, .init(basePath: "(none)", restApiId: "api", stage: "prod"))
        XCTAssertEqual(mappings.items, [created])
        XCTAssertEqual(tags, ["a": "b"])
    }

    func testPublicDomainCallsHaveNoDomainNameId() async throws {
        let (client, transport) = Kit.stubbed([(200, #"{"domainName": "api.example.com"}"#), (200, #"{"item": []}"#)])
        let gw = APIGatewayClient(client)
        _ = try await gw.getDomainName("api.example.com", domainNameId: nil)
        _ = try await gw.getDomainNames(resourceOwner: "SELF")
        XCTAssertEqual(transport.sent[0].query, [])
        XCTAssertEqual(transport.sent[1].query, [QueryItem("resourceOwner", "SELF")])
    }

    func testAccessAssociationRequestAndAnswer() async throws {
        let answer = #"{"domainNameAccessAssociationArn": "arn:assoc", "domainNameArn": "arn:dom", "accessAssociationSourceType": "VPCE", "accessAssociationSource": "vpce-1", "tags": {"t": "1"}}"#
        let (client, transport) = Kit.stubbed([(201, answer), (200, #"{"item": [\#(answer)]}"#)])
        let gw = APIGatewayClient(client)
        let created = try await gw.createDomainNameAccessAssociation(domainNameArn: "arn:dom", vpcEndpointId: "vpce-1",
                                                                     tags: ["t": "1"])
        let listed = try await gw.getDomainNameAccessAssociations()
        XCTAssertEqual(try Kit.bodyJSON(transport.sent[0]), [
            "domainNameArn": "arn:dom", "accessAssociationSourceType": "VPCE", "accessAssociationSource": "vpce-1",
            "tags": ["t": "1"],
        ])
        XCTAssertEqual(transport.sent[1].query, [QueryItem("resourceOwner", "SELF")])
        XCTAssertEqual(created, .init(arn: "arn:assoc", domainNameArn: "arn:dom", sourceType: "VPCE", source: "vpce-1",
                                      tags: ["t": "1"]))
        XCTAssertEqual(listed.items, [created])
    }

    func testUpdateRestApiPatchAndIdempotence() async throws {
        let (client, transport) = Kit.stubbed([(200, restApiJSON)])
        _ = try await APIGatewayClient(client).replaceRestApiPolicy(id: "g7fe4shg0c", policy: "{}")
        XCTAssertEqual(transport.last?.method, "PATCH")
        XCTAssertEqual(try Kit.bodyJSON(transport.last),
                       ["patchOperations": [["op": "replace", "path": "/policy", "value": "{}"]]])
    }

    func testErrorDocumentBecomesNotFound() async throws {
        let (client, _) = Kit.stubbed([(404, #"{"__type": "NotFoundException", "message": "Invalid Rest API Id specified"}"#)])
        await Kit.expectError(try await APIGatewayClient(client).getRestApi(id: "nope")) { e in
            XCTAssertEqual(e.code, "NotFoundException")
            XCTAssertTrue(e.isNotFound)
            XCTAssertEqual(e.operation, "GetRestApi")
        }
    }
}
