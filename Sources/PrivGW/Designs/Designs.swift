// Each design is a table of steps with their dependencies; adding a resource means one step file and one line here.
import AWSCore
import AWSServices
import Foundation

public enum Designs {
    /// The steps of the spec's design, in a valid dependency order (the runner derives the real order from `dependsOn`).
    public static func steps(for spec: StackSpec) -> [any Step<AWSEnvironment>] {
        switch spec.design {
        case .alb: return alb(spec)
        case .native: return native(spec)
        }
    }

    static func alb(_ spec: StackSpec) -> [any Step<AWSEnvironment>] {
        var steps: [any Step<AWSEnvironment>] = [NetworkStep()]
        let ownAlbGroup = spec.securityGroups.isEmpty
        if ownAlbGroup {
            steps.append(SecurityGroupStep(id: "alb-sg", purpose: "HTTPS into the internal load balancer from the VPC", source: .vpcCIDR))
        }
        if spec.vpcEndpoint == nil {
            steps.append(SecurityGroupStep(id: "endpoint-sg", purpose: "HTTPS into the execute-api endpoint from the load balancer",
                                           source: ownAlbGroup ? .groupOfStep("alb-sg") : .vpcCIDR))
        }
        steps.append(VpcEndpointStep(withSecurityGroup: spec.vpcEndpoint == nil))
        // One certificate per name: the first is the listener's default, the others are added to it (SNI).
        let certificateSteps = spec.domains.indices.map { $0 == 0 ? "certificate" : "certificate-\($0 + 1)" }
        for (i, domain) in spec.domains.enumerated() {
            steps.append(CertificateStep(id: certificateSteps[i], domains: [domain]))
        }
        steps.append(LoadBalancerStep(givenSecurityGroups: spec.securityGroups))
        steps.append(TargetGroupStep())
        steps.append(TargetsStep())
        steps.append(ListenerStep())
        if spec.domains.count > 1 {
            steps.append(ListenerCertificatesStep(certificateSteps: Array(certificateSteps.dropFirst())))
        }
        if let demo = spec.apis.first(where: { $0.isDemo }) { steps.append(DemoAPIStep(stage: demo.stage)) }
        steps += APIPolicyStep.steps(for: spec)
        steps.append(PrivateZoneStep())
        let demoFirst = spec.apis.contains { $0.isDemo } ? ["api"] : []
        for (i, domain) in spec.domains.enumerated() {
            let suffix = i == 0 ? "" : "-\(i + 1)"
            steps.append(DomainNameStep(id: "domain-name\(suffix)", domain: domain, private: false,
                                        certificateStep: certificateSteps[i], after: demoFirst))
            steps.append(MappingsStep(id: "mappings\(suffix)", domain: domain, domainStep: "domain-name\(suffix)", apis: spec.apis,
                                      after: APIPolicyStep.steps(for: spec).map(\.id)))
            steps.append(AliasRecordStep(id: "record\(suffix)", domain: domain, targetStep: "alb"))
        }
        return steps
    }

    static func native(_ spec: StackSpec) -> [any Step<AWSEnvironment>] {
        var steps: [any Step<AWSEnvironment>] = [NetworkStep()]
        if spec.vpcEndpoint == nil {
            steps.append(SecurityGroupStep(id: "endpoint-sg", purpose: "HTTPS into the execute-api endpoint from the VPC", source: .vpcCIDR))
        }
        steps.append(VpcEndpointStep(withSecurityGroup: spec.vpcEndpoint == nil))
        steps.append(CertificateStep(domains: spec.domains))
        if let demo = spec.apis.first(where: { $0.isDemo }) { steps.append(DemoAPIStep(stage: demo.stage)) }
        steps += APIPolicyStep.steps(for: spec)
        steps.append(PrivateZoneStep())
        let demoFirst = spec.apis.contains { $0.isDemo } ? ["api"] : []
        for (i, domain) in spec.domains.enumerated() {
            let suffix = i == 0 ? "" : "-\(i + 1)"
            steps.append(DomainNameStep(id: "domain-name\(suffix)", domain: domain, private: true, after: demoFirst))
            steps.append(AccessAssociationStep(id: "access-association\(suffix)", domainStep: "domain-name\(suffix)"))
            steps.append(MappingsStep(id: "mappings\(suffix)", domain: domain, domainStep: "domain-name\(suffix)", apis: spec.apis,
                                      after: APIPolicyStep.steps(for: spec).map(\.id)))
            steps.append(AliasRecordStep(id: "record\(suffix)", domain: domain, targetStep: "endpoint"))
        }
        return steps
    }
}
