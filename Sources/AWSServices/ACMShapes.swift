// ACM output types privgw reads (certificate detail and summary, DNS validation records) and their parsing.
//
// A freshly requested certificate may describe its domain validation options without `ResourceRecord`: AWS fills
// the record in a few seconds later. That is not malformed, so `resourceRecord` is optional and callers poll.
import AWSCore
import Foundation

extension ACMClient {
    /// The CNAME that proves control of one domain of the certificate.
    public struct ValidationRecord: Sendable, Equatable {
        public var name: String
        /// `CNAME`
        public var type: String
        public var value: String

        public init(name: String, type: String, value: String) {
            self.name = name
            self.type = type
            self.value = value
        }
    }

    public struct DomainValidation: Sendable, Equatable {
        public var domainName: String
        /// `PENDING_VALIDATION`, `SUCCESS`, `FAILED`
        public var validationStatus: String?
        public var validationMethod: String?
        /// Absent until AWS has generated it (usually within seconds of the request).
        public var resourceRecord: ValidationRecord?
    }

    public struct Certificate: Sendable, Equatable {
        public var arn: String
        public var domainName: String
        public var subjectAlternativeNames: [String]
        /// `PENDING_VALIDATION`, `ISSUED`, `INACTIVE`, `EXPIRED`, `VALIDATION_TIMED_OUT`, `REVOKED`, `FAILED`
        public var status: String
        /// `AMAZON_ISSUED`, `IMPORTED`, `PRIVATE`
        public var type: String?
        public var notAfter: Date?
        /// ARNs of the load balancers / API Gateway domains using it.
        public var inUseBy: [String]
        public var failureReason: String?
        public var domainValidationOptions: [DomainValidation]

        public var isIssued: Bool { status == "ISSUED" }

        /// Validation records once every domain has one; nil while any is still missing (poll again).
        public var validationRecords: [ValidationRecord]? {
            let records = domainValidationOptions.compactMap(\.resourceRecord)
            guard !domainValidationOptions.isEmpty, records.count == domainValidationOptions.count else { return nil }
            return records
        }
    }

    public struct CertificateSummary: Sendable, Equatable {
        public var arn: String
        public var domainName: String?
        public var status: String?
        public var type: String?
        public var inUse: Bool?
    }

    static func certificate(_ r: JSONResponseReader) throws -> Certificate {
        let validations = try r.objects("DomainValidationOptions").map { v -> DomainValidation in
            var record: ValidationRecord? = nil
            if let rr = v.child("ResourceRecord") {
                record = ValidationRecord(name: try rr.string("Name"), type: try rr.string("Type"), value: try rr.string("Value"))
            }
            return DomainValidation(domainName: try v.string("DomainName"), validationStatus: v.optionalString("ValidationStatus"),
                                    validationMethod: v.optionalString("ValidationMethod"), resourceRecord: record)
        }
        return Certificate(arn: try r.string("CertificateArn"), domainName: try r.string("DomainName"),
                           subjectAlternativeNames: r.strings("SubjectAlternativeNames"), status: try r.string("Status"),
                           type: r.optionalString("Type"), notAfter: r.optionalDate("NotAfter"), inUseBy: r.strings("InUseBy"),
                           failureReason: r.optionalString("FailureReason"), domainValidationOptions: validations)
    }

    static func summary(_ r: JSONResponseReader) throws -> CertificateSummary {
        CertificateSummary(arn: try r.string("CertificateArn"), domainName: r.optionalString("DomainName"),
                           status: r.optionalString("Status"), type: r.optionalString("Type"), inUse: r.optionalBool("InUse"))
    }
}
