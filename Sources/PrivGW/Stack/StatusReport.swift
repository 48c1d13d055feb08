// What `privgw status` reports: each resource's live state, target health per IP, drift, and an overall verdict.
import Foundation

public struct StatusReport: Codable, Sendable, Equatable {
    public enum Verdict: String, Codable, Sendable {
        /// Every resource exists, nothing drifted, every target is healthy.
        case healthy
        /// Deployed, but something is missing, drifted or unhealthy.
        case degraded
        /// Nothing of the stack exists.
        case notDeployed = "not-deployed"
    }

    public struct Resource: Codable, Sendable, Equatable {
        public var step: String
        public var kind: String
        public var id: String?
        /// `ok`, `missing`, `drift`, or a service state such as `provisioning`.
        public var state: String
        public var owned: Bool
        public var detail: String
    }

    public struct Target: Codable, Sendable, Equatable {
        public var ip: String
        public var port: Int
        public var state: String
        public var reason: String?
    }

    public var stack: String
    public var design: String
    public var domains: [String]
    public var verdict: Verdict
    public var resources: [Resource]
    public var targets: [Target]
    public var drift: [String]
    public var warnings: [String]

    public init(stack: String, design: String, domains: [String], verdict: Verdict, resources: [Resource],
                targets: [Target], drift: [String], warnings: [String]) {
        self.stack = stack
        self.design = design
        self.domains = domains
        self.verdict = verdict
        self.resources = resources
        self.targets = targets
        self.drift = drift
        self.warnings = warnings
    }
}
