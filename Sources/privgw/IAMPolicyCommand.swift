// `privgw iam-policy`: prints the least-privilege IAM policy for the spec (no AWS call).
import ArgumentParser
import AWSCore
import Foundation
import PrivGW

struct IAMPolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iam-policy",
        abstract: "Print the least-privilege IAM policy (JSON) that privgw needs for this spec.",
        discussion: """
        The policy covers plan, up, status and down for the spec's design, scoped to its region, VPC, zones, \
        domain names and stack tag. It makes no AWS call. Without a region (--region, the spec, AWS_REGION or \
        the profile) the ARNs match every region.
        """)

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let (path, explicitRegion, profile) = (global.file, global.region, global.profile)
        try await global.perform("iam-policy") { inv in
            let loaded = try StackSpec.loadWithWarnings(path: path)
            if !loaded.warnings.isEmpty {
                inv.console.err(TextRenderer(style: inv.errStyle).specWarnings(loaded.warnings, file: path))
            }
            let region: String
            if let wanted = explicitRegion ?? loaded.spec.region {
                // Same precedence and checks as the other commands: --region, then the spec.
                region = try AWSConfigurationLoader.resolve(region: wanted, profile: profile).region
            } else if let configured = try? AWSConfigurationLoader.resolve(region: nil, profile: profile).region {
                region = configured
            } else {
                region = "*"
                inv.console.err("note: no AWS region (--region, the spec's `region:`, AWS_REGION or the profile): the policy's ARNs match every region")
            }
            inv.console.out(IAMPolicy.forSpec(loaded.spec, region: region).jsonString)
            return .success
        }
    }
}
