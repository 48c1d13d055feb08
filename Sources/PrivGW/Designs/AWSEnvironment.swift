// What every concrete step gets through `ctx.environment`: the spec, the region, the AWS clients, and naming/tag rules.
import AWSCore
import AWSServices
import Foundation

public struct AWSEnvironment: Sendable {
    public let spec: StackSpec
    public let region: String
    public let ec2: EC2Client
    public let elbv2: ELBv2Client
    public let apiGateway: APIGatewayClient
    public let route53: Route53Client
    public let acm: ACMClient

    public init(spec: StackSpec, client: AWSClient) {
        self.spec = spec
        self.region = client.region
        self.ec2 = EC2Client(client)
        self.elbv2 = ELBv2Client(client)
        self.apiGateway = APIGatewayClient(client)
        self.route53 = Route53Client(client)
        self.acm = ACMClient(client)
    }

    public var stack: String { spec.name }
}

/// Ownership tags and the names privgw gives what it creates.
public enum Ownership {
    public static let stackTag = "privgw:stack"
    public static let stepTag = "privgw:step"

    /// Tags for a new resource of `step`: the user's tags plus the two ownership tags (which win).
    public static func tags(stack: String, step: String, user: [String: String]) -> [String: String] {
        var t = user
        t[stackTag] = stack
        t[stepTag] = step
        return t
    }

    public static func isOwned(_ tags: [String: String], stack: String, step: String? = nil) -> Bool {
        guard tags[stackTag] == stack else { return false }
        if let step { return tags[stepTag] == step }
        return true
    }

    /// EC2 filters selecting this stack's resources of one step.
    public static func ec2Filters(stack: String, step: String) -> [EC2Filter] {
        [EC2Filter(name: "tag:\(stackTag)", values: [stack]), EC2Filter(name: "tag:\(stepTag)", values: [step])]
    }

    /// ELBv2 names are at most 32 characters; stack names are at most 28, so `pgw-` fits.
    public static func elbName(stack: String) -> String { "pgw-\(stack)" }

    /// The error for a resource that has privgw's name but not this stack's tag: privgw will not touch it.
    public static func foreign(_ kind: String, _ id: String, stack: String, fix: String) -> AWSError {
        AWSError(kind: .configuration, code: "ForeignResource",
                 message: "\(kind) \(id) exists but is not tagged \(stackTag)=\(stack); privgw will not adopt or change it",
                 resource: id, hint: fix)
    }
}

extension AWSEnvironment {
    func tags(_ step: String) -> [String: String] { Ownership.tags(stack: stack, step: step, user: spec.tags) }
}

/// Normalises DNS names for comparison: lower case, no trailing dot.
func dnsEqual(_ a: String, _ b: String) -> Bool {
    func norm(_ s: String) -> String {
        var s = s.lowercased()
        while s.hasSuffix(".") { s.removeLast() }
        return s
    }
    return norm(a) == norm(b)
}
