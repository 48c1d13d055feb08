// Standard AWS endpoints per partition, and the --endpoint-url / AWS_ENDPOINT_URL[_SERVICE] overrides.
import Foundation

public struct Endpoint: Sendable, Equatable {
    public var scheme: String
    /// Host, with `:port` when not the scheme's default.
    public var host: String
    /// Path prefix of an override URL (usually empty), prepended to request paths.
    public var basePath: String
    /// The region in the SigV4 credential scope.
    public var signingRegion: String

    public init(scheme: String, host: String, basePath: String = "", signingRegion: String) {
        self.scheme = scheme
        self.host = host
        self.basePath = basePath
        self.signingRegion = signingRegion
    }
}

public enum Partition: String, Sendable {
    case aws, awsCN = "aws-cn", awsUSGov = "aws-us-gov"

    public static func of(region: String) -> Partition {
        if region.hasPrefix("cn-") { return .awsCN }
        if region.hasPrefix("us-gov-") { return .awsUSGov }
        return .aws
    }

    public var dnsSuffix: String { self == .awsCN ? "amazonaws.com.cn" : "amazonaws.com" }
}

/// Where to send a service's requests.
///
/// Precedence follows the AWS CLI: `--endpoint-url`, then `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`,
/// then the profile's `endpoint_url`, then the partition's standard host name.
public struct EndpointResolver: Sendable {
    public var region: String
    /// From `--endpoint-url`: applies to every service.
    public var commandLineURL: String?
    /// The process environment (only `AWS_ENDPOINT_URL*` and `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` are read).
    public var environment: [String: String]
    /// The profile's `endpoint_url`, if any.
    public var profileURL: String?

    public init(region: String, commandLineURL: String? = nil, environment: [String: String] = [:], profileURL: String? = nil) {
        self.region = region
        self.commandLineURL = commandLineURL
        self.environment = environment
        self.profileURL = profileURL
    }

    public func endpoint(for service: ServiceDescriptor) throws -> Endpoint {
        let signingRegion = Self.signingRegion(for: service, region: region)
        if let url = overrideURL(for: service) {
            return try Self.parse(url, signingRegion: signingRegion)
        }
        let partition = Partition.of(region: region)
        let host: String
        if service.isGlobal {
            switch partition {
            case .aws: host = "\(service.endpointPrefix).amazonaws.com"
            case .awsCN: host = "\(service.endpointPrefix).amazonaws.com.cn"
            case .awsUSGov: host = "\(service.endpointPrefix).us-gov.amazonaws.com"
            }
        } else {
            host = "\(service.endpointPrefix).\(region).\(partition.dnsSuffix)"
        }
        return Endpoint(scheme: "https", host: host, signingRegion: signingRegion)
    }

    /// Global services sign for their partition's home region (Route 53: us-east-1 in `aws`).
    public static func signingRegion(for service: ServiceDescriptor, region: String) -> String {
        guard service.isGlobal else { return region }
        switch Partition.of(region: region) {
        case .aws: return "us-east-1"
        case .awsCN: return "cn-northwest-1"
        case .awsUSGov: return "us-gov-west-1"
        }
    }

    func overrideURL(for service: ServiceDescriptor) -> String? {
        if let u = commandLineURL, !u.isEmpty { return u }
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true" { return nil }
        if let u = environment["AWS_ENDPOINT_URL_\(service.endpointEnvironmentKey)"], !u.isEmpty { return u }
        if let u = environment["AWS_ENDPOINT_URL"], !u.isEmpty { return u }
        if let u = profileURL, !u.isEmpty { return u }
        return nil
    }

    /// Splits an override URL into scheme, host[:port] and base path; rejects anything else clearly.
    public static func parse(_ url: String, signingRegion: String) throws -> Endpoint {
        guard let comps = URLComponents(string: url), let scheme = comps.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = comps.host, !host.isEmpty else {
            throw AWSError(kind: .configuration, code: "InvalidEndpointURL",
                           message: "endpoint URL '\(url)' is not an http(s) URL with a host",
                           hint: "give a URL such as http://127.0.0.1:5000 to --endpoint-url or AWS_ENDPOINT_URL")
        }
        var hostPort = host.contains(":") ? "[\(host)]" : host
        if let port = comps.port, !((scheme == "https" && port == 443) || (scheme == "http" && port == 80)) {
            hostPort += ":\(port)"
        }
        var base = comps.percentEncodedPath
        while base.hasSuffix("/") { base.removeLast() }
        return Endpoint(scheme: scheme, host: hostPort, basePath: base, signingRegion: signingRegion)
    }
}
