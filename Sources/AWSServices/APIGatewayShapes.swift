// API Gateway output types privgw reads (only the fields it needs), and the defensive JSON reading they share with ACM.
//
// Field names follow botocore's `apigateway` service-2 model. List outputs carry their items under the JSON key
// `item` (shape member `items`, `locationName: item`), never `items`.
import AWSCore
import Foundation

/// Reads fields of one JSON response object for one operation. A missing required field is an
/// `AWSError(.malformedResponse)` naming the operation and the field, so a surprising answer from AWS (or a proxy)
/// fails one step with a readable message instead of trapping or producing half-filled values.
struct JSONResponseReader {
    let json: JSONValue
    let service: String
    let operation: String
    /// Where inside the response this object sits, e.g. `item[2]`, for error messages.
    let context: String

    init(_ json: JSONValue, service: String, operation: String, context: String = "") {
        self.json = json
        self.service = service
        self.operation = operation
        self.context = context
    }

    func malformed(_ detail: String) -> AWSError {
        let place = context.isEmpty ? "" : " (in \(context))"
        return AWSError(kind: .malformedResponse, code: "MalformedResponse",
                        message: "\(operation) response \(detail)\(place)", service: service, operation: operation)
    }

    /// The response must be a JSON object at all (a bare string or array means something else answered).
    func requireObject() throws -> JSONResponseReader {
        guard json.object != nil else { throw malformed("is not a JSON object") }
        return self
    }

    func string(_ key: String) throws -> String {
        guard let value = json[key] else { throw malformed("lacks required field `\(key)`") }
        guard let s = value.string, !s.isEmpty else { throw malformed("has `\(key)` that is not a non-empty string") }
        return s
    }

    /// Absent, null, or not a string → nil (optional fields are not worth failing a call over).
    func optionalString(_ key: String) -> String? { json[key]?.string }

    func optionalBool(_ key: String) -> Bool? { json[key]?.bool }

    func optionalInt(_ key: String) -> Int? { json[key]?.int }

    /// Both JSON protocols send timestamps as epoch seconds; accept a numeric string too.
    func optionalDate(_ key: String) -> Date? {
        if let n = json[key]?.double { return Date(timeIntervalSince1970: n) }
        if let s = json[key]?.string, let n = Double(s) { return Date(timeIntervalSince1970: n) }
        return nil
    }

    func strings(_ key: String) -> [String] { json[key]?.strings ?? [] }

    /// A `{"k": "v"}` map; non-string values are dropped.
    func stringMap(_ key: String) -> [String: String] {
        guard let object = json[key]?.object else { return [:] }
        return object.compactMapValues(\.string)
    }

    func child(_ key: String) -> JSONResponseReader? {
        guard let value = json[key], value.object != nil else { return nil }
        return JSONResponseReader(value, service: service, operation: operation,
                                  context: context.isEmpty ? key : "\(context).\(key)")
    }

    /// Objects of a list under `key` (absent or null → empty); anything in it that is not an object is malformed.
    func objects(_ key: String) throws -> [JSONResponseReader] {
        guard let value = json[key], value != .null else { return [] }
        guard let array = value.array else { throw malformed("has `\(key)` that is not a list") }
        return try array.enumerated().map { index, element in
            let where_ = (context.isEmpty ? "" : "\(context).") + "\(key)[\(index)]"
            guard element.object != nil else { throw malformed("has a non-object entry in `\(key)` at \(index)") }
            return JSONResponseReader(element, service: service, operation: operation, context: where_)
        }
    }
}

extension APIGatewayClient {
    /// One page of a `GetXs` list call; `position` is the token for the next page (nil on the last).
    public struct Page<Item: Sendable>: Sendable {
        public var items: [Item]
        public var position: String?

        public init(items: [Item], position: String?) {
            self.items = items
            self.position = position
        }
    }

    /// A REST API as `CreateRestApi`, `GetRestApi`, `GetRestApis` and `UpdateRestApi` return it.
    public struct RestApi: Sendable, Equatable {
        public var id: String
        public var name: String
        public var description: String?
        /// `endpointConfiguration.types`, e.g. `["PRIVATE"]`.
        public var endpointTypes: [String]
        public var vpcEndpointIds: [String]
        /// The resource policy as a JSON document (see `APIGatewayPolicyText.normalize` for why it is rewritten).
        public var policy: String?
        public var tags: [String: String]
        /// Present in the answers of current AWS and moto; older answers lack it, then use `getResources`.
        public var rootResourceId: String?
        public var createdDate: Date?
    }

    /// One resource (path) of a REST API.
    public struct Resource: Sendable, Equatable {
        public var id: String
        public var parentId: String?
        public var pathPart: String?
        public var path: String
        /// HTTP methods configured on it (keys of `resourceMethods`), e.g. `["GET"]`.
        public var methods: [String]
    }

    /// An integration as `PutIntegration` / `GetIntegration` return it.
    public struct Integration: Sendable, Equatable {
        /// `MOCK`, `HTTP_PROXY`, ...
        public var type: String
        public var requestTemplates: [String: String]
        /// Response templates by status code of the integration responses configured so far.
        public var responseTemplates: [String: [String: String]]
    }

    public struct Deployment: Sendable, Equatable {
        public var id: String
        public var description: String?
        public var createdDate: Date?
    }

    public struct Stage: Sendable, Equatable {
        public var stageName: String
        public var deploymentId: String?
        public var description: String?
        public var tags: [String: String]
    }

    /// A custom domain name: public REGIONAL (ALB design) or PRIVATE (native design).
    public struct DomainName: Sendable, Equatable {
        public var domainName: String
        /// PRIVATE domains only: the id that tells this domain from a public one of the same name.
        public var domainNameId: String?
        /// PRIVATE domains only: `arn:PARTITION:apigateway:REGION:ACCOUNT:/domainnames/NAME+ID`.
        public var domainNameArn: String?
        /// `domainNameStatus`: `AVAILABLE`, `UPDATING`, `PENDING`, `PENDING_CERTIFICATE_REIMPORT`, ...
        public var status: String?
        public var statusMessage: String?
        /// REGIONAL: the `d-xxxx.execute-api.REGION.amazonaws.com` target and its hosted zone, for alias records.
        public var regionalDomainName: String?
        public var regionalHostedZoneId: String?
        public var endpointTypes: [String]
        /// PRIVATE (and EDGE) domains carry `certificateArn`; REGIONAL ones `regionalCertificateArn`.
        public var certificateArn: String?
        public var regionalCertificateArn: String?
        public var securityPolicy: String?
        public var policy: String?
        public var tags: [String: String]
    }

    public struct BasePathMapping: Sendable, Equatable {
        /// `(none)` for the root mapping.
        public var basePath: String
        public var restApiId: String
        public var stage: String?

        public init(basePath: String, restApiId: String, stage: String?) {
            self.basePath = basePath
            self.restApiId = restApiId
            self.stage = stage
        }
    }

    /// Lets a VPC endpoint reach a PRIVATE custom domain (native design).
    public struct DomainNameAccessAssociation: Sendable, Equatable {
        public var arn: String
        public var domainNameArn: String
        /// `VPCE`
        public var sourceType: String
        /// The VPC endpoint id.
        public var source: String
        public var tags: [String: String]
    }

    /// One JSON Patch operation of the `Update*` calls.
    public struct PatchOperation: Sendable, Equatable {
        public var op: String
        public var path: String
        public var value: String?

        public init(op: String, path: String, value: String? = nil) {
            self.op = op
            self.path = path
            self.value = value
        }

        public static func replace(_ path: String, _ value: String) -> PatchOperation {
            PatchOperation(op: "replace", path: path, value: value)
        }

        var json: JSONValue {
            var o: [String: JSONValue] = ["op": .string(op), "path": .string(path)]
            if let value { o["value"] = .string(value) }
            return .object(o)
        }
    }
}

/// API Gateway returns resource policies JSON-escaped a second time on real AWS (`{\"Version\":\"2012-10-17\",...}`,
/// with `\/` in CIDRs), while moto returns them as sent. Callers compare and search policies, so every policy is
/// handed out as the plain JSON document whichever form arrived.
public enum APIGatewayPolicyText {
    public static func normalize(_ text: String) -> String {
        if isJSON(text) { return text }
        // Undo one level of escaping: \" → ", \/ → /, \\ → \ (left to right, so an escaped backslash stays one).
        var out = ""
        out.reserveCapacity(text.count)
        var iterator = text.makeIterator()
        while let ch = iterator.next() {
            if ch == "\\", let next = iterator.next() {
                switch next {
                case "\"", "/", "\\": out.append(next)
                default: out.append(ch); out.append(next)
                }
            } else {
                out.append(ch)
            }
        }
        return isJSON(out) ? out : text
    }

    private static func isJSON(_ text: String) -> Bool {
        guard let data = text.data(using: .utf8) else { return false }
        return (try? JSONSerialization.jsonObject(with: data)) is [String: Any]
    }
}

extension APIGatewayClient {
    static func restApi(_ r: JSONResponseReader) throws -> RestApi {
        let endpoint = r.child("endpointConfiguration")
        return RestApi(id: try r.string("id"), name: try r.string("name"), description: r.optionalString("description"),
                       endpointTypes: endpoint?.strings("types") ?? [],
                       vpcEndpointIds: endpoint?.strings("vpcEndpointIds") ?? [],
                       policy: r.optionalString("policy").map(APIGatewayPolicyText.normalize),
                       tags: r.stringMap("tags"), rootResourceId: r.optionalString("rootResourceId"),
                       createdDate: r.optionalDate("createdDate"))
    }

    static func resource(_ r: JSONResponseReader) throws -> Resource {
        Resource(id: try r.string("id"), parentId: r.optionalString("parentId"), pathPart: r.optionalString("pathPart"),
                 path: try r.string("path"), methods: (r.json["resourceMethods"]?.object?.keys).map { $0.sorted() } ?? [])
    }

    static func integration(_ r: JSONResponseReader) throws -> Integration {
        var responses: [String: [String: String]] = [:]
        for (status, value) in r.json["integrationResponses"]?.object ?? [:] {
            responses[status] = value["responseTemplates"]?.object?.compactMapValues(\.string) ?? [:]
        }
        return Integration(type: try r.string("type"), requestTemplates: r.stringMap("requestTemplates"),
                           responseTemplates: responses)
    }

    static func deployment(_ r: JSONResponseReader) throws -> Deployment {
        Deployment(id: try r.string("id"), description: r.optionalString("description"),
                   createdDate: r.optionalDate("createdDate"))
    }

    static func stage(_ r: JSONResponseReader) throws -> Stage {
        Stage(stageName: try r.string("stageName"), deploymentId: r.optionalString("deploymentId"),
              description: r.optionalString("description"), tags: r.stringMap("tags"))
    }

    static func domainName(_ r: JSONResponseReader) throws -> DomainName {
        DomainName(domainName: try r.string("domainName"), domainNameId: r.optionalString("domainNameId"),
                   domainNameArn: r.optionalString("domainNameArn"), status: r.optionalString("domainNameStatus"),
                   statusMessage: r.optionalString("domainNameStatusMessage"),
                   regionalDomainName: r.optionalString("regionalDomainName"),
                   regionalHostedZoneId: r.optionalString("regionalHostedZoneId"),
                   endpointTypes: r.child("endpointConfiguration")?.strings("types") ?? [],
                   certificateArn: r.optionalString("certificateArn"),
                   regionalCertificateArn: r.optionalString("regionalCertificateArn"),
                   securityPolicy: r.optionalString("securityPolicy"),
                   policy: r.optionalString("policy").map(APIGatewayPolicyText.normalize), tags: r.stringMap("tags"))
    }

    static func basePathMapping(_ r: JSONResponseReader) throws -> BasePathMapping {
        // AWS omits `basePath` for the root mapping in some answers; it is the same as "(none)".
        BasePathMapping(basePath: r.optionalString("basePath") ?? APIGatewayClient.rootBasePath,
                        restApiId: try r.string("restApiId"), stage: r.optionalString("stage"))
    }

    static func accessAssociation(_ r: JSONResponseReader) throws -> DomainNameAccessAssociation {
        DomainNameAccessAssociation(arn: try r.string("domainNameAccessAssociationArn"),
                                    domainNameArn: try r.string("domainNameArn"),
                                    sourceType: try r.string("accessAssociationSourceType"),
                                    source: try r.string("accessAssociationSource"), tags: r.stringMap("tags"))
    }

    /// Reads a `{"item": [...], "position": "..."}` list answer.
    static func page<T>(_ json: JSONValue, operation: String,
                        _ parse: (JSONResponseReader) throws -> T) throws -> Page<T> {
        let r = try JSONResponseReader(json, service: ServiceDescriptor.apiGateway.signingName, operation: operation)
            .requireObject()
        let position = r.optionalString("position")
        return Page(items: try r.objects("item").map(parse), position: position?.isEmpty == true ? nil : position)
    }

    static func object(_ json: JSONValue, _ operation: String) throws -> JSONResponseReader {
        try JSONResponseReader(json, service: ServiceDescriptor.apiGateway.signingName, operation: operation).requireObject()
    }
}
