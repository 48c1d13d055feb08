// The API Gateway custom domain name: REGIONAL (ALB design) or PRIVATE with an endpoint-only policy (native design).
import AWSCore
import AWSServices
import Foundation

public struct DomainNameStep: Step {
    public let id: String
    public let kind: String
    public let dependsOn: [String]
    let domain: String
    let isPrivate: Bool
    let certificateStep: String

    /// `after`: steps created before and deleted after the domain without being read, e.g. the demo API: API Gateway
    /// refuses to delete a REST API that a domain still maps ("remove all base path mappings related to the RestApi"),
    /// and deleting the domain is what removes its mappings.
    public init(id: String = "domain-name", domain: String, private isPrivate: Bool, certificateStep: String = "certificate",
                after: [String] = []) {
        self.id = id
        self.domain = domain
        self.isPrivate = isPrivate
        self.certificateStep = certificateStep
        self.kind = isPrivate ? "private domain name" : "domain name"
        self.dependsOn = (isPrivate ? [certificateStep, "endpoint"] : [certificateStep]) + after
    }

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        let env = ctx.environment
        var dn: APIGatewayClient.DomainName?
        if isPrivate {
            // A private domain is addressed by name + domainNameId; without the id API Gateway means the public one.
            if let journaled, let dnId = journaled.attributes["domainNameId"] {
                dn = try await get(env, domainNameId: dnId)
            }
            if dn == nil {
                dn = try await env.apiGateway.getAllDomainNames(resourceOwner: "SELF").first {
                    dnsEqual($0.domainName, domain) && $0.endpointTypes.contains("PRIVATE") && Ownership.isOwned($0.tags, stack: env.stack)
                }
            }
        } else {
            dn = try await get(env, domainNameId: nil)
            if let d = dn, d.endpointTypes.contains("PRIVATE") { dn = nil }
        }
        guard let dn else { return nil }
        guard Ownership.isOwned(dn.tags, stack: env.stack) else {
            throw Ownership.foreign(kind, domain, stack: env.stack,
                                    fix: "another owner already has this custom domain in API Gateway: pick another `domain:` or remove it")
        }
        return record(dn)
    }

    func get(_ env: AWSEnvironment, domainNameId: String?) async throws -> APIGatewayClient.DomainName? {
        do {
            return try await env.apiGateway.getDomainName(domain, domainNameId: domainNameId)
        } catch let e as AWSError where e.isNotFound {
            return nil
        }
    }

    func record(_ dn: APIGatewayClient.DomainName) -> ResourceRecord {
        var attrs: [String: String] = [
            "domain": dn.domainName, "status": dn.status ?? "",
            "certificate": dn.regionalCertificateArn ?? dn.certificateArn ?? "",
        ]
        if let v = dn.domainNameId { attrs["domainNameId"] = v }
        if let v = dn.domainNameArn { attrs["domainNameArn"] = v }
        if let v = dn.regionalDomainName { attrs["regionalDomainName"] = v }
        if let v = dn.regionalHostedZoneId { attrs["regionalHostedZoneId"] = v }
        if let v = dn.policy { attrs["policy"] = v }
        return ResourceRecord(step: id, kind: kind, id: dn.domainNameArn ?? dn.domainName, attributes: attrs)
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        let env = ctx.environment
        let cert = try ctx.record(of: certificateStep).id
        let endpoint: APIGatewayClient.DomainEndpoint
        if isPrivate {
            let vpce = try ctx.record(of: "endpoint").id
            endpoint = .private(policy: DemoAPIStep.policy(vpce: vpce, resource: "execute-api:/*"))
        } else {
            endpoint = .regional
        }
        let dn = try await env.apiGateway.createDomainName(.init(
            domainName: domain, endpoint: endpoint, certificateArn: cert, securityPolicy: "TLS_1_2", tags: env.tags(id)))
        if let dnId = dn.domainNameId { try await ctx.remember("domainNameId", dnId) }
        return record(dn)
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        let env = ctx.environment
        let dnId = record.attributes["domainNameId"]
        if isPrivate && dnId == nil {
            throw AWSError(kind: .configuration, code: "MissingDomainNameId",
                           message: "the journal lacks the domainNameId of private domain \(domain)", resource: domain,
                           hint: "without it the call would address the public domain of that name; delete it in the console")
        }
        guard let dn = try await get(env, domainNameId: dnId) else { return }
        guard Ownership.isOwned(dn.tags, stack: env.stack) else {
            throw Ownership.foreign(kind, domain, stack: env.stack, fix: "privgw deletes only what it tagged")
        }
        do {
            try await env.apiGateway.deleteDomainName(domain, domainNameId: dnId)
        } catch let e as AWSError where e.isNotFound {
            return
        }
    }
}

/// The base path mappings of one domain name: each `apis:` entry maps a base path to an API's stage.
public struct MappingsStep: Step {
    public let id: String
    public let kind = "base path mappings"
    public let dependsOn: [String]
    let domain: String
    let domainStep: String
    let usesDemo: Bool

    /// `after`: steps to finish first without reading their records (e.g. the API policy steps, so that the check of
    /// each existing API's policy sees what they changed).
    public init(id: String = "mappings", domain: String, domainStep: String = "domain-name", apis: [StackSpec.APIMapping],
                after: [String] = []) {
        self.id = id
        self.domain = domain
        self.domainStep = domainStep
        self.usesDemo = apis.contains { $0.isDemo }
        self.dependsOn = (usesDemo ? [domainStep, "api", "endpoint"] : [domainStep, "endpoint"]) + after
    }

    /// `(none)` is API Gateway's name for the root mapping.
    static func key(_ basePath: String) -> String { basePath.isEmpty ? "(none)" : basePath }

    func desired(_ ctx: StepContext<AWSEnvironment>) throws -> [String: String] {
        var out: [String: String] = [:]
        for m in ctx.environment.spec.apis {
            let apiId = m.isDemo ? (try ctx.optionalRecord(of: "api")?.id ?? "(demo)") : m.restApiId
            out[Self.key(m.basePath)] = "\(apiId)/\(m.stage)"
        }
        return out
    }

    static func encode(_ m: [String: String]) -> String {
        m.keys.sorted().map { "\($0)=\(m[$0]!)" }.joined(separator: ",")
    }

    static func decode(_ s: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in s.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { out[kv[0]] = kv[1] }
        }
        return out
    }

    func domainNameId(_ ctx: StepContext<AWSEnvironment>) throws -> String? {
        try ctx.optionalRecord(of: domainStep)?.attributes["domainNameId"]
    }

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        guard let dn = try ctx.optionalRecord(of: domainStep) else { return nil }
        let mappings: [APIGatewayClient.BasePathMapping]
        do {
            mappings = try await ctx.environment.apiGateway.getAllBasePathMappings(domainName: domain, domainNameId: dn.attributes["domainNameId"])
        } catch let e as AWSError where e.isNotFound {
            return nil
        }
        guard !mappings.isEmpty else { return nil }
        var current: [String: String] = [:]
        for m in mappings { current[Self.key(m.basePath == "(none)" ? "" : m.basePath)] = "\(m.restApiId)/\(m.stage ?? "")" }
        return record(current, dn)
    }

    func record(_ mappings: [String: String], _ dn: ResourceRecord) -> ResourceRecord {
        var attrs = ["mappings": Self.encode(mappings), "domain": domain]
        if let dnId = dn.attributes["domainNameId"] { attrs["domainNameId"] = dnId }
        return ResourceRecord(step: id, kind: kind, id: domain, attributes: attrs)
    }

    public func diff(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> String? {
        let want = try desired(ctx), have = Self.decode(existing.attributes["mappings"] ?? "")
        if want == have { return nil }
        var parts: [String] = []
        for k in want.keys.sorted() where have[k] != want[k] { parts.append("map \(k) → \(want[k]!)") }
        for k in have.keys.sorted() where want[k] == nil { parts.append("unmap \(k)") }
        return parts.joined(separator: "; ")
    }

    public func update(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> ResourceRecord {
        let gw = ctx.environment.apiGateway
        let dn = try ctx.record(of: domainStep)
        let dnId = dn.attributes["domainNameId"]
        let want = try desired(ctx), have = Self.decode(existing.attributes["mappings"] ?? "")
        for k in have.keys.sorted() where want[k] != have[k] {
            try await gw.deleteBasePathMapping(domainName: domain, domainNameId: dnId, basePath: k)
        }
        try await createMissing(ctx, want: want, have: have.filter { want[$0.key] == $0.value })
        return record(want, dn)
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        let want = try desired(ctx)
        try await createMissing(ctx, want: want, have: [:])
        return record(want, try ctx.record(of: domainStep))
    }

    func createMissing(_ ctx: StepContext<AWSEnvironment>, want: [String: String], have: [String: String]) async throws {
        let env = ctx.environment
        let dnId = try domainNameId(ctx)
        let vpce = try ctx.record(of: "endpoint").id
        var checked = Set<String>()
        for m in env.spec.apis {
            let k = Self.key(m.basePath)
            guard have[k] == nil, let target = want[k] else { continue }
            let apiId = String(target.split(separator: "/").first ?? "")
            if !m.isDemo, checked.insert(apiId).inserted { await checkExistingAPI(ctx, apiId: apiId, vpce: vpce) }
            _ = try await env.apiGateway.createBasePathMapping(domainName: domain, domainNameId: dnId,
                                                               basePath: m.basePath.isEmpty ? nil : m.basePath,
                                                               restApiId: apiId, stage: m.stage)
        }
    }

    /// A user's API must be PRIVATE and admit this endpoint, or requests through the new name will be refused.
    func checkExistingAPI(_ ctx: StepContext<AWSEnvironment>, apiId: String, vpce: String) async {
        guard let api = try? await ctx.environment.apiGateway.getRestApi(id: apiId) else {
            ctx.progress.warning("REST API \(apiId) could not be read: check `apis[].id` in the spec")
            return
        }
        if !api.endpointTypes.contains("PRIVATE") {
            ctx.progress.warning("REST API \(apiId) is \(api.endpointTypes.joined(separator: ",")), not PRIVATE: the custom name will not reach it through the endpoint")
        }
        if !(api.policy ?? "").contains(vpce) {
            ctx.progress.warning("REST API \(apiId)'s resource policy does not mention endpoint \(vpce): add an Allow for execute-api:Invoke with aws:SourceVpce = \(vpce), then redeploy its stage")
        }
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        // Deleting privgw's own domain name removes its mappings with it: one call instead of one per mapping. (The demo
        // API, which API Gateway refuses to delete while it is still mapped, goes only after the domain: see `after`.)
        if let dn = try? ctx.optionalRecord(of: domainStep), dn.owned { return }
        let gw = ctx.environment.apiGateway
        let dnId = record.attributes["domainNameId"]
        for k in Self.decode(record.attributes["mappings"] ?? "").keys.sorted() {
            do {
                try await gw.deleteBasePathMapping(domainName: domain, domainNameId: dnId, basePath: k)
            } catch let e as AWSError where e.isNotFound {
                continue
            }
        }
    }
}
