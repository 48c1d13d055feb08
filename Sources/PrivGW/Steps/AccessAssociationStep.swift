// Native design: the domain name access association that lets the stack's VPC endpoint reach a private domain.
import AWSCore
import AWSServices
import Foundation

public struct AccessAssociationStep: Step {
    public let id: String
    public let kind = "domain access association"
    public let dependsOn: [String]
    let domainStep: String

    public init(id: String = "access-association", domainStep: String = "domain-name") {
        self.id = id
        self.domainStep = domainStep
        self.dependsOn = [domainStep, "endpoint"]
    }

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        guard let dnArn = try ctx.optionalRecord(of: domainStep)?.attributes["domainNameArn"],
              let vpce = try ctx.optionalRecord(of: "endpoint")?.id else { return nil }
        let all = try await ctx.environment.apiGateway.getAllDomainNameAccessAssociations(resourceOwner: "SELF")
        guard let a = all.first(where: { $0.domainNameArn == dnArn && $0.source == vpce }) else { return nil }
        return ResourceRecord(step: id, kind: kind, id: a.arn, attributes: ["domainNameArn": dnArn, "endpoint": vpce])
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        let env = ctx.environment
        let dn = try ctx.record(of: domainStep)
        let dnArn = try dn.require("domainNameArn")
        let vpce = try ctx.record(of: "endpoint").id
        let a = try await env.apiGateway.createDomainNameAccessAssociation(domainNameArn: dnArn, vpcEndpointId: vpce, tags: env.tags(id))
        return ResourceRecord(step: id, kind: kind, id: a.arn, attributes: ["domainNameArn": dnArn, "endpoint": vpce])
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        do {
            try await ctx.environment.apiGateway.deleteDomainNameAccessAssociation(arn: record.id)
        } catch let e as AWSError where e.isNotFound {
            return
        }
    }
}
