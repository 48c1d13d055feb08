// ELBv2 output types privgw reads (only the fields it needs) and their parsers.
//
// Element names follow botocore's `elbv2` service-2 model under the AWS query protocol: PascalCase names, lists
// as `<List><member>..</member></List>`, each answer inside `<OperationResult>`. Reading goes through
// `QueryResponseReader` (EC2Shapes.swift), shared with the EC2 client.
import AWSCore
import Foundation

extension ELBv2Client {
    public struct AvailabilityZone: Sendable, Equatable {
        public var zoneName: String?
        public var subnetId: String
    }

    public struct LoadBalancer: Sendable, Equatable {
        public var arn: String
        public var name: String
        /// The name an alias record points at.
        public var dnsName: String
        /// The Route 53 zone of `dnsName`, for alias records.
        public var canonicalHostedZoneId: String
        /// `provisioning`, `active`, `active_impaired` or `failed`.
        public var state: String
        public var stateReason: String?
        /// `internal` or `internet-facing`.
        public var scheme: String
        /// `application`, `network` or `gateway`.
        public var type: String?
        public var vpcId: String?
        public var ipAddressType: String?
        public var availabilityZones: [AvailabilityZone]
        public var securityGroupIds: [String]

        public var subnetIds: [String] { availabilityZones.map(\.subnetId) }

        init(_ r: QueryResponseReader) throws {
            arn = try r.string("LoadBalancerArn")
            name = try r.string("LoadBalancerName")
            dnsName = try r.string("DNSName")
            canonicalHostedZoneId = try r.string("CanonicalHostedZoneId")
            state = try r.string("State.Code")
            stateReason = r.optionalString("State.Reason")
            scheme = try r.string("Scheme")
            type = r.optionalString("Type")
            vpcId = r.optionalString("VpcId")
            ipAddressType = r.optionalString("IpAddressType")
            availabilityZones = try r.items("AvailabilityZones", item: "member").map {
                AvailabilityZone(zoneName: $0.optionalString("ZoneName"), subnetId: try $0.string("SubnetId"))
            }
            securityGroupIds = r.strings("SecurityGroups", item: "member")
        }
    }

    public struct TargetGroup: Sendable, Equatable {
        public var arn: String
        public var name: String
        /// Absent for `lambda` target groups.
        public var `protocol`: String?
        public var port: Int?
        public var vpcId: String?
        /// `instance`, `ip`, `lambda` or `alb`.
        public var targetType: String
        public var healthCheckEnabled: Bool?
        public var healthCheckProtocol: String?
        public var healthCheckPath: String?
        /// `Matcher.HttpCode`, e.g. `200,403`.
        public var matcher: String?
        /// Load balancers whose listeners or rules forward here.
        public var loadBalancerArns: [String]

        init(_ r: QueryResponseReader) throws {
            arn = try r.string("TargetGroupArn")
            name = try r.string("TargetGroupName")
            self.protocol = r.optionalString("Protocol")
            port = r.optionalInt("Port")
            vpcId = r.optionalString("VpcId")
            targetType = try r.string("TargetType")
            healthCheckEnabled = r.optionalBool("HealthCheckEnabled")
            healthCheckProtocol = r.optionalString("HealthCheckProtocol")
            healthCheckPath = r.optionalString("HealthCheckPath")
            matcher = r.optionalString("Matcher.HttpCode")
            loadBalancerArns = r.strings("LoadBalancerArns", item: "member")
        }
    }

    /// A target to register: for privgw an endpoint ENI's IP on port 443.
    public struct Target: Sendable, Equatable, Hashable {
        public var id: String
        public var port: Int?
        /// Only for IP targets outside the target group's VPC (`all`); not needed for the endpoint's ENIs.
        public var availabilityZone: String?

        public init(id: String, port: Int? = 443, availabilityZone: String? = nil) {
            self.id = id
            self.port = port
            self.availabilityZone = availabilityZone
        }
    }

    public struct TargetHealth: Sendable, Equatable {
        public var target: Target
        /// `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`, ...
        public var state: String
        /// E.g. `Target.ResponseCodeMismatch`, `Target.NotInUse`; absent when healthy.
        public var reason: String?
        public var description: String?

        init(_ r: QueryResponseReader) throws {
            target = Target(id: try r.string("Target.Id"), port: r.optionalInt("Target.Port"),
                            availabilityZone: r.optionalString("Target.AvailabilityZone"))
            state = try r.string("TargetHealth.State")
            reason = r.optionalString("TargetHealth.Reason")
            description = r.optionalString("TargetHealth.Description")
        }
    }

    public struct Certificate: Sendable, Equatable {
        public var arn: String
        /// True for the listener's default certificate in `DescribeListenerCertificates`; often absent elsewhere.
        public var isDefault: Bool?

        init(_ r: QueryResponseReader) throws {
            arn = try r.string("CertificateArn")
            isDefault = r.optionalBool("IsDefault")
        }
    }

    public struct Action: Sendable, Equatable {
        /// `forward`, `redirect`, `fixed-response`, ...
        public var type: String
        /// The single target group of a simple forward, or the first of a weighted `ForwardConfig`.
        public var targetGroupArn: String?

        init(_ r: QueryResponseReader) throws {
            type = try r.string("Type")
            targetGroupArn = r.optionalString("TargetGroupArn")
                ?? r.items("ForwardConfig.TargetGroups", item: "member").lazy.compactMap { $0.optionalString("TargetGroupArn") }.first
        }
    }

    public struct Listener: Sendable, Equatable {
        public var arn: String
        public var loadBalancerArn: String
        public var port: Int
        public var `protocol`: String
        public var sslPolicy: String?
        /// The default certificate (listener certificates added by SNI are read with `describeListenerCertificates`).
        public var certificates: [Certificate]
        public var defaultActions: [Action]

        /// The target group the default action forwards to, if it is a forward.
        public var defaultTargetGroupArn: String? {
            defaultActions.first { $0.type == "forward" }?.targetGroupArn
        }

        init(_ r: QueryResponseReader) throws {
            arn = try r.string("ListenerArn")
            loadBalancerArn = try r.string("LoadBalancerArn")
            port = try r.int("Port")
            self.protocol = try r.string("Protocol")
            sslPolicy = r.optionalString("SslPolicy")
            certificates = try r.items("Certificates", item: "member").map(Certificate.init)
            defaultActions = try r.items("DefaultActions", item: "member").map(Action.init)
        }
    }
}
