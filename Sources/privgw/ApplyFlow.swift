// What `up` and `down` share: plan, show, confirm, apply with live progress, then summarize.
import ArgumentParser
import Foundation
import PrivGW

enum ApplyFlow {
    static func run(_ inv: Invocation, command: RunCommand, yes: Bool, noRollback: Bool, rebuildJournal: Bool = false,
                    maxParallel: Int) async throws -> ExitStatus {
        let session = try inv.open(maxParallel: maxParallel)
        let spec = session.spec
        // The plan shown (and confirmed) here. The engine executes it as is when, under its lock, the journal is
        // unchanged and nobody was asked to confirm (no time for the world to change: AWS is not asked twice);
        // otherwise it plans again, so a change made by someone else in between is seen rather than overwritten.
        var shown: Plan?
        do {
            shown = try await session.plan(destroy: command == .down, progress: inv.planningSink())
        } catch where rebuildJournal && !(error is CancellationError) && !inv.trap.fired {
            // The journal --rebuild-journal is about to set aside may be what planning cannot read.
            inv.console.err(inv.text.warning("cannot plan from the current journal (\(error)); it will be set aside "
                + "and the stack's resources rediscovered by their tags"))
        }
        if let plan = shown, inv.format == .text {
            inv.console.out(inv.text.plan(plan, design: spec.design.rawValue, region: session.region))
            inv.console.out("")
        }

        let noOp = shown?.isNoOp ?? false
        let asked = !noOp && !yes && Terminal.stdinIsTTY
        if let plan = shown, noOp {
            if inv.format == .text { inv.console.out(inv.text.nothingToDo(plan)) }
        } else if asked {
            // Off a terminal there is nobody to ask: proceed (scripts and CI pass --yes anyway).
            let question = command == .up ? "Apply these changes to stack \(spec.name)?"
                                          : "Delete the resources of stack \(spec.name) listed above?"
            guard inv.confirm(question) else { throw ConfirmationDeclined() }
        }

        // A no-op plan still runs (quietly): adopted resources get journaled, and the engine stays the one
        // place that decides what a run does.
        let progress: any ProgressSink
        var textProgress: TextProgress?
        switch inv.format {
        case .json:
            progress = JSONProgress(console: inv.console)
        case .text:
            let p = TextProgress(console: inv.console, renderer: inv.text, plan: shown, quiet: noOp)
            textProgress = p
            progress = p
        }
        let ticker = textProgress.flatMap { p in
            inv.console.liveEnabled ? Task {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: 1_000_000_000)
                    p.tick()
                }
            } : nil
        }
        let started = Date()
        let result: RunResult
        do {
            defer { ticker?.cancel(); textProgress?.finish() }
            result = try await inv.trap.gracefully {
                switch command {
                case .up: return try await session.up(noRollback: noRollback, rebuildJournal: rebuildJournal,
                                                      reusePlan: !asked, progress: progress)
                case .down: return try await session.down(reusePlan: !asked, progress: progress)
                }
            }
        } catch let error as RunnerError {
            // The engine may report a failed run by throwing it with its result: render it like a returned one.
            guard let r = error.result else { throw error }
            result = r
        }
        let elapsed = Date().timeIntervalSince(started)

        let outputs = command == .up ? StackOutputs(spec: spec, records: StackOutputs.records(of: result)) : nil
        switch inv.format {
        case .json:
            inv.console.out(JSONRenderer.run(result, outputs: outputs))
        case .text:
            if noOp && result.plan.isNoOp && result.status == .succeeded {
                if let outputs { inv.console.out(inv.text.outputs(outputs, stack: result.stack)) }
            } else {
                inv.console.out("")
                inv.console.out(inv.text.runSummary(result, outputs: outputs, elapsed: elapsed))
            }
        }
        let context = Diagnostics.Context(command: command.rawValue, stateDir: inv.stateDir)
        if let diagnostic = Diagnostics.render(result: result, context: context, style: inv.errStyle) {
            inv.console.err(diagnostic)
        }
        return ExitStatus.forRun(result.status)
    }
}
