// The one error type of the AWS stack: what failed, the AWS code, message and request id, and a hint.
import Foundation

public struct AWSError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Where the failure came from; decides retry and exit-code policy upstream.
    public enum Kind: String, Sendable, Codable {
        /// AWS answered with an error document.
        case service
        /// The request never got a complete answer (DNS, connect, reset, timeout).
        case transport
        /// No usable credentials could be found or fetched.
        case credentials
        /// Local configuration is missing or wrong (region, profile, endpoint).
        case configuration
        /// AWS (or something in between) answered with a body privgw cannot read.
        case malformedResponse
    }

    public var kind: Kind
    /// Short service name, e.g. `ec2`, `apigateway`.
    public var service: String?
    /// The API operation, e.g. `CreateVpcEndpoint`.
    public var operation: String?
    public var httpStatus: Int?
    /// The AWS error code, e.g. `InvalidVpcID.NotFound`, or a local code such as `ConnectionReset`.
    public var code: String
    public var message: String
    public var requestId: String?
    /// The resource the call was about, when the caller knows it.
    public var resource: String?
    /// What the user can do about it.
    public var hint: String?

    public init(kind: Kind, code: String, message: String, service: String? = nil, operation: String? = nil,
                httpStatus: Int? = nil, requestId: String? = nil, resource: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.service = service
        self.operation = operation
        self.httpStatus = httpStatus
        self.requestId = requestId
        self.resource = resource
        self.hint = hint
    }

    public var description: String {
        var s = ""
        if let service, let operation { s += "\(service):\(operation) " } else if let operation { s += "\(operation) " }
        s += "failed"
        if let resource { s += " on \(resource)" }
        s += ": \(code)"
        if !message.isEmpty { s += ": \(message)" }
        var extra: [String] = []
        if let httpStatus { extra.append("HTTP \(httpStatus)") }
        if let requestId { extra.append("request id \(requestId)") }
        if !extra.isEmpty { s += " (" + extra.joined(separator: ", ") + ")" }
        if let hint { s += "\n  hint: \(hint)" }
        return s
    }

    /// True for "the thing is not there" answers of any of privgw's services.
    public var isNotFound: Bool {
        // A 404 page without an AWS error document (a proxy, an unrouted URL) says nothing about the resource.
        if kind == .malformedResponse { return false }
        if code.hasSuffix(".NotFound") || code.hasSuffix("NotFound") || code == "NotFoundException"
            || code == "ResourceNotFoundException" || code.hasPrefix("NoSuch") { return true }
        return false
    }

    /// Returns a copy with the resource (and optionally a hint) filled in.
    public func about(_ resource: String?, hint: String? = nil) -> AWSError {
        var e = self
        if e.resource == nil { e.resource = resource }
        if let hint { e.hint = hint }
        return e
    }
}
