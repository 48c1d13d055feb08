// `privgw plan [--destroy]`: what `up` (or `down`) would do, read-only.
import ArgumentParser
import Foundation
import PrivGW

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what `privgw up` would create, change or keep (no change is made).")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Plan `privgw down` instead: what would be deleted.")
    var destroy = false

    func run() async throws {
        let destroy = self.destroy
        try await global.perform("plan") { inv in
            let session = try inv.open()
            let plan = try await session.plan(destroy: destroy, progress: inv.planningSink())
            switch inv.format {
            case .json:
                inv.console.out(JSONRenderer.plan(plan))
            case .text:
                inv.console.out(inv.text.plan(plan, design: session.spec.design.rawValue, region: session.region))
            }
            return .success
        }
    }
}

extension Invocation {
    /// Progress while planning: only warnings (text) or JSON lines (json); planning is read-only and quick.
    func planningSink() -> any ProgressSink {
        switch format {
        case .json: return JSONProgress(console: console)
        case .text: return TextProgress(console: console, renderer: text, quiet: true)
        }
    }
}
