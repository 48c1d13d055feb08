// An independent view of moto's state (read with boto3, not privgw's clients) for integration-test assertions.
import Foundation

public struct StackSnapshot: Decodable, Sendable {
    public struct Ingress: Decodable, Sendable { public var protocol_: String?; public var from: Int?; public var to: Int?
        public var cidrs: [String]; public var groups: [String]
        enum CodingKeys: String, CodingKey { case protocol_ = "protocol", from, to, cidrs, groups } }
    public struct SecurityGroup: Decodable, Sendable { public var id: String; public var name: String; public var vpcId: String?
        public var tags: [String: String]; public var ingress: [Ingress] }
    public struct VpcEndpoint: Decodable, Sendable { public var id: String; public var state: String; public var serviceName: String
        public var vpcId: String; public var type: String?; public var privateDns: Bool?; public var tags: [String: String]
        public var subnets: [String]; public var groups: [String]; public var ips: [String]
        /// The first is the regional name (the native design's alias target), the others per availability zone.
        public var dnsEntries: [DnsEntry]? }
    public struct DnsEntry: Decodable, Sendable { public var dnsName: String?; public var hostedZoneId: String? }
    public struct Listener: Decodable, Sendable { public var arn: String; public var port: Int; public var `protocol`: String
        public var sslPolicy: String?; public var certificates: [String]; public var targetGroups: [String?]
        /// Certificates added to the listener besides its default (served by SNI).
        public var sniCertificates: [String]? }
    public struct LoadBalancer: Decodable, Sendable { public var arn: String; public var name: String; public var scheme: String
        public var type: String?; public var dnsName: String; public var securityGroups: [String]; public var tags: [String: String]
        public var attributes: [String: String]; public var listeners: [Listener] }
    public struct TargetGroup: Decodable, Sendable { public var arn: String; public var name: String; public var `protocol`: String?
        public var port: Int?; public var targetType: String?; public var healthCheckPath: String?; public var healthCheckProtocol: String?
        public var matcher: String?; public var targets: [String]; public var tags: [String: String] }
    public struct Certificate: Decodable, Sendable { public var arn: String; public var domain: String; public var status: String
        public var tags: [String: String]; public var sans: [String]? }
    public struct RestApi: Decodable, Sendable { public var id: String; public var name: String; public var endpointTypes: [String]
        public var policy: String?; public var tags: [String: String] }
    public struct Mapping: Decodable, Sendable { public var basePath: String?; public var restApiId: String?; public var stage: String? }
    public struct DomainName: Decodable, Sendable { public var name: String; public var endpointTypes: [String]
        public var regionalCertificateArn: String?; public var certificateArn: String?; public var tags: [String: String]
        public var mappings: [Mapping]
        /// Private domains only: their id (every call about them carries it), ARN and resource policy.
        public var domainNameId: String?; public var domainNameArn: String?; public var policy: String?
        public var status: String?; public var securityPolicy: String? }
    public struct AccessAssociation: Decodable, Sendable { public var arn: String; public var domainNameArn: String
        public var sourceType: String?; public var source: String?; public var tags: [String: String] }
    public struct Record: Decodable, Sendable { public var name: String; public var type: String; public var alias: String?
        public var aliasZone: String?; public var values: [String] }
    public struct Zone: Decodable, Sendable { public var id: String; public var name: String; public var `private`: Bool
        public var tags: [String: String]; public var records: [Record]; public var vpcs: [String]? }

    public var securityGroups: [SecurityGroup]
    public var vpcEndpoints: [VpcEndpoint]
    public var loadBalancers: [LoadBalancer]
    public var targetGroups: [TargetGroup]
    public var certificates: [Certificate]
    public var restApis: [RestApi]
    public var domainNames: [DomainName]
    public var accessAssociations: [AccessAssociation]?
    public var zones: [Zone]

    /// Everything tagged `privgw:stack=<stack>` (descriptions), to prove `down` left nothing behind.
    public func tagged(stack: String) -> [String] {
        let key = "privgw:stack"
        var out: [String] = []
        out += securityGroups.filter { $0.tags[key] == stack }.map { "security group \($0.id)" }
        out += vpcEndpoints.filter { $0.tags[key] == stack }.map { "vpc endpoint \($0.id)" }
        out += loadBalancers.filter { $0.tags[key] == stack }.map { "load balancer \($0.name)" }
        out += targetGroups.filter { $0.tags[key] == stack }.map { "target group \($0.name)" }
        out += certificates.filter { $0.tags[key] == stack }.map { "certificate \($0.arn)" }
        out += restApis.filter { $0.tags[key] == stack }.map { "rest api \($0.id)" }
        out += domainNames.filter { $0.tags[key] == stack }.map { "domain name \($0.name)" }
        out += (accessAssociations ?? []).filter { $0.tags[key] == stack }.map { "access association \($0.arn)" }
        out += zones.filter { $0.tags[key] == stack }.map { "hosted zone \($0.id)" }
        return out
    }

    public func zone(_ id: String) -> Zone? { zones.first { $0.id == id } }
}

extension MotoServer {
    /// Reads moto's whole state with boto3 (Tests/Support/python/inspect_stack.py).
    public func snapshot() throws -> StackSnapshot {
        let out = try runHelper("inspect_stack.py", ["--endpoint", endpoint, "--key", accessKeyId,
                                                     "--secret", secretAccessKey, "--region", region])
        return try JSONDecoder().decode(StackSnapshot.self, from: Data(out.utf8))
    }
}
