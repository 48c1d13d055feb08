// The least-privilege IAM policy for one stack spec: every AWS action privgw's steps can call, scoped to the spec.
import AWSCore
import Foundation

/// An identity-based IAM policy that lets privgw run `plan`, `up`, `status` and `down` for one spec, and little more.
///
/// What it is built from (keep it in step with Sources/AWSServices and Sources/PrivGW/Steps; IAMPolicyTests fails
/// when a client gains a call this policy does not allow):
/// - Reads (`Describe*`, `List*`, `Get*`) are allowed where privgw needs them; those AWS only authorizes on `"*"`
///   (EC2 and ELBv2 describes, listings) are gathered in one `Read` statement.
/// - Creates require the request to carry the `privgw:stack=<name>` tag (`aws:RequestTag`), which privgw always sets in
///   the creating call (EC2 tags may only be written by those creating calls: `ec2:CreateAction`); changes and
///   deletes require the resource to carry it (`aws:ResourceTag`), wherever the service supports tag conditions
///   (EC2, ELBv2, ACM, API Gateway — whose child resources such as methods, stages and base path mappings inherit
///   their parent's tags for this).
/// - Route 53 has no tag conditions: record changes are limited to the spec's zones, record names and types.
/// - ELBv2 resources are limited by name (`pgw-<stack>`), API Gateway domains to the spec's domain names.
/// - `manageApiPolicy: true` adds the policy update and redeployment of the spec's own (untagged) APIs, by id.
/// - Parts of the stack the spec does not need get no statement: the load balancer (design `native`), the
///   access association (design `alb`), the demo API, certificate requests (`certificate.arn` given), zone
///   creation (`privateZone: Z...` given), the endpoint and security groups (`vpcEndpoint:` / `securityGroups:`
///   given).
public struct IAMPolicy: Sendable, Equatable {
    /// One `Statement` entry; every statement is an `Allow`.
    public struct Statement: Sendable, Equatable {
        public var sid: String
        public var actions: [String]
        public var resources: [String]
        /// Operator → condition key → values, e.g. `["StringEquals": ["aws:ResourceTag/privgw:stack": ["orders"]]]`.
        public var conditions: [String: [String: [String]]]

        public init(sid: String, actions: [String], resources: [String], conditions: [String: [String: [String]]] = [:]) {
            self.sid = sid
            self.actions = actions
            self.resources = resources
            self.conditions = conditions
        }

        public var json: JSONValue {
            var o: [String: JSONValue] = [
                "Sid": .string(sid), "Effect": "Allow",
                "Action": .array(actions.map(JSONValue.string)),
                "Resource": resources.count == 1 ? .string(resources[0]) : .array(resources.map(JSONValue.string)),
            ]
            if !conditions.isEmpty {
                o["Condition"] = .object(conditions.mapValues { keys in
                    .object(keys.mapValues { $0.count == 1 ? .string($0[0]) : .array($0.map(JSONValue.string)) })
                })
            }
            return .object(o)
        }
    }

    public var statements: [Statement]

    public init(statements: [Statement]) {
        self.statements = statements
    }

    /// The policy document (`Version` 2012-10-17).
    public var document: JSONValue {
        ["Version": "2012-10-17", "Statement": .array(statements.map(\.json))]
    }

    /// Pretty-printed JSON, keys sorted, ready for `aws iam create-policy --policy-document file://...`.
    public var jsonString: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? enc.encode(document)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Whether some statement allows `action` on `resource`, matching IAM's case-insensitive action wildcards and
    /// case-sensitive resource wildcards (`*`, `?`); policy variables such as `${aws:PrincipalAccount}` match
    /// anything. Conditions are NOT evaluated: this answers "is the action granted at all, on this resource".
    public func allows(action: String, resource: String = "*") -> Bool {
        statements.contains { s in
            s.actions.contains { Self.glob($0.lowercased(), action.lowercased()) }
                && s.resources.contains { Self.glob(Self.variablesAsWildcards($0), resource) }
        }
    }

    /// The statements that allow `action` (whatever the resource).
    public func statements(allowing action: String) -> [Statement] {
        statements.filter { s in s.actions.contains { Self.glob($0.lowercased(), action.lowercased()) } }
    }

    static func variablesAsWildcards(_ pattern: String) -> String {
        var out = ""
        var rest = Substring(pattern)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { out += rest[start.lowerBound...]; return out }
            out += "*"
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    /// IAM-style wildcard match: `*` any run of characters, `?` one character.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars), t = Array(text.unicodeScalars)
        var (pi, ti) = (0, 0)
        var star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1; ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// `aws`, `aws-cn` or `aws-us-gov` for a region code (`aws` for an unknown region `*`).
    public static func partition(region: String) -> String {
        if region.hasPrefix("cn-") { return "aws-cn" }
        if region.hasPrefix("us-gov-") { return "aws-us-gov" }
        return "aws"
    }
}

// MARK: - The policy for a spec

extension IAMPolicy {
    /// The policy for `spec` in `region` (use `*` when the region is not known: ARNs then match every region).
    ///
    /// Statements are merged where they share a condition and the merge grants nothing new (an action never
    /// applies to another service's ARNs, nor to a resource type it does not act on), so that the policy of a
    /// usual spec fits a customer managed policy (6,144 characters).
    public static func forSpec(_ spec: StackSpec, region: String) -> IAMPolicy {
        let b = Builder(spec: spec, region: region)
        let parts = [b.ec2(), b.elbv2(), b.acm(), b.route53(), b.apiGateway()]
        let read = Statement(sid: "Read", actions: parts.flatMap(\.reads), resources: ["*"])
        return IAMPolicy(statements: [read] + parts.flatMap(\.statements))
    }

    /// What the spec makes privgw create, as `Designs.steps(for:)` decides it.
    struct Needs {
        var loadBalancer: Bool
        var accessAssociation: Bool
        var demoAPI: Bool
        var endpoint: Bool
        var securityGroups: Bool

        init(_ spec: StackSpec) {
            let steps = Set(Designs.steps(for: spec).map(\.id))
            loadBalancer = steps.contains("alb")
            accessAssociation = steps.contains("access-association")
            demoAPI = steps.contains("api")
            // The endpoint step always exists; it creates only when the spec names no endpoint.
            endpoint = spec.vpcEndpoint == nil
            securityGroups = steps.contains("alb-sg") || steps.contains("endpoint-sg")
        }
    }

    /// One service's share: actions that only work on `"*"` (gathered into the `Read` statement), and the rest.
    struct Part {
        var reads: [String] = []
        var statements: [Statement] = []
    }

    struct Builder {
        let spec: StackSpec
        let region: String
        let partition: String
        let needs: Needs

        init(spec: StackSpec, region: String) {
            self.spec = spec
            self.region = region
            self.partition = IAMPolicy.partition(region: region)
            self.needs = Needs(spec)
        }

        var stack: String { spec.name }
        var requestTagged: [String: [String: [String]]] { ["StringEquals": ["aws:RequestTag/\(Ownership.stackTag)": [stack]]] }
        var resourceTagged: [String: [String: [String]]] { ["StringEquals": ["aws:ResourceTag/\(Ownership.stackTag)": [stack]]] }

        func arn(_ service: String, _ resource: String) -> String {
            "arn:\(partition):\(service):\(region):*:\(resource)"
        }

        // MARK: EC2

        func ec2() -> Part {
            var p = Part(reads: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
                                 "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcs"])
            let sg = arn("ec2", "security-group/*"), vpce = arn("ec2", "vpc-endpoint/*"), vpc = arn("ec2", "vpc/\(spec.vpc)")
            var creates: [String] = [], changes: [String] = [], created: [String] = [], createActions: [String] = []
            if needs.securityGroups {
                creates.append("ec2:CreateSecurityGroup")
                changes += ["ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteSecurityGroup"]
                created.append(sg)
                createActions.append("CreateSecurityGroup")
            }
            if needs.endpoint {
                creates.append("ec2:CreateVpcEndpoint")
                changes.append("ec2:DeleteVpcEndpoints")
                created.append(vpce)
                createActions.append("CreateVpcEndpoint")
            }
            guard !creates.isEmpty else { return p }
            p.statements += [
                // The new group / endpoint must carry the stack tag in the creating call (TagSpecification)...
                Statement(sid: "EC2CreateTagged", actions: creates, resources: created, conditions: requestTagged),
                // ...and tags may only be written by those creating calls, never onto an existing resource.
                Statement(sid: "EC2TagOnCreate", actions: ["ec2:CreateTags"], resources: created,
                          conditions: ["StringEquals": ["ec2:CreateAction": createActions]]),
                Statement(sid: "EC2ChangeOwn", actions: changes + ["ec2:DeleteTags"], resources: created,
                          conditions: resourceTagged),
            ]
            if needs.securityGroups {
                p.statements.append(Statement(sid: "EC2GroupInVpc", actions: ["ec2:CreateSecurityGroup"], resources: [vpc]))
            }
            if needs.endpoint {
                // The VPC, subnets and (privgw's) security group the endpoint goes into.
                p.statements.append(Statement(sid: "EC2EndpointInVpc", actions: ["ec2:CreateVpcEndpoint"],
                                              resources: [vpc] + spec.subnets.map { arn("ec2", "subnet/\($0)") } + [sg]))
            }
            return p
        }

        // MARK: ELBv2

        func elbv2() -> Part {
            guard needs.loadBalancer else { return Part() }
            // loadbalancer/app/pgw-<stack>/…, targetgroup/pgw-<stack>/…, listener/app/pgw-<stack>/…
            let own = [arn("elasticloadbalancing", "*/\(Ownership.elbName(stack: stack))/*")]
            return Part(reads: ["elasticloadbalancing:Describe*"], statements: [
                Statement(sid: "ELBCreateTagged", actions: [
                    "elasticloadbalancing:AddTags", "elasticloadbalancing:CreateListener",
                    "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup",
                ], resources: own, conditions: requestTagged),
                Statement(sid: "ELBChangeOwn", actions: [
                    "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:DeleteListener",
                    "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DeleteTargetGroup",
                    "elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:ModifyLoadBalancerAttributes",
                    "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:RemoveListenerCertificates",
                ], resources: own, conditions: resourceTagged),
                // The first load balancer of an account creates ELB's service-linked role.
                Statement(sid: "ELBLinkedRole", actions: ["iam:CreateServiceLinkedRole"],
                          resources: ["arn:\(partition):iam::*:role/aws-service-role/elasticloadbalancing.amazonaws.com/*"],
                          conditions: ["StringEquals": ["iam:AWSServiceName": ["elasticloadbalancing.amazonaws.com"]]]),
            ])
        }

        // MARK: ACM

        func acm() -> Part {
            switch spec.certificate {
            case .existing(let certArn):
                return Part(statements: [Statement(sid: "ACMReadGiven", actions: ["acm:DescribeCertificate"], resources: [certArn])])
            case .validated:
                let cert = arn("acm", "certificate/*")
                return Part(reads: ["acm:ListCertificates"], statements: [
                    Statement(sid: "ACMRead", actions: ["acm:DescribeCertificate", "acm:ListTagsForCertificate"], resources: [cert]),
                    // RequestCertificate takes no resource ARN; tags set with the request are authorized as AddTags.
                    Statement(sid: "ACMRequestTagged", actions: ["acm:AddTagsToCertificate", "acm:RequestCertificate"],
                              resources: ["*"], conditions: requestTagged),
                    Statement(sid: "ACMDeleteOwn", actions: ["acm:DeleteCertificate"], resources: [cert], conditions: resourceTagged),
                ])
            }
        }

        // MARK: Route 53

        func route53() -> Part {
            func zone(_ id: String) -> String { "arn:\(partition):route53:::hostedzone/\(id)" }
            var p = Part(reads: ["route53:GetChange", "route53:ListHostedZones", "route53:ListHostedZonesByName"])
            let privateZone: String
            switch spec.privateZone {
            case .existing(let id):
                privateZone = zone(id)
                p.statements.append(Statement(sid: "R53ReadZone", actions: ["route53:GetHostedZone", "route53:ListResourceRecordSets"],
                                              resources: [privateZone]))
            case .create:
                // The zone's id is not known before it exists; privgw re-reads its privgw:stack tag before deleting it.
                privateZone = zone("*")
                p.reads.append("route53:CreateHostedZone")
                p.statements.append(Statement(sid: "R53OwnZone", actions: [
                    "route53:ChangeTagsForResource", "route53:DeleteHostedZone", "route53:GetHostedZone",
                    "route53:ListResourceRecordSets", "route53:ListTagsForResource",
                ], resources: [privateZone]))
            }
            p.statements.append(Statement(sid: "R53AliasRecords", actions: ["route53:ChangeResourceRecordSets"],
                                          resources: [privateZone], conditions: [
                                              "ForAllValues:StringEquals": [
                                                  "route53:ChangeResourceRecordSetsNormalizedRecordNames": spec.domains,
                                                  "route53:ChangeResourceRecordSetsRecordTypes": ["A"],
                                              ],
                                          ]))
            if case .validated(let validationZone) = spec.certificate {
                p.statements.append(Statement(sid: "R53Validation",
                                              actions: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
                                              resources: [zone(validationZone)], conditions: [
                                                  "ForAllValues:StringLike": [
                                                      "route53:ChangeResourceRecordSetsNormalizedRecordNames": spec.domains.map { "_*.\($0)" },
                                                  ],
                                                  "ForAllValues:StringEquals": ["route53:ChangeResourceRecordSetsRecordTypes": ["CNAME"]],
                                              ]))
            }
            return p
        }

        // MARK: API Gateway

        func apiGateway() -> Part {
            // Public (regional) resources have no account in their ARN; private domain names and access associations do.
            let pub = "arn:\(partition):apigateway:\(region)::"
            let acct = "arn:\(partition):apigateway:\(region):${aws:PrincipalAccount}:"
            let native = needs.accessAssociation
            let domains = native ? spec.domains.map { "\(acct)/domainnames/\($0)+*" }
                : spec.domains.flatMap { ["\(pub)/domainnames/\($0)", "\(pub)/domainnames/\($0)/*"] }
            let domainCollections = native ? ["\(pub)/domainnames", "\(acct)/domainnames"] : ["\(pub)/domainnames"]
            let associationCollections = native ? ["\(pub)/domainnameaccessassociations", "\(acct)/domainnameaccessassociations"] : []
            let associations = native ? ["\(pub)/domainnameaccessassociations/*", "\(acct)/domainnameaccessassociations/*"] : []
            // The user's own APIs (read; with `manageApiPolicy` also their policy and a redeployment of their stages).
            var userAPIs: [String] = []
            for m in spec.apis where !m.isDemo && !userAPIs.contains(m.restApiId) { userAPIs.append(m.restApiId) }
            let managesPolicies = spec.manageApiPolicy && !userAPIs.isEmpty
            let apis = needs.demoAPI ? ["\(pub)/restapis", "\(pub)/restapis/*"]
                : userAPIs.flatMap { managesPolicies ? ["\(pub)/restapis/\($0)", "\(pub)/restapis/\($0)/*"] : ["\(pub)/restapis/\($0)"] }

            var p = Part()
            p.statements.append(Statement(sid: "APIRead", actions: ["apigateway:GET"],
                                          resources: apis + domainCollections + domains + associationCollections + associations
                                              + ["\(pub)/tags/*"]))
            // Creates carry the stack tag: domain names, access associations, the demo API (whose policy is set with it),
            // and tags written with them.
            p.statements.append(Statement(sid: "APICreateTagged", actions: needs.demoAPI
                                              ? ["apigateway:POST", "apigateway:PUT", "apigateway:UpdateRestApiPolicy"]
                                              : ["apigateway:POST", "apigateway:PUT"],
                                          resources: domainCollections + associationCollections
                                              + (needs.demoAPI ? ["\(pub)/restapis"] : []) + ["\(pub)/tags/*"],
                                          conditions: requestTagged))
            // Base path mappings inherit their domain name's tags.
            p.statements.append(Statement(sid: "APIChangeOwnDomains", actions: ["apigateway:DELETE", "apigateway:POST"],
                                          resources: domains + associations, conditions: resourceTagged))
            if native {
                p.statements.append(Statement(sid: "APIAssociate", actions: ["apigateway:CreateAccessAssociation"], resources: domains))
            }
            if needs.demoAPI {
                // Resources, methods, integrations, deployments and stages inherit the REST API's tags.
                p.statements.append(Statement(sid: "APIChangeOwnDemo", actions: [
                    "apigateway:DELETE", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT", "apigateway:UpdateRestApiPolicy",
                ], resources: ["\(pub)/restapis/*"], conditions: resourceTagged))
            }
            if managesPolicies {
                // User APIs carry no privgw tag: these are limited to the API ids the spec names.
                p.statements.append(Statement(sid: "APIUserPolicies",
                                              actions: ["apigateway:PATCH", "apigateway:POST", "apigateway:UpdateRestApiPolicy"],
                                              resources: userAPIs.flatMap { ["\(pub)/restapis/\($0)", "\(pub)/restapis/\($0)/deployments"] }))
            }
            return p
        }
    }
}
