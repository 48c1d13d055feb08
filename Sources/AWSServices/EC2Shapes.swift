// EC2 input and output types privgw uses (only the fields it needs), their parsers, and the defensive XML reading
// that the EC2 and ELBv2 (AWS query) clients share.
//
// Element names follow botocore's `ec2` service-2 model: responses use camelCase `locationName`s and wrap every
// list in `<xSet><item>..</item></xSet>`; tags are `tagSet/item/{key,value}`.
import AWSCore
import Foundation

/// Reads fields of one XML response element for one operation. A missing required field is an
/// `AWSError(.malformedResponse)` naming the operation and the field, so a surprising answer from AWS (or a proxy)
/// fails one step with a readable message instead of trapping or producing half-filled values.
struct QueryResponseReader {
    let node: XMLTree
    let service: String
    let operation: String
    /// Where inside the response this element sits, e.g. `vpcEndpointSet.item[1]`, for error messages.
    let context: String

    init(_ node: XMLTree, service: String, operation: String, context: String = "") {
        self.node = node
        self.service = service
        self.operation = operation
        self.context = context
    }

    func malformed(_ detail: String) -> AWSError {
        let place = context.isEmpty ? "" : " (in \(context))"
        return AWSError(kind: .malformedResponse, code: "MalformedResponse",
                        message: "\(operation) response \(detail)\(place)", service: service, operation: operation)
    }

    /// The document must be the answer to this operation (`<OpResponse>` for EC2, `<OpResult>` for the query
    /// protocol): any other well-formed XML means something else answered, and reading it as an empty list would
    /// make privgw believe a resource is absent.
    func requireElement(named expected: String) throws -> QueryResponseReader {
        guard node.name == expected else { throw malformed("is a <\(node.name)> document, expected <\(expected)>") }
        return self
    }

    /// A required, non-empty text field at a dotted path.
    func string(_ path: String) throws -> String {
        guard let element = node.at(path) else { throw malformed("lacks required field `\(path)`") }
        guard !element.text.isEmpty else { throw malformed("has an empty `\(path)`") }
        return element.text
    }

    /// Absent or empty → nil (optional fields are not worth failing a call over).
    func optionalString(_ path: String) -> String? {
        guard let text = node.string(path), !text.isEmpty else { return nil }
        return text
    }

    func int(_ path: String) throws -> Int {
        let text = try string(path)
        guard let value = Int(text) else { throw malformed("has `\(path)` that is not an integer: \(text)") }
        return value
    }

    func optionalInt(_ path: String) -> Int? { optionalString(path).flatMap { Int($0) } }

    func optionalBool(_ path: String) -> Bool? {
        switch optionalString(path)?.lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    /// The entries of a list wrapper (absent → empty), each with its position for error messages.
    func items(_ path: String, item: String) -> [QueryResponseReader] {
        node.list(path, item: item).enumerated().map { index, element in
            QueryResponseReader(element, service: service, operation: operation,
                                context: (context.isEmpty ? "" : "\(context).") + "\(path).\(item)[\(index)]")
        }
    }

    /// The texts of a list of strings; empty entries are dropped.
    func strings(_ path: String, item: String) -> [String] {
        node.list(path, item: item).map(\.text).filter { !$0.isEmpty }
    }

    func child(_ path: String) -> QueryResponseReader? {
        guard let element = node.at(path) else { return nil }
        return QueryResponseReader(element, service: service, operation: operation,
                                   context: context.isEmpty ? path : "\(context).\(path)")
    }

    /// A tag list as a dictionary: EC2 `tagSet/item/{key,value}` or query `Tags/member/{Key,Value}`.
    /// A tag without a key is malformed (keys are required in both models); a missing value is "".
    func tags(_ path: String, item: String, key: String, value: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in items(path, item: item) {
            result[try entry.string(key)] = entry.optionalString(value) ?? ""
        }
        return result
    }

    func ec2Tags() throws -> [String: String] { try tags("tagSet", item: "item", key: "key", value: "value") }
}

/// One EC2 `Filter.N` (e.g. `tag:privgw:stack` = `demo`, or `vpc-id`).
public struct EC2Filter: Sendable, Equatable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }

    public init(_ name: String, _ values: [String]) { self.init(name: name, values: values) }

    /// Resources carrying tag `key` with one of `values`.
    public static func tag(_ key: String, _ values: String...) -> EC2Filter { EC2Filter("tag:\(key)", values) }

    /// Resources carrying tag `key` with any value.
    public static func tagKey(_ key: String) -> EC2Filter { EC2Filter("tag-key", [key]) }
}

extension EC2Client {
    public struct Vpc: Sendable, Equatable {
        public var id: String
        /// The primary IPv4 CIDR block.
        public var cidrBlock: String
        /// `pending` or `available`.
        public var state: String
        public var tags: [String: String]

        init(_ r: QueryResponseReader) throws {
            id = try r.string("vpcId")
            cidrBlock = try r.string("cidrBlock")
            state = try r.string("state")
            tags = try r.ec2Tags()
        }
    }

    public struct Subnet: Sendable, Equatable {
        public var id: String
        public var vpcId: String
        public var availabilityZone: String
        public var availabilityZoneId: String?
        /// The IPv4 CIDR; nil for an IPv6-only subnet (which an internal IPv4 ALB cannot use).
        public var cidrBlock: String?
        public var state: String?
        public var tags: [String: String]

        init(_ r: QueryResponseReader) throws {
            id = try r.string("subnetId")
            vpcId = try r.string("vpcId")
            availabilityZone = try r.string("availabilityZone")
            availabilityZoneId = r.optionalString("availabilityZoneId")
            cidrBlock = r.optionalString("cidrBlock")
            state = r.optionalString("state")
            tags = try r.ec2Tags()
        }
    }

    /// One ingress permission for one source, as privgw asks for it and as `DescribeSecurityGroups` reports it
    /// (AWS groups several sources under one protocol/port range; `SecurityGroup.ingress` flattens them, so a rule
    /// read back compares equal to the rule privgw authorized).
    public struct IngressRule: Sendable, Equatable, Hashable {
        public enum Source: Sendable, Equatable, Hashable {
            /// An IPv4 CIDR, e.g. the VPC's `10.0.0.0/16`.
            case cidr(String)
            /// Another security group (e.g. the ALB's), by id.
            case securityGroup(String)
            /// A managed prefix list, by id (reported only; privgw does not create these).
            case prefixList(String)
            /// An IPv6 CIDR (reported only).
            case ipv6Cidr(String)
        }

        /// `tcp`, `udp`, `icmp` or `-1` (all).
        public var ipProtocol: String
        /// Absent for protocol `-1`.
        public var fromPort: Int?
        public var toPort: Int?
        public var source: Source
        public var description: String?

        public init(ipProtocol: String = "tcp", fromPort: Int?, toPort: Int?, source: Source, description: String? = nil) {
            self.ipProtocol = ipProtocol
            self.fromPort = fromPort
            self.toPort = toPort
            self.source = source
            self.description = description
        }

        /// TCP 443 from `source`: the only rule the endpoint's and the ALB's groups need.
        public static func https(from source: Source, description: String? = nil) -> IngressRule {
            IngressRule(ipProtocol: "tcp", fromPort: 443, toPort: 443, source: source, description: description)
        }

        /// Same protocol, ports and source (descriptions are labels, not part of what the rule allows).
        public func allowsSameAs(_ other: IngressRule) -> Bool {
            ipProtocol == other.ipProtocol && fromPort == other.fromPort && toPort == other.toPort && source == other.source
        }

        /// Flattens one `IpPermission` element into one rule per source.
        static func parse(_ r: QueryResponseReader) throws -> [IngressRule] {
            let proto = try r.string("ipProtocol")
            let from = r.optionalInt("fromPort"), to = r.optionalInt("toPort")
            func rule(_ source: Source, _ entry: QueryResponseReader) -> IngressRule {
                IngressRule(ipProtocol: proto, fromPort: from, toPort: to, source: source,
                            description: entry.optionalString("description"))
            }
            var rules: [IngressRule] = []
            for e in r.items("ipRanges", item: "item") { rules.append(rule(.cidr(try e.string("cidrIp")), e)) }
            for e in r.items("ipv6Ranges", item: "item") { rules.append(rule(.ipv6Cidr(try e.string("cidrIpv6")), e)) }
            for e in r.items("groups", item: "item") { rules.append(rule(.securityGroup(try e.string("groupId")), e)) }
            for e in r.items("prefixListIds", item: "item") { rules.append(rule(.prefixList(try e.string("prefixListId")), e)) }
            return rules
        }
    }

    public struct SecurityGroup: Sendable, Equatable {
        public var id: String
        public var name: String
        public var description: String?
        public var vpcId: String?
        public var tags: [String: String]
        /// One entry per (permission, source); see `IngressRule`.
        public var ingress: [IngressRule]

        init(_ r: QueryResponseReader) throws {
            id = try r.string("groupId")
            name = try r.string("groupName")
            description = r.optionalString("groupDescription")
            vpcId = r.optionalString("vpcId")
            tags = try r.ec2Tags()
            ingress = try r.items("ipPermissions", item: "item").flatMap { try IngressRule.parse($0) }
        }
    }

    public struct DnsEntry: Sendable, Equatable {
        public var dnsName: String
        /// The Route 53 hosted zone of `dnsName` (for alias records to the endpoint).
        public var hostedZoneId: String?
    }

    public struct VpcEndpoint: Sendable, Equatable {
        public var id: String
        /// `Interface`, `Gateway`, ...
        public var type: String?
        public var vpcId: String
        public var serviceName: String
        /// `pendingAcceptance`, `pending`, `available`, `deleting`, `deleted`, `rejected`, `failed`, `expired`.
        public var state: String
        public var subnetIds: [String]
        public var networkInterfaceIds: [String]
        public var securityGroupIds: [String]
        public var privateDnsEnabled: Bool
        /// The regional name first, then one per AZ (AWS's order).
        public var dnsEntries: [DnsEntry]
        public var tags: [String: String]
        /// `lastError` (code: message) when AWS reports one, e.g. for a `failed` endpoint.
        public var lastError: String?

        init(_ r: QueryResponseReader) throws {
            id = try r.string("vpcEndpointId")
            type = r.optionalString("vpcEndpointType")
            vpcId = try r.string("vpcId")
            serviceName = try r.string("serviceName")
            state = try r.string("state")
            subnetIds = r.strings("subnetIdSet", item: "item")
            networkInterfaceIds = r.strings("networkInterfaceIdSet", item: "item")
            securityGroupIds = try r.items("groupSet", item: "item").map { try $0.string("groupId") }
            privateDnsEnabled = r.optionalBool("privateDnsEnabled") ?? false
            dnsEntries = try r.items("dnsEntrySet", item: "item").map {
                DnsEntry(dnsName: try $0.string("dnsName"), hostedZoneId: $0.optionalString("hostedZoneId"))
            }
            tags = try r.ec2Tags()
            if let err = r.child("lastError"), err.optionalString("code") != nil || err.optionalString("message") != nil {
                lastError = [err.optionalString("code"), err.optionalString("message")].compactMap { $0 }.joined(separator: ": ")
            } else {
                lastError = nil
            }
        }
    }

    public struct NetworkInterface: Sendable, Equatable {
        public var id: String
        /// The primary private IPv4 address: what the ALB's target group registers.
        public var privateIpAddress: String
        public var subnetId: String?
        public var availabilityZone: String?
        public var vpcId: String?
        /// `available`, `in-use`, `attaching`, `detaching`, ...
        public var status: String?

        init(_ r: QueryResponseReader) throws {
            id = try r.string("networkInterfaceId")
            privateIpAddress = try r.string("privateIpAddress")
            subnetId = r.optionalString("subnetId")
            availabilityZone = r.optionalString("availabilityZone")
            vpcId = r.optionalString("vpcId")
            status = r.optionalString("status")
        }
    }

    /// One entry of `DeleteVpcEndpoints`' `unsuccessful` list.
    struct UnsuccessfulItem: Equatable {
        var resourceId: String?
        var code: String
        var message: String

        init(_ r: QueryResponseReader) throws {
            resourceId = r.optionalString("resourceId")
            code = try r.string("error.code")
            message = r.optionalString("error.message") ?? ""
        }
    }
}
