// Typed API Gateway calls for custom domain names: REGIONAL domains (ALB design) and PRIVATE domains with their
// access associations (native design), base path mappings, and tags.
//
// Every call about a PRIVATE domain takes `domainNameId:` with no default: without `?domainNameId=` API Gateway
// addresses the *public* domain of the same name, which for privgw would be the wrong resource (or a NotFound that
// looks like "already deleted"). Pass nil only for public (REGIONAL) domains.
import AWSCore
import Foundation

extension APIGatewayClient {
    /// The two kinds of custom domain privgw makes; each carries its certificate in a different request field.
    public enum DomainEndpoint: Sendable, Equatable {
        /// ALB design: `regionalCertificateArn` + `endpointConfiguration.types=[REGIONAL]`.
        case regional
        /// Native design: `certificateArn` + `endpointConfiguration.types=[PRIVATE]` + a resource policy.
        case `private`(policy: String)
    }

    public struct CreateDomainNameInput: Sendable, Equatable {
        public var domainName: String
        public var endpoint: DomainEndpoint
        public var certificateArn: String
        public var securityPolicy: String
        public var tags: [String: String]

        public init(domainName: String, endpoint: DomainEndpoint, certificateArn: String, securityPolicy: String = "TLS_1_2",
                    tags: [String: String] = [:]) {
            self.domainName = domainName
            self.endpoint = endpoint
            self.certificateArn = certificateArn
            self.securityPolicy = securityPolicy
            self.tags = tags
        }

        var body: JSONValue {
            var b: [String: JSONValue] = ["domainName": .string(domainName), "securityPolicy": .string(securityPolicy)]
            switch endpoint {
            case .regional:
                b["regionalCertificateArn"] = .string(certificateArn)
                b["endpointConfiguration"] = ["types": ["REGIONAL"]]
            case .private(let policy):
                b["certificateArn"] = .string(certificateArn)
                b["endpointConfiguration"] = ["types": ["PRIVATE"]]
                b["policy"] = .string(policy)
            }
            if !tags.isEmpty { b["tags"] = .object(tags.mapValues(JSONValue.string)) }
            return .object(b)
        }
    }

    static func domainNameQuery(_ domainNameId: String?) -> [QueryItem] {
        domainNameId.map { [QueryItem("domainNameId", $0)] } ?? []
    }

    static func domainPath(_ name: String) -> String { "/domainnames/\(label(name))" }

    /// Not idempotent: a repeat is a `ConflictException` on AWS for a public name, and a *second* private domain
    /// (new `domainNameId`) for a private one. (moto silently overwrites a public domain of the same name.)
    public func createDomainName(_ input: CreateDomainNameInput) async throws -> DomainName {
        let json = try await call("CreateDomainName", "POST", "/domainnames", body: input.body, idempotent: false, mutating: true)
        return try Self.domainName(Self.object(json, "CreateDomainName"))
    }

    public func getDomainName(_ domainName: String, domainNameId: String?) async throws -> DomainName {
        let json = try await call("GetDomainName", "GET", Self.domainPath(domainName),
                                  query: Self.domainNameQuery(domainNameId), idempotent: true, mutating: false)
        return try Self.domainName(Self.object(json, "GetDomainName"))
    }

    /// One page. `resourceOwner` `SELF` lists the account's own private domains; nil lists the public ones.
    public func getDomainNames(position: String? = nil, limit: Int? = nil,
                               resourceOwner: String? = nil) async throws -> Page<DomainName> {
        var query = Self.paging(position: position, limit: limit)
        if let resourceOwner { query.append(QueryItem("resourceOwner", resourceOwner)) }
        let json = try await call("GetDomainNames", "GET", "/domainnames", query: query, idempotent: true, mutating: false)
        return try Self.page(json, operation: "GetDomainNames", Self.domainName)
    }

    public func getAllDomainNames(resourceOwner: String? = nil) async throws -> [DomainName] {
        try await Self.collect { try await getDomainNames(position: $0, limit: 500, resourceOwner: resourceOwner) }
    }

    public func deleteDomainName(_ domainName: String, domainNameId: String?) async throws {
        _ = try await call("DeleteDomainName", "DELETE", Self.domainPath(domainName),
                           query: Self.domainNameQuery(domainNameId), idempotent: true, mutating: true)
    }
}

// MARK: - Base path mappings

extension APIGatewayClient {
    /// `basePath` nil maps the domain's root (listed back as `(none)`). Not idempotent: a repeat is a
    /// `ConflictException` on AWS.
    public func createBasePathMapping(domainName: String, domainNameId: String?, basePath: String? = nil,
                                      restApiId: String, stage: String?) async throws -> BasePathMapping {
        var body: [String: JSONValue] = ["restApiId": .string(restApiId)]
        if let basePath { body["basePath"] = .string(basePath) }
        if let stage { body["stage"] = .string(stage) }
        let json = try await call("CreateBasePathMapping", "POST", Self.domainPath(domainName) + "/basepathmappings",
                                  query: Self.domainNameQuery(domainNameId), body: .object(body),
                                  idempotent: false, mutating: true)
        return try Self.basePathMapping(Self.object(json, "CreateBasePathMapping"))
    }

    public func getBasePathMappings(domainName: String, domainNameId: String?, position: String? = nil,
                                    limit: Int? = nil) async throws -> Page<BasePathMapping> {
        let json = try await call("GetBasePathMappings", "GET", Self.domainPath(domainName) + "/basepathmappings",
                                  query: Self.domainNameQuery(domainNameId) + Self.paging(position: position, limit: limit),
                                  idempotent: true, mutating: false)
        return try Self.page(json, operation: "GetBasePathMappings", Self.basePathMapping)
    }

    public func getAllBasePathMappings(domainName: String, domainNameId: String?) async throws -> [BasePathMapping] {
        try await Self.collect {
            try await getBasePathMappings(domainName: domainName, domainNameId: domainNameId, position: $0, limit: 500)
        }
    }

    /// `basePath` `(none)` (`APIGatewayClient.rootBasePath`) deletes the root mapping; the label goes out
    /// percent-escaped (`%28none%29`), as botocore sends it.
    public func deleteBasePathMapping(domainName: String, domainNameId: String?, basePath: String) async throws {
        _ = try await call("DeleteBasePathMapping", "DELETE",
                           Self.domainPath(domainName) + "/basepathmappings/\(Self.label(basePath))",
                           query: Self.domainNameQuery(domainNameId), idempotent: true, mutating: true)
    }
}

// MARK: - Access associations (native design)

extension APIGatewayClient {
    /// Lets `vpcEndpointId` reach the PRIVATE domain `domainNameArn`. Not idempotent: a repeat is a
    /// `ConflictException` on AWS (the association exists).
    public func createDomainNameAccessAssociation(domainNameArn: String, vpcEndpointId: String,
                                                  tags: [String: String] = [:]) async throws -> DomainNameAccessAssociation {
        var body: [String: JSONValue] = [
            "domainNameArn": .string(domainNameArn),
            "accessAssociationSourceType": "VPCE",
            "accessAssociationSource": .string(vpcEndpointId),
        ]
        if !tags.isEmpty { body["tags"] = .object(tags.mapValues(JSONValue.string)) }
        let json = try await call("CreateDomainNameAccessAssociation", "POST", "/domainnameaccessassociations",
                                  body: .object(body), idempotent: false, mutating: true)
        return try Self.accessAssociation(Self.object(json, "CreateDomainNameAccessAssociation"))
    }

    /// One page; `resourceOwner` `SELF` lists the associations made by this account (the default on AWS too).
    public func getDomainNameAccessAssociations(resourceOwner: String? = "SELF", position: String? = nil,
                                                limit: Int? = nil) async throws -> Page<DomainNameAccessAssociation> {
        var query = Self.paging(position: position, limit: limit)
        if let resourceOwner { query.append(QueryItem("resourceOwner", resourceOwner)) }
        let json = try await call("GetDomainNameAccessAssociations", "GET", "/domainnameaccessassociations", query: query,
                                  idempotent: true, mutating: false)
        return try Self.page(json, operation: "GetDomainNameAccessAssociations", Self.accessAssociation)
    }

    public func getAllDomainNameAccessAssociations(resourceOwner: String? = "SELF") async throws -> [DomainNameAccessAssociation] {
        try await Self.collect {
            try await getDomainNameAccessAssociations(resourceOwner: resourceOwner, position: $0, limit: 500)
        }
    }

    /// The ARN is one path label, so its `:`, `/` and `+` go out percent-escaped.
    public func deleteDomainNameAccessAssociation(arn: String) async throws {
        _ = try await call("DeleteDomainNameAccessAssociation", "DELETE", "/domainnameaccessassociations/\(Self.label(arn))",
                           idempotent: true, mutating: true)
    }
}

// MARK: - Tags

extension APIGatewayClient {
    /// Tags of any API Gateway resource by ARN (the ARN is one percent-escaped label). moto 5.2.1 does not route this
    /// for REST API or domain ARNs and answers an HTML 404, which surfaces as an `AWSError` like any other failure.
    public func getTags(resourceArn: String) async throws -> [String: String] {
        let json = try await call("GetTags", "GET", "/tags/\(Self.label(resourceArn))", idempotent: true, mutating: false)
        return try Self.object(json, "GetTags").stringMap("tags")
    }
}
