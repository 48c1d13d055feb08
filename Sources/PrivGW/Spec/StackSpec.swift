// The stack spec (`privgw.yaml`) as the rest of privgw sees it: already
// validated and normalized (defaults applied, single/multi forms merged).
// Parsing and validation live in SpecParser.swift; the `privgw init`
// template in ExampleSpec.swift.

/// A validated, normalized `privgw.yaml`.
///
/// Normalization: `domain:` and `domains:` both end up in `domains` (never
/// empty, first = primary); `api:` and `apis:` both end up in `apis` (never
/// empty, root mapping has `basePath == ""`); absent optional keys get their
/// defaults (`design` alb, `stage` prod, health check `/` + `200,403`,
/// `manageApiPolicy` false, empty `securityGroups` = privgw creates one,
/// empty `tags`).
public struct StackSpec: Sendable, Codable, Equatable {
    /// How the private DNS name reaches the private REST API.
    public enum Design: String, Sendable, Codable, Equatable, CaseIterable {
        /// execute-api VPC endpoint <- internal ALB <- API Gateway custom domain.
        case alb
        /// API Gateway private custom domain names.
        case native
    }

    /// The TLS certificate for the custom domain name(s).
    public enum Certificate: Sendable, Codable, Equatable {
        /// An existing ACM certificate (`certificate.arn`).
        case existing(arn: String)
        /// A new ACM certificate, DNS-validated in this public hosted zone
        /// (`certificate.validationZone`).
        case validated(zoneId: String)
    }

    /// The private hosted zone that gets the alias record(s).
    public enum PrivateZone: Sendable, Codable, Equatable {
        /// An existing private hosted zone (`privateZone: Z...`).
        case existing(id: String)
        /// A private hosted zone privgw creates with this name
        /// (`privateZone: create` + `privateZoneName`).
        case create(name: String)
    }

    /// One base path mapping on the custom domain name(s).
    public struct APIMapping: Sendable, Codable, Equatable {
        /// The id the spec uses to ask for privgw's demo API.
        public static let demoId = "demo"
        /// Base path; `""` is the root (written `""`, `(none)` or left out).
        public var basePath: String
        /// REST API id (10 lowercase alphanumerics) or `demo`.
        public var restApiId: String
        /// Stage name; default `prod`.
        public var stage: String

        public var isDemo: Bool { restApiId == Self.demoId }
        public var isRoot: Bool { basePath.isEmpty }

        public init(basePath: String = "", restApiId: String, stage: String = "prod") {
            self.basePath = basePath
            self.restApiId = restApiId
            self.stage = stage
        }
    }

    /// ALB target group health check (design alb only).
    public struct HealthCheck: Sendable, Codable, Equatable {
        public static let defaultPath = "/"
        public static let defaultCodes = "200,403"
        /// Starts with `/`.
        public var path: String
        /// ELBv2 matcher: comma list of codes or ranges, 200-499, no spaces.
        public var codes: String

        public init(path: String = HealthCheck.defaultPath, codes: String = HealthCheck.defaultCodes) {
            self.path = path
            self.codes = codes
        }
    }

    /// Stack name: `[a-z0-9-]`, 1...28, starts with a letter.
    public var name: String
    /// AWS region; nil = take it from the AWS settings.
    public var region: String?
    public var design: Design
    /// Custom DNS names, distinct, lowercase; at least one; more than one only with design alb.
    public var domains: [String]
    public var vpc: String
    /// Two or more distinct subnet ids.
    public var subnets: [String]
    /// An existing execute-api interface endpoint to use instead of creating one.
    public var vpcEndpoint: String?
    /// Existing security groups for the ALB; empty = privgw creates one.
    public var securityGroups: [String]
    public var certificate: Certificate
    public var privateZone: PrivateZone
    /// The private zone's name: always set for `.create`, optional for `.existing`.
    /// When set, every domain is inside it.
    public var privateZoneName: String?
    /// Base path mappings; never empty; base paths distinct.
    public var apis: [APIMapping]
    public var manageApiPolicy: Bool
    public var healthCheck: HealthCheck
    /// User tags (not `aws:`/`privgw:` keys), at most 40.
    public var tags: [String: String]

    /// The first (primary) custom domain name.
    public var primaryDomain: String { domains[0] }

    public init(
        name: String,
        region: String? = nil,
        design: Design = .alb,
        domains: [String],
        vpc: String,
        subnets: [String],
        vpcEndpoint: String? = nil,
        securityGroups: [String] = [],
        certificate: Certificate,
        privateZone: PrivateZone,
        privateZoneName: String? = nil,
        apis: [APIMapping],
        manageApiPolicy: Bool = false,
        healthCheck: HealthCheck = HealthCheck(),
        tags: [String: String] = [:]
    ) {
        self.name = name
        self.region = region
        self.design = design
        self.domains = domains
        self.vpc = vpc
        self.subnets = subnets
        self.vpcEndpoint = vpcEndpoint
        self.securityGroups = securityGroups
        self.certificate = certificate
        self.privateZone = privateZone
        if case .create(let zoneName) = privateZone, privateZoneName == nil {
            self.privateZoneName = zoneName
        } else {
            self.privateZoneName = privateZoneName
        }
        self.apis = apis
        self.manageApiPolicy = manageApiPolicy
        self.healthCheck = healthCheck
        self.tags = tags
    }
}
