// The user's VPC and subnets: read and validated (right VPC, two or more AZs), never changed.
import AWSCore
import AWSServices
import Foundation

public struct NetworkStep: Step {
    public let id = "network"
    public let kind = "vpc"
    public let dependsOn: [String] = []

    public init() {}

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        let env = ctx.environment
        let spec = env.spec
        let vpcs: [EC2Client.Vpc]
        do {
            vpcs = try await env.ec2.describeVpcs(ids: [spec.vpc])
        } catch let e as AWSError where e.isNotFound {
            throw e.about("vpc \(spec.vpc)", hint: "check `vpc:` in the spec and the region (\(env.region))")
        }
        guard let vpc = vpcs.first else {
            throw AWSError(kind: .configuration, code: "VpcNotFound", message: "VPC \(spec.vpc) does not exist in \(env.region)",
                           resource: spec.vpc, hint: "check `vpc:` in the spec and the region")
        }
        let subnets: [EC2Client.Subnet]
        do {
            subnets = try await env.ec2.describeSubnets(ids: spec.subnets)
        } catch let e as AWSError where e.isNotFound {
            throw e.about("subnets \(spec.subnets.joined(separator: ", "))", hint: "check `subnets:` in the spec")
        }
        for s in subnets where s.vpcId != vpc.id {
            throw AWSError(kind: .configuration, code: "SubnetOutsideVpc",
                           message: "subnet \(s.id) is in \(s.vpcId), not in \(vpc.id)", resource: s.id,
                           hint: "list only subnets of \(vpc.id) under `subnets:`")
        }
        let zones = Set(subnets.map(\.availabilityZone))
        if zones.count < 2 {
            throw AWSError(kind: .configuration, code: "NotEnoughAvailabilityZones",
                           message: "subnets \(spec.subnets.joined(separator: ", ")) are all in \(zones.sorted().joined(separator: ", "))",
                           resource: vpc.id, hint: "an ALB needs subnets in at least two availability zones: add one from another zone")
        }
        return ResourceRecord(step: id, kind: kind, id: vpc.id, owned: false, attributes: [
            "cidr": vpc.cidrBlock,
            "subnets": subnets.map(\.id).joined(separator: ","),
            "zones": zones.sorted().joined(separator: ","),
        ])
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        // find either returns the VPC or throws; reaching create means it vanished between the two calls.
        throw AWSError(kind: .configuration, code: "VpcNotFound", message: "VPC \(ctx.environment.spec.vpc) was not found",
                       resource: ctx.environment.spec.vpc, hint: "privgw never creates networks: give an existing VPC")
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {}
}
