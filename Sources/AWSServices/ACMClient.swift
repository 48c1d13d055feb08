// Typed ACM calls for privgw: the DNS-validated certificate for the custom domain, its validation records, tags.
// JSON 1.1 RPC (`X-Amz-Target: CertificateManager.<Operation>`); member names follow botocore's `acm` service-2 model.
import AWSCore
import Foundation

public struct ACMClient: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) { self.client = client }

    func call(_ operation: String, _ body: JSONValue, idempotent: Bool, mutating: Bool) async throws -> JSONResponseReader {
        let json = try await client.json(.acm, operation, body, idempotent: idempotent, mutating: mutating)
        return try JSONResponseReader(json, service: ServiceDescriptor.acm.signingName, operation: operation).requireObject()
    }

    static func tagList(_ tags: [String: String]) -> JSONValue {
        .array(tags.sorted { $0.key < $1.key }.map { ["Key": .string($0.key), "Value": .string($0.value)] })
    }
}

extension ACMClient {
    public struct RequestCertificateInput: Sendable, Equatable {
        public var domainName: String
        public var subjectAlternativeNames: [String]
        public var validationMethod: String
        /// Up to 32 word characters. Repeats within an hour return the same certificate on AWS (in moto only when
        /// the tags are identical too).
        public var idempotencyToken: String?
        public var tags: [String: String]

        public init(domainName: String, subjectAlternativeNames: [String] = [], validationMethod: String = "DNS",
                    idempotencyToken: String?, tags: [String: String] = [:]) {
            self.domainName = domainName
            self.subjectAlternativeNames = subjectAlternativeNames
            self.validationMethod = validationMethod
            self.idempotencyToken = idempotencyToken
            self.tags = tags
        }
    }

    /// Returns the new certificate's ARN. Idempotent only with an `idempotencyToken`.
    public func requestCertificate(_ input: RequestCertificateInput) async throws -> String {
        var body: [String: JSONValue] = ["DomainName": .string(input.domainName),
                                         "ValidationMethod": .string(input.validationMethod)]
        if !input.subjectAlternativeNames.isEmpty {
            body["SubjectAlternativeNames"] = .array(input.subjectAlternativeNames.map(JSONValue.string))
        }
        if let token = input.idempotencyToken { body["IdempotencyToken"] = .string(token) }
        if !input.tags.isEmpty { body["Tags"] = Self.tagList(input.tags) }
        let r = try await call("RequestCertificate", .object(body), idempotent: input.idempotencyToken != nil, mutating: true)
        return try r.string("CertificateArn")
    }

    public func describeCertificate(arn: String) async throws -> Certificate {
        let r = try await call("DescribeCertificate", ["CertificateArn": .string(arn)], idempotent: true, mutating: false)
        guard let detail = r.child("Certificate") else { throw r.malformed("lacks required field `Certificate`") }
        return try Self.certificate(detail)
    }

    public struct CertificatePage: Sendable, Equatable {
        public var certificates: [CertificateSummary]
        public var nextToken: String?
    }

    /// One page. With no `statuses`, AWS lists every status. AWS lists only RSA certificates unless `keyTypes` asks
    /// for others (privgw requests the default RSA_2048, so nil is right for it).
    public func listCertificates(statuses: [String] = [], keyTypes: [String]? = nil, nextToken: String? = nil,
                                 maxItems: Int? = nil) async throws -> CertificatePage {
        var body: [String: JSONValue] = [:]
        if !statuses.isEmpty { body["CertificateStatuses"] = .array(statuses.map(JSONValue.string)) }
        if let keyTypes { body["Includes"] = ["keyTypes": .array(keyTypes.map(JSONValue.string))] }
        if let nextToken { body["NextToken"] = .string(nextToken) }
        if let maxItems { body["MaxItems"] = .number(Double(maxItems)) }
        let r = try await call("ListCertificates", .object(body), idempotent: true, mutating: false)
        let token = r.optionalString("NextToken")
        return CertificatePage(certificates: try r.objects("CertificateSummaryList").map(Self.summary),
                               nextToken: token?.isEmpty == true ? nil : token)
    }

    /// Every page, bounded; stops if a server repeats the token it was given.
    public func listAllCertificates(statuses: [String] = [], keyTypes: [String]? = nil,
                                    maxPages: Int = 100) async throws -> [CertificateSummary] {
        var all: [CertificateSummary] = []
        var token: String? = nil
        for _ in 0..<maxPages {
            let page = try await listCertificates(statuses: statuses, keyTypes: keyTypes, nextToken: token)
            all += page.certificates
            guard let next = page.nextToken, next != token else { break }
            token = next
        }
        return all
    }

    /// Fails with `ResourceInUseException` on AWS while a load balancer or API Gateway domain still uses it.
    public func deleteCertificate(arn: String) async throws {
        _ = try await call("DeleteCertificate", ["CertificateArn": .string(arn)], idempotent: true, mutating: true)
    }

    public func listTagsForCertificate(arn: String) async throws -> [String: String] {
        let r = try await call("ListTagsForCertificate", ["CertificateArn": .string(arn)], idempotent: true, mutating: false)
        var tags: [String: String] = [:]
        for tag in try r.objects("Tags") {
            tags[try tag.string("Key")] = tag.optionalString("Value") ?? ""
        }
        return tags
    }

    /// Adding a tag that exists with the same value is a no-op: idempotent.
    public func addTagsToCertificate(arn: String, tags: [String: String]) async throws {
        _ = try await call("AddTagsToCertificate", ["CertificateArn": .string(arn), "Tags": Self.tagList(tags)],
                           idempotent: true, mutating: true)
    }
}
