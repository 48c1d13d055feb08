// `privgw status [--watch]`: live state, target health and drift; the exit code is the verdict.
import ArgumentParser
import Foundation
import PrivGW

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each resource's live state, the ALB's target health and any drift.",
        discussion: "Exit code: 0 healthy, 1 degraded, 3 not deployed.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Refresh until Ctrl-C (JSON: one compact document per refresh).")
    var watch = false

    @Option(help: "Seconds between refreshes with --watch.")
    var interval: Double = 5

    func validate() throws {
        guard interval >= 1 else { throw ValidationError("--interval must be at least 1 second") }
    }

    func run() async throws {
        let (watch, interval) = (self.watch, self.interval)
        try await global.perform("status") { inv in
            let session = try inv.open()
            guard watch else {
                let report = try await session.status()
                inv.console.out(inv.format == .json ? JSONRenderer.status(report) : inv.text.status(report, region: session.region))
                return ExitStatus.forVerdict(report.verdict)
            }
            var refreshes = 0
            while true {
                refreshes += 1
                do {
                    let report = try await session.status()
                    show(inv, inv.format == .json ? JSONRenderer.status(report, pretty: false)
                                                  : inv.text.status(report, region: session.region), interval: interval)
                } catch where !ExitStatus.isInterruption(error) && !inv.trap.fired && refreshes > 1 {
                    // One failed refresh (a throttle, a blip) should not end a watch that already worked.
                    let message = Diagnostics.render(error, context: .init(command: "status", stateDir: inv.stateDir), style: inv.errStyle)
                    inv.console.err(message)
                }
                try await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
            }
        }
    }

    private func show(_ inv: Invocation, _ body: String, interval: Double) {
        guard inv.format == .text else { inv.console.out(body); return }
        let clock = DateFormatter.localizedString(from: Date(), dateStyle: .none, timeStyle: .medium)
        let footer = inv.text.style.dim("Updated \(clock); refreshing every \(Self.seconds(interval)); Ctrl-C to stop.")
        if Terminal.stdoutIsTTY {
            inv.console.out("\u{1B}[H\u{1B}[2J" + body + "\n\n" + footer)
        } else {
            inv.console.out(body + "\n" + footer + "\n")
        }
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s))s" : String(format: "%.1fs", s)
    }
}
