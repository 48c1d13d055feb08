// What the stack needs to know about each AWS service: signing name, endpoint prefix, wire protocol, API version.
import Foundation

public enum WireProtocol: String, Sendable {
    /// EC2's query dialect: form body, flattened lists (`SubnetId.1`), `<Response><Errors>` errors.
    case ec2
    /// The AWS query protocol (ELBv2, STS, IAM): form body, `member` lists, `<XResult>` wrappers.
    case query
    /// REST with XML bodies (Route 53).
    case restXML
    /// REST with JSON bodies (API Gateway).
    case restJSON
    /// JSON RPC over POST with `X-Amz-Target` (ACM).
    case json
}

public struct ServiceDescriptor: Sendable, Equatable {
    /// SigV4 signing name and credential-scope service, e.g. `elasticloadbalancing`.
    public let signingName: String
    /// Host prefix, e.g. `elasticloadbalancing` in `elasticloadbalancing.eu-west-1.amazonaws.com`.
    public let endpointPrefix: String
    /// The model's serviceId in `AWS_ENDPOINT_URL_<ID>` form, e.g. `ELASTIC_LOAD_BALANCING_V2`.
    public let endpointEnvironmentKey: String
    public let wireProtocol: WireProtocol
    public let apiVersion: String
    /// JSON protocol only: target prefix and content-type version.
    public let targetPrefix: String?
    public let jsonVersion: String?
    /// Global services have one endpoint per partition (Route 53).
    public let isGlobal: Bool

    public init(signingName: String, endpointPrefix: String, endpointEnvironmentKey: String, wireProtocol: WireProtocol,
                apiVersion: String, targetPrefix: String? = nil, jsonVersion: String? = nil, isGlobal: Bool = false) {
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.endpointEnvironmentKey = endpointEnvironmentKey
        self.wireProtocol = wireProtocol
        self.apiVersion = apiVersion
        self.targetPrefix = targetPrefix
        self.jsonVersion = jsonVersion
        self.isGlobal = isGlobal
    }

    // Values from botocore's service models (metadata section).
    public static let ec2 = ServiceDescriptor(signingName: "ec2", endpointPrefix: "ec2", endpointEnvironmentKey: "EC2",
                                              wireProtocol: .ec2, apiVersion: "2016-11-15")
    public static let elbv2 = ServiceDescriptor(signingName: "elasticloadbalancing", endpointPrefix: "elasticloadbalancing",
                                                endpointEnvironmentKey: "ELASTIC_LOAD_BALANCING_V2", wireProtocol: .query,
                                                apiVersion: "2015-12-01")
    public static let apiGateway = ServiceDescriptor(signingName: "apigateway", endpointPrefix: "apigateway",
                                                     endpointEnvironmentKey: "API_GATEWAY", wireProtocol: .restJSON,
                                                     apiVersion: "2015-07-09")
    public static let route53 = ServiceDescriptor(signingName: "route53", endpointPrefix: "route53",
                                                  endpointEnvironmentKey: "ROUTE_53", wireProtocol: .restXML,
                                                  apiVersion: "2013-04-01", isGlobal: true)
    public static let acm = ServiceDescriptor(signingName: "acm", endpointPrefix: "acm", endpointEnvironmentKey: "ACM",
                                              wireProtocol: .json, apiVersion: "2015-12-08",
                                              targetPrefix: "CertificateManager", jsonVersion: "1.1")
    public static let sts = ServiceDescriptor(signingName: "sts", endpointPrefix: "sts", endpointEnvironmentKey: "STS",
                                              wireProtocol: .query, apiVersion: "2011-06-15")
}
