// Reads each protocol's error document into an AWSError (code, message, request id), never trapping on bad input.
import Foundation

public enum AWSErrorParser {
    /// `method` (the request's HTTP method) names API Gateway's IAM actions, which are HTTP verbs (`apigateway:POST`).
    public static func parse(_ response: HTTPResponse, protocol wire: WireProtocol, service: String, operation: String,
                             method: String? = nil) -> AWSError {
        var code: String?
        var message: String?
        var requestId = response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")

        switch wire {
        case .ec2, .query, .restXML:
            if let xml = try? XMLTree.parse(response.body) {
                // EC2: <Response><Errors><Error>..</Error></Errors><RequestID>; query/REST-XML: <ErrorResponse><Error>..<RequestId>
                let err = xml.find("Error") ?? (xml.name == "Error" ? xml : nil)
                code = err?.string("Code")
                message = err?.string("Message") ?? err?.string("message")
                requestId = requestId ?? xml.string("RequestID") ?? xml.string("RequestId") ?? xml.find("RequestId")?.text
            }
        case .restJSON, .json:
            if let header = response.header("x-amzn-ErrorType") { code = header }
            if let json = try? JSONValue.parse(response.body) {
                code = code ?? json["__type"]?.string ?? json["code"]?.string ?? json["Code"]?.string
                message = json["message"]?.string ?? json["Message"]?.string ?? json["errorMessage"]?.string
            } else if let xml = try? XMLTree.parse(response.body), let err = xml.find("Error") ?? (xml.name == "Error" ? xml : nil) {
                // Authentication failures can come back as an XML error document even from JSON services.
                code = code ?? err.string("Code")
                message = err.string("Message")
                requestId = requestId ?? xml.find("RequestId")?.text ?? xml.find("RequestID")?.text
            }
        }
        // Codes may come as "NotFoundException:http://internal.amazon.com/..." or "com.amazonaws.acm#ResourceNotFoundException".
        if var c = code {
            if let colon = c.firstIndex(of: ":") { c = String(c[..<colon]) }
            if let hash = c.lastIndex(of: "#") { c = String(c[c.index(after: hash)...]) }
            code = c.trimmingCharacters(in: .whitespaces)
        }
        guard let finalCode = code, !finalCode.isEmpty else {
            // No AWS error document: a proxy page, an empty 5xx, or moto's HTML 404 for an unimplemented route.
            let kind: AWSError.Kind = response.body.isEmpty ? .service : .malformedResponse
            return AWSError(kind: kind, code: fallbackCode(response.status),
                            message: "HTTP \(response.status) without an AWS error document: \(XMLTree.snippet(response.body))",
                            service: service, operation: operation, httpStatus: response.status, requestId: requestId)
        }
        var hint = hint(for: finalCode, operation: operation)
        if accessDeniedCodes.contains(finalCode) {
            let action = iamAction(inMessage: message ?? "") ?? iamAction(service: service, operation: operation, method: method)
            hint = "the credentials lack the IAM action \(action): grant it, e.g. with the least-privilege policy "
                + "`privgw iam-policy` prints for this spec"
        }
        return AWSError(kind: .service, code: finalCode, message: message ?? "", service: service, operation: operation,
                        httpStatus: response.status, requestId: requestId, hint: hint)
    }

    static let accessDeniedCodes: Set<String> = ["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"]

    /// The IAM action a call needs: the signing name and the operation (`ec2:CreateVpcEndpoint`,
    /// `elasticloadbalancing:CreateListener`), except for API Gateway, whose actions are the HTTP verbs.
    public static func iamAction(service: String, operation: String, method: String?) -> String {
        if service == "apigateway" { return "apigateway:\(method ?? "*")" }
        return "\(service):\(operation)"
    }

    /// The action AWS itself names in an AccessDenied message: "... is not authorized to perform: ec2:CreateVpcEndpoint ...".
    static func iamAction(inMessage message: String) -> String? {
        guard let r = message.range(of: "not authorized to perform: ") else { return nil }
        let action = message[r.upperBound...].prefix { !$0.isWhitespace && $0 != "," && $0 != ";" }
        let trimmed = action.hasSuffix(".") ? String(action.dropLast()) : String(action)
        return trimmed.contains(":") ? trimmed : nil
    }

    static func fallbackCode(_ status: Int) -> String {
        switch status {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 429: return "TooManyRequestsException"
        case 500: return "InternalError"
        case 502: return "BadGateway"
        case 503: return "ServiceUnavailable"
        case 504: return "GatewayTimeout"
        default: return "HTTP\(status)"
        }
    }

    /// Generic advice for the codes users meet most; steps add resource-specific hints on top.
    static func hint(for code: String, operation: String) -> String? {
        switch code {
        case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess":
            return "the credentials lack permission for this action; `privgw iam-policy` prints the policy privgw needs"
        case "InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure":
            return "the access key is not known to AWS: check AWS_ACCESS_KEY_ID / the profile, and the region and endpoint"
        case "SignatureDoesNotMatch":
            return "the secret key does not match the access key (or the clock is off by more than 5 minutes)"
        case "ExpiredToken", "ExpiredTokenException", "RequestExpired":
            return "the session credentials have expired: refresh them (e.g. `aws sso login`) and run again"
        default:
            return nil
        }
    }
}
