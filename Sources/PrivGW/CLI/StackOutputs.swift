// What a deployed stack gives the user (names, ALB DNS, endpoint, a curl line) and the plan's per-action counts.
import Foundation

/// The facts printed after `up`: where to point clients and how to try it.
public struct StackOutputs: Codable, Sendable, Equatable {
    /// The custom domain names, primary first.
    public var domains: [String]
    /// The internal ALB's DNS name (design alb, once it exists).
    public var loadBalancerDNS: String?
    /// The execute-api VPC endpoint id (once it exists).
    public var vpcEndpoint: String?
    /// `curl https://<primary domain>/<path>`; works only from inside the VPC.
    public var curl: String

    public init(domains: [String], loadBalancerDNS: String? = nil, vpcEndpoint: String? = nil, curl: String) {
        self.domains = domains
        self.loadBalancerDNS = loadBalancerDNS
        self.vpcEndpoint = vpcEndpoint
        self.curl = curl
    }

    /// Step ids whose records carry the outputs (see Designs.swift): keep in sync when designs change.
    static let loadBalancerStep = "alb"
    static let endpointStep = "endpoint"

    /// Derives the outputs from the spec and the records of the stack's steps (by step id).
    public init(spec: StackSpec, records: [String: ResourceRecord]) {
        let dns = records[Self.loadBalancerStep]?.attributes["dnsName"].flatMap { $0.isEmpty ? nil : $0 }
        let endpoint = records[Self.endpointStep]?.id
        self.init(domains: spec.domains,
                  loadBalancerDNS: spec.design == .alb ? dns : nil,
                  vpcEndpoint: endpoint.flatMap { $0.isEmpty ? nil : $0 },
                  curl: "curl https://\(spec.primaryDomain)/\(Self.tryPath(spec.apis))")
    }

    /// The path that reaches the first mapped API through the custom domain: its base path (the mapping picks
    /// the stage, so the stage is not in the URL), plus `hello` for privgw's demo API, whose one method is
    /// `GET /hello`.
    static func tryPath(_ apis: [StackSpec.APIMapping]) -> String {
        guard let first = apis.first(where: \.isRoot) ?? apis.first else { return "" }
        var path = first.basePath.isEmpty ? "" : first.basePath + "/"
        if first.isDemo { path += "hello" }
        return path
    }

    /// The best-known record per step after a run: the outcome's record, else what the plan found or the
    /// journal had (steps that were kept report no new record).
    public static func records(of result: RunResult) -> [String: ResourceRecord] {
        var records = records(of: result.plan)
        for o in result.outcomes { if let r = o.record { records[o.step] = r } }
        return records
    }

    /// The records a plan saw (live first, journal second).
    public static func records(of plan: Plan) -> [String: ResourceRecord] {
        var records: [String: ResourceRecord] = [:]
        for s in plan.steps { if let r = s.record ?? s.journaled { records[s.step] = r } }
        return records
    }
}

/// A plan's steps counted the way the summary line and the JSON `summary` object report them.
public struct PlanCounts: Codable, Sendable, Equatable {
    public var create: Int
    public var change: Int
    public var delete: Int
    /// Every step that leaves its resource as it is: keep, adopt (recorded, not touched) and none.
    public var keep: Int

    public init(create: Int = 0, change: Int = 0, delete: Int = 0, keep: Int = 0) {
        self.create = create
        self.change = change
        self.delete = delete
        self.keep = keep
    }

    public init(_ plan: Plan) {
        self.init(create: plan.count(.create), change: plan.count(.change), delete: plan.count(.delete),
                  keep: plan.count(.keep) + plan.count(.adopt) + plan.count(.none))
    }

    /// `3 to create, 1 to change, 0 to delete, 5 unchanged` (always all four, so scripts can cut fields).
    public var line: String { "\(create) to create, \(change) to change, \(delete) to delete, \(keep) unchanged" }
}
