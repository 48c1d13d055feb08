// Typed API Gateway (REST API, v1) calls for privgw: the private REST API with its MOCK health route, deployments and
// stages. Custom domain names, base path mappings, access associations and tags are in APIGatewayDomains.swift.
//
// Paths and JSON member names follow botocore's `apigateway` service-2 model. Every URI label is percent-encoded with
// `URIEncoding.encode` (no `/` kept), as botocore does for non-greedy labels.
import AWSCore
import Foundation

public struct APIGatewayClient: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) { self.client = client }

    /// The base path API Gateway uses for a mapping at the domain's root.
    public static let rootBasePath = "(none)"

    func call(_ operation: String, _ method: String, _ path: String, query: [QueryItem] = [], body: JSONValue? = nil,
              idempotent: Bool, mutating: Bool) async throws -> JSONValue {
        try await client.restJSON(.apiGateway, operation, method: method, path: path, query: query, body: body,
                                  idempotent: idempotent, mutating: mutating)
    }

    static func label(_ s: String) -> String { URIEncoding.encode(s) }

    static func paging(position: String?, limit: Int?) -> [QueryItem] {
        var q: [QueryItem] = []
        if let position { q.append(QueryItem("position", position)) }
        if let limit { q.append(QueryItem("limit", String(limit))) }
        return q
    }

    /// Follows `position` tokens until the last page. Stops (with what it has) if a server hands back the token it
    /// was given, and after `maxPages`, so a misbehaving endpoint cannot loop privgw forever.
    static func collect<T>(maxPages: Int = 100, _ fetch: (String?) async throws -> Page<T>) async throws -> [T] {
        var all: [T] = []
        var position: String? = nil
        for _ in 0..<maxPages {
            let page = try await fetch(position)
            all += page.items
            guard let next = page.position, next != position else { break }
            position = next
        }
        return all
    }
}

// MARK: - REST APIs

extension APIGatewayClient {
    public struct CreateRestApiInput: Sendable, Equatable {
        public var name: String
        public var description: String?
        /// `["PRIVATE"]` for privgw's APIs.
        public var endpointTypes: [String]
        /// VPC endpoints associated with the private API (lets clients use the endpoint's public DNS names).
        public var vpcEndpointIds: [String]
        /// Resource policy as a JSON document.
        public var policy: String?
        /// Tags can only be set here in moto (TagResource on a REST API ARN is not routed there).
        public var tags: [String: String]

        public init(name: String, description: String? = nil, endpointTypes: [String] = ["PRIVATE"],
                    vpcEndpointIds: [String] = [], policy: String? = nil, tags: [String: String] = [:]) {
            self.name = name
            self.description = description
            self.endpointTypes = endpointTypes
            self.vpcEndpointIds = vpcEndpointIds
            self.policy = policy
            self.tags = tags
        }
    }

    /// Not idempotent: API Gateway has no client token here, a repeat makes a second API with the same name.
    public func createRestApi(_ input: CreateRestApiInput) async throws -> RestApi {
        var body: [String: JSONValue] = ["name": .string(input.name)]
        if let d = input.description { body["description"] = .string(d) }
        var endpoint: [String: JSONValue] = ["types": .array(input.endpointTypes.map(JSONValue.string))]
        if !input.vpcEndpointIds.isEmpty { endpoint["vpcEndpointIds"] = .array(input.vpcEndpointIds.map(JSONValue.string)) }
        body["endpointConfiguration"] = .object(endpoint)
        if let p = input.policy { body["policy"] = .string(p) }
        if !input.tags.isEmpty { body["tags"] = .object(input.tags.mapValues(JSONValue.string)) }
        let json = try await call("CreateRestApi", "POST", "/restapis", body: .object(body), idempotent: false, mutating: true)
        return try Self.restApi(Self.object(json, "CreateRestApi"))
    }

    public func getRestApi(id: String) async throws -> RestApi {
        let json = try await call("GetRestApi", "GET", "/restapis/\(Self.label(id))", idempotent: true, mutating: false)
        return try Self.restApi(Self.object(json, "GetRestApi"))
    }

    /// One page; `limit` is at most 500 on AWS (default 25).
    public func getRestApis(position: String? = nil, limit: Int? = nil) async throws -> Page<RestApi> {
        let json = try await call("GetRestApis", "GET", "/restapis", query: Self.paging(position: position, limit: limit),
                                  idempotent: true, mutating: false)
        return try Self.page(json, operation: "GetRestApis", Self.restApi)
    }

    /// Every REST API of the account in this region, following `position`.
    public func getAllRestApis(pageSize: Int = 500) async throws -> [RestApi] {
        try await Self.collect { try await getRestApis(position: $0, limit: pageSize) }
    }

    /// Idempotent only when every operation is a `replace`/`remove` (true for privgw's policy updates); `add` on a list
    /// would add twice.
    public func updateRestApi(id: String, patchOperations: [PatchOperation]) async throws -> RestApi {
        let idempotent = patchOperations.allSatisfy { $0.op == "replace" || $0.op == "remove" }
        let json = try await call("UpdateRestApi", "PATCH", "/restapis/\(Self.label(id))",
                                  body: ["patchOperations": .array(patchOperations.map(\.json))],
                                  idempotent: idempotent, mutating: true)
        return try Self.restApi(Self.object(json, "UpdateRestApi"))
    }

    /// Replaces the resource policy (a redeploy is needed before it applies to calls).
    public func replaceRestApiPolicy(id: String, policy: String) async throws -> RestApi {
        try await updateRestApi(id: id, patchOperations: [.replace("/policy", policy)])
    }

    /// moto 5.2.1 may answer 500 after it has deleted the API; the retry then meets `NotFoundException`. Callers
    /// that only want the API gone treat `isNotFound` as success (and may confirm with `getRestApi`).
    public func deleteRestApi(id: String) async throws {
        _ = try await call("DeleteRestApi", "DELETE", "/restapis/\(Self.label(id))", idempotent: true, mutating: true)
    }
}

// MARK: - Resources, methods, integrations

extension APIGatewayClient {
    /// One page of the API's resources; the root resource has path `/`.
    public func getResources(restApiId: String, position: String? = nil, limit: Int? = nil) async throws -> Page<Resource> {
        let json = try await call("GetResources", "GET", "/restapis/\(Self.label(restApiId))/resources",
                                  query: Self.paging(position: position, limit: limit), idempotent: true, mutating: false)
        return try Self.page(json, operation: "GetResources", Self.resource)
    }

    /// All resources of the API, following `position`.
    public func getAllResources(restApiId: String) async throws -> [Resource] {
        try await Self.collect { try await getResources(restApiId: restApiId, position: $0, limit: 500) }
    }

    /// Not idempotent: a repeat fails with `ConflictException` (the path part exists), which callers can treat as done.
    public func createResource(restApiId: String, parentId: String, pathPart: String) async throws -> Resource {
        let json = try await call("CreateResource", "POST",
                                  "/restapis/\(Self.label(restApiId))/resources/\(Self.label(parentId))",
                                  body: ["pathPart": .string(pathPart)], idempotent: false, mutating: true)
        return try Self.resource(Self.object(json, "CreateResource"))
    }

    static func methodPath(_ restApiId: String, _ resourceId: String, _ httpMethod: String) -> String {
        "/restapis/\(label(restApiId))/resources/\(label(resourceId))/methods/\(label(httpMethod))"
    }

    /// Not marked idempotent: on AWS a second PutMethod for the same method answers `ConflictException` (the method
    /// exists) rather than replacing it, so a blind retry would report a failure for a call that worked.
    public func putMethod(restApiId: String, resourceId: String, httpMethod: String,
                          authorizationType: String = "NONE") async throws {
        let json = try await call("PutMethod", "PUT", Self.methodPath(restApiId, resourceId, httpMethod),
                                  body: ["authorizationType": .string(authorizationType)], idempotent: false, mutating: true)
        _ = try Self.object(json, "PutMethod")
    }

    /// PUT replaces the integration: idempotent. privgw's health route is a MOCK integration: `requestTemplates` `{"application/json": "{\"statusCode\": 200}"}`
    /// makes API Gateway answer 200 without a backend.
    public func putIntegration(restApiId: String, resourceId: String, httpMethod: String, type: String = "MOCK",
                               requestTemplates: [String: String] = APIGatewayClient.mockRequestTemplates) async throws -> Integration {
        var body: [String: JSONValue] = ["type": .string(type)]
        if !requestTemplates.isEmpty { body["requestTemplates"] = .object(requestTemplates.mapValues(JSONValue.string)) }
        let json = try await call("PutIntegration", "PUT", Self.methodPath(restApiId, resourceId, httpMethod) + "/integration",
                                  body: .object(body), idempotent: true, mutating: true)
        return try Self.integration(Self.object(json, "PutIntegration"))
    }

    public static let mockRequestTemplates = ["application/json": "{\"statusCode\": 200}"]

    /// Reads the integration back (with its integration responses), to check an existing route.
    public func getIntegration(restApiId: String, resourceId: String, httpMethod: String) async throws -> Integration {
        let json = try await call("GetIntegration", "GET", Self.methodPath(restApiId, resourceId, httpMethod) + "/integration",
                                  idempotent: true, mutating: false)
        return try Self.integration(Self.object(json, "GetIntegration"))
    }

    /// Not marked idempotent for the same reason as `putMethod` (a repeat is a `ConflictException` on AWS).
    public func putMethodResponse(restApiId: String, resourceId: String, httpMethod: String,
                                  statusCode: String = "200") async throws {
        let json = try await call("PutMethodResponse", "PUT",
                                  Self.methodPath(restApiId, resourceId, httpMethod) + "/responses/\(Self.label(statusCode))",
                                  body: .object([:]), idempotent: false, mutating: true)
        _ = try Self.object(json, "PutMethodResponse")
    }

    /// PUT replaces the integration response: idempotent.
    public func putIntegrationResponse(restApiId: String, resourceId: String, httpMethod: String, statusCode: String = "200",
                                       responseTemplates: [String: String] = [:]) async throws {
        var body: [String: JSONValue] = [:]
        if !responseTemplates.isEmpty { body["responseTemplates"] = .object(responseTemplates.mapValues(JSONValue.string)) }
        let json = try await call("PutIntegrationResponse", "PUT",
                                  Self.methodPath(restApiId, resourceId, httpMethod)
                                      + "/integration/responses/\(Self.label(statusCode))",
                                  body: .object(body), idempotent: true, mutating: true)
        _ = try Self.object(json, "PutIntegrationResponse")
    }
}

// MARK: - Deployments and stages

extension APIGatewayClient {
    /// Not idempotent: each call makes a new deployment (and re-points the stage), harmless but not free.
    public func createDeployment(restApiId: String, stageName: String, description: String? = nil) async throws -> Deployment {
        var body: [String: JSONValue] = ["stageName": .string(stageName)]
        if let description { body["description"] = .string(description) }
        let json = try await call("CreateDeployment", "POST", "/restapis/\(Self.label(restApiId))/deployments",
                                  body: .object(body), idempotent: false, mutating: true)
        return try Self.deployment(Self.object(json, "CreateDeployment"))
    }

    public func getStage(restApiId: String, stageName: String) async throws -> Stage {
        let json = try await call("GetStage", "GET",
                                  "/restapis/\(Self.label(restApiId))/stages/\(Self.label(stageName))",
                                  idempotent: true, mutating: false)
        return try Self.stage(Self.object(json, "GetStage"))
    }

    /// All stages (the call is not paged).
    public func getStages(restApiId: String) async throws -> [Stage] {
        let json = try await call("GetStages", "GET", "/restapis/\(Self.label(restApiId))/stages",
                                  idempotent: true, mutating: false)
        return try Self.page(json, operation: "GetStages", Self.stage).items
    }
}
