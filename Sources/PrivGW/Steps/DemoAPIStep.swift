// The demo private REST API (MOCK `GET /hello`), its endpoint-only resource policy and its deployed stage.
import AWSCore
import AWSServices
import Foundation

public struct DemoAPIStep: Step {
    public let id = "api"
    public let kind = "rest api"
    public let dependsOn = ["endpoint"]
    let stage: String

    public init(stage: String) { self.stage = stage }

    func apiName(_ stack: String) -> String { "privgw-\(stack)-demo" }

    /// Allows `execute-api:Invoke` only through the stack's endpoint (explicit deny for every other source).
    public static func policy(vpce: String, resource: String = "execute-api:/*") -> String {
        let doc: JSONValue = [
            "Version": "2012-10-17",
            "Statement": [
                ["Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": .string(resource),
                 "Condition": ["StringNotEquals": ["aws:SourceVpce": .string(vpce)]]],
                ["Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": .string(resource),
                 "Condition": ["StringEquals": ["aws:SourceVpce": .string(vpce)]]],
            ],
        ]
        return doc.jsonString
    }

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        let env = ctx.environment
        var api: APIGatewayClient.RestApi?
        if let journaled { api = try await get(env, journaled.id) }
        if api == nil {
            api = try await env.apiGateway.getAllRestApis().first {
                Ownership.isOwned($0.tags, stack: env.stack, step: id) && $0.name == apiName(env.stack)
            }
        }
        guard let api else { return nil }
        return try await record(env, api)
    }

    func get(_ env: AWSEnvironment, _ apiId: String) async throws -> APIGatewayClient.RestApi? {
        do {
            return try await env.apiGateway.getRestApi(id: apiId)
        } catch let e as AWSError where e.isNotFound {
            return nil
        }
    }

    func record(_ env: AWSEnvironment, _ api: APIGatewayClient.RestApi) async throws -> ResourceRecord {
        let stages = try await env.apiGateway.getStages(restApiId: api.id)
        return ResourceRecord(step: id, kind: kind, id: api.id, attributes: [
            "name": api.name, "stage": stage,
            "deployed": stages.contains { $0.stageName == stage } ? "true" : "false",
            "policy": api.policy ?? "",
        ])
    }

    public func diff(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> String? {
        if existing.attributes["deployed"] != "true" { return "finish set-up: GET /hello and stage \(stage)" }
        if let vpce = try ctx.optionalRecord(of: "endpoint")?.id, !(existing.attributes["policy"] ?? "").contains(vpce) {
            return "resource policy: admit only endpoint \(vpce)"
        }
        return nil
    }

    public func update(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> ResourceRecord {
        let env = ctx.environment
        let vpce = try ctx.record(of: "endpoint").id
        if !(existing.attributes["policy"] ?? "").contains(vpce) {
            _ = try await env.apiGateway.replaceRestApiPolicy(id: existing.id, policy: Self.policy(vpce: vpce))
        }
        try await finishSetup(env, apiId: existing.id)
        guard let api = try await get(env, existing.id) else { return existing }
        return try await record(env, api)
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        let env = ctx.environment
        let vpce = try ctx.record(of: "endpoint").id
        let api = try await env.apiGateway.createRestApi(.init(
            name: apiName(env.stack), description: "privgw demo API for stack \(env.stack)", endpointTypes: ["PRIVATE"],
            vpcEndpointIds: [vpce], policy: Self.policy(vpce: vpce), tags: env.tags(id)))
        try await ctx.remember("id", api.id)
        try await finishSetup(env, apiId: api.id)
        return try await record(env, try await get(env, api.id) ?? api)
    }

    /// Adds `GET /hello` (MOCK, 200 with a JSON greeting) where missing, then deploys the stage. Safe to repeat.
    func finishSetup(_ env: AWSEnvironment, apiId: String) async throws {
        let gw = env.apiGateway
        var resources = try await gw.getAllResources(restApiId: apiId)
        guard let root = resources.first(where: { $0.path == "/" }) else {
            throw AWSError(kind: .malformedResponse, code: "NoRootResource", message: "REST API \(apiId) has no root resource", resource: apiId)
        }
        var hello = resources.first { $0.path == "/hello" }
        if hello == nil {
            hello = try await gw.createResource(restApiId: apiId, parentId: root.id, pathPart: "hello")
            resources = try await gw.getAllResources(restApiId: apiId)
        }
        guard let hello else { return }
        if !hello.methods.contains("GET") {
            try await gw.putMethod(restApiId: apiId, resourceId: hello.id, httpMethod: "GET")
        }
        // Each part is checked on its own: a run that failed (or died) after PutMethod left the route half made.
        var integration: APIGatewayClient.Integration?
        do {
            integration = try await gw.getIntegration(restApiId: apiId, resourceId: hello.id, httpMethod: "GET")
        } catch let e as AWSError where e.isNotFound || e.kind == .malformedResponse {
            // AWS: NotFoundException; moto answers 200 with an empty document. Either way: PUT it (idempotent).
            integration = nil
        }
        if integration == nil {
            _ = try await gw.putIntegration(restApiId: apiId, resourceId: hello.id, httpMethod: "GET")
        }
        if integration?.responseTemplates["200"] == nil {
            do {
                try await gw.putMethodResponse(restApiId: apiId, resourceId: hello.id, httpMethod: "GET")
            } catch let e as AWSError where e.code == "ConflictException" {
                // Made by the attempt that failed: fine.
            }
            try await gw.putIntegrationResponse(restApiId: apiId, resourceId: hello.id, httpMethod: "GET",
                                                responseTemplates: ["application/json": "{\"message\": \"hello from privgw\"}"])
        }
        let stages = try await gw.getStages(restApiId: apiId)
        if !stages.contains(where: { $0.stageName == stage }) {
            _ = try await gw.createDeployment(restApiId: apiId, stageName: stage, description: "privgw")
        }
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        let env = ctx.environment
        guard let api = try await get(env, record.id) else { return }
        guard Ownership.isOwned(api.tags, stack: env.stack) else {
            throw Ownership.foreign(kind, api.id, stack: env.stack, fix: "privgw deletes only what it tagged")
        }
        do {
            try await env.apiGateway.deleteRestApi(id: record.id)
        } catch let e as AWSError where e.isNotFound {
            return
        } catch let e as AWSError where (e.httpStatus ?? 0) >= 500 {
            // moto answers 500 after deleting; trust the read-back, not the status.
            if try await get(env, record.id) != nil { throw e }
        }
    }
}
