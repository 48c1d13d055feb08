// Human-readable output of plan, up/down summaries, status and call statistics, as Strings (printed by the CLI).
import AWSCore
import Foundation

/// Renders privgw's results as text; colour comes from `style` only, so the same code serves TTYs and pipes.
public struct TextRenderer: Sendable {
    public var style: TextStyle

    public init(style: TextStyle = .plain) { self.style = style }

    // MARK: plan

    /// Column widths shared by the plan and the progress lines, so `up` output lines up with the plan above it.
    public struct Columns: Sendable, Equatable {
        public var step: Int
        public var kind: Int

        public init(step: Int, kind: Int) {
            self.step = step
            self.kind = kind
        }

        public init(_ plan: Plan) {
            self.init(step: plan.steps.map(\.step.count).max() ?? 0, kind: plan.steps.map(\.kind.count).max() ?? 0)
        }
    }

    /// The plan: a header, one line per step in execution order, warnings, then the summary line.
    public func plan(_ plan: Plan, design: String? = nil, region: String? = nil) -> String {
        var lines: [String] = []
        let destroy = plan.command == .down
        var where_: [String] = []
        if let design { where_.append("design \(design)") }
        if let region { where_.append("region \(region)") }
        let context = where_.isEmpty ? "" : " (\(where_.joined(separator: ", ")))"
        lines.append(style.bold(destroy ? "Plan to destroy stack \(plan.stack)\(context):"
                                        : "Plan for stack \(plan.stack)\(context):"))
        lines.append("")
        let columns = Columns(plan)
        let idWidth = min(plan.steps.compactMap { $0.resourceId?.count }.max() ?? 0, 32)
        for s in plan.steps {
            lines.append(planLine(s, columns: columns, idWidth: idWidth))
        }
        if plan.steps.isEmpty { lines.append("  (no steps)") }
        lines.append("")
        for w in plan.warnings { lines.append(warning(w)) }
        lines.append(style.bold(PlanCounts(plan).line))
        return lines.joined(separator: "\n")
    }

    /// One plan line: `  + alb  load balancer  <id>  <detail>`.
    public func planLine(_ s: PlannedStep, columns: Columns, idWidth: Int = 0) -> String {
        var line = "  " + style.symbol(s.action) + " " + pad(s.step, columns.step) + "  " + pad(s.kind, columns.kind)
        let id = s.resourceId ?? ""
        let detail = s.detail
        if !id.isEmpty || !detail.isEmpty { line += "  " + (detail.isEmpty ? id : pad(id, idWidth)) }
        if !detail.isEmpty { line += "  " + style.dim(detail) }
        return trimRight(line)
    }

    /// `3 to create, 1 to change, 0 to delete, 5 unchanged`.
    public func planSummary(_ plan: Plan) -> String { PlanCounts(plan).line }

    // MARK: progress

    /// A progress line for a step: `  + alb  load balancer  created in 3.2s`.
    public func progressLine(symbol: String, step: String, kind: String, text: String, columns: Columns) -> String {
        trimRight("  " + symbol + " " + pad(step, columns.step) + "  " + pad(kind, columns.kind) + "  " + text)
    }

    /// `3.2s`, `1m05s`, `1h02m`: short enough for progress lines, exact enough to compare runs.
    public static func duration(_ seconds: Double) -> String {
        let s = max(0, seconds)
        if s < 60 { return String(format: "%.1fs", s) }
        let total = Int(s.rounded())
        if total < 3600 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60)
    }

    // MARK: up / down

    /// What a finished `up`/`down` did (the error itself is rendered by `Diagnostics`, on stderr).
    public func runSummary(_ result: RunResult, outputs: StackOutputs?, elapsed: Double? = nil) -> String {
        var lines: [String] = []
        let took = elapsed.map { " in \(Self.duration($0))" } ?? ""
        let did = doneCounts(result)
        switch result.status {
        case .succeeded:
            lines.append(style.green("Done\(took): \(did)."))
        case .failed:
            lines.append(style.boldRed("Failed\(took)") + failedAt(result) + (did == "nothing changed" ? "." : "; before that: \(did)."))
        case .rolledBack:
            lines.append(style.boldRed("Failed\(took)") + failedAt(result) + "; the resources this run created were rolled back.")
        case .interrupted:
            let ran = result.outcomes.filter { $0.status != .notStarted }.count
            lines.append(style.yellow("Interrupted\(took) after \(ran) of \(result.outcomes.count) steps: \(did)."))
        }
        if result.command == .down {
            let deleted = result.outcomes.filter { $0.status == .succeeded && $0.action == .delete }
            if !deleted.isEmpty {
                lines.append("Deleted:")
                for o in deleted { lines.append(deletedLine(o, result)) }
            }
        }
        let rolledBack = result.rollback.filter { $0.status == .succeeded && $0.action == .delete }
        if !rolledBack.isEmpty {
            lines.append("Rolled back \(rolledBack.count) resource\(rolledBack.count == 1 ? "" : "s") created by this run:")
            for o in rolledBack { lines.append(deletedLine(o, result)) }
        }
        if !result.remaining.isEmpty && result.status != .succeeded || (result.command == .down && !result.remaining.isEmpty) {
            lines.append(style.yellow("Still present (privgw's, recorded in the journal):"))
            for r in result.remaining { lines.append("  \(r.kind)  \(r.id)  (step \(r.step))") }
        }
        if result.status == .succeeded {
            if result.command == .up, let outputs {
                lines.append("")
                lines.append(self.outputs(outputs, stack: result.stack))
            } else if result.command == .down {
                lines.append("Stack \(result.stack) is down.")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The stack's addresses and a curl line to try it.
    public func outputs(_ o: StackOutputs, stack: String) -> String {
        var rows: [(String, String)] = []
        for (i, d) in o.domains.enumerated() { rows.append((i == 0 ? "domain" : "", d)) }
        if let lb = o.loadBalancerDNS { rows.append(("load balancer", lb)) }
        if let ep = o.vpcEndpoint { rows.append(("VPC endpoint", ep)) }
        let w = rows.map(\.0.count).max() ?? 0
        var lines = [style.bold("Stack \(stack) is up:")]
        for (k, v) in rows { lines.append("  " + pad(k, w) + "  " + v) }
        lines.append("  " + style.cyan(o.curl) + "   " + style.dim("(from inside the VPC)"))
        return lines.joined(separator: "\n")
    }

    /// "Nothing to do" for a plan that changes nothing.
    public func nothingToDo(_ plan: Plan) -> String {
        plan.command == .up ? "Nothing to do: stack \(plan.stack) is up to date."
                            : "Nothing to do: stack \(plan.stack) is not deployed."
    }

    private func failedAt(_ r: RunResult) -> String {
        guard let step = r.failedStep ?? r.error?.step else { return "" }
        let kind = r.outcome(step)?.kind ?? r.error?.kind ?? ""
        let op = r.error.map { " (\($0.operation.rawValue))" } ?? ""
        return " at step \(step)" + (kind.isEmpty ? "" : " [\(kind)]") + op
    }

    private func doneCounts(_ r: RunResult) -> String {
        var parts: [String] = []
        func add(_ n: Int, _ label: String) { if n > 0 { parts.append("\(n) \(label)") } }
        add(r.createdCount, "created")
        add(r.updatedCount, "updated")
        add(r.adoptedCount, "adopted")
        add(r.deletedCount, "deleted")
        add(r.keptCount, "unchanged")
        return parts.isEmpty ? "nothing changed" : parts.joined(separator: ", ")
    }

    /// `  - alb  load balancer  arn:...`, aligned like the plan.
    private func deletedLine(_ o: StepOutcome, _ r: RunResult) -> String {
        progressLine(symbol: style.red("-"), step: o.step, kind: o.kind, text: resourceId(o, r) ?? "", columns: Columns(r.plan))
    }

    /// A deleted resource's id: a delete outcome has no record left, so take what the run created (rollback) or
    /// what the plan found.
    private func resourceId(_ o: StepOutcome, _ r: RunResult) -> String? {
        o.record?.id ?? r.outcome(o.step)?.record?.id ?? r.plan.step(o.step)?.resourceId
            ?? r.plan.step(o.step)?.journaled?.id
    }

    // MARK: status

    /// The status table, target health, drift and warnings.
    public func status(_ r: StatusReport, region: String? = nil) -> String {
        var lines: [String] = []
        var ctx = ["design \(r.design)"]
        if let region { ctx.append("region \(region)") }
        lines.append(style.bold("Stack \(r.stack) (\(ctx.joined(separator: ", "))): ") + verdict(r.verdict))
        if !r.domains.isEmpty { lines.append("Domains: " + r.domains.joined(separator: ", ")) }
        lines.append("")
        let header = ["STEP", "KIND", "ID", "STATE", "DETAIL"]
        let rows = r.resources.map { [$0.step, $0.kind, $0.id ?? "-", $0.state, $0.detail] }
        var widths = header.map(\.count)
        for row in rows { for (i, c) in row.enumerated() where i < 4 { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String], stateStyled: String? = nil) -> String {
            var parts: [String] = []
            for i in 0..<4 {
                let raw = pad(cells[i], widths[i])
                parts.append(i == 3 && stateStyled != nil ? stateStyled! + String(repeating: " ", count: widths[i] - cells[i].count) : raw)
            }
            parts.append(cells[4])
            return trimRight("  " + parts.joined(separator: "  "))
        }
        lines.append(style.dim(line(header)))
        for (row, res) in zip(rows, r.resources) { lines.append(line(row, stateStyled: state(res.state))) }
        if r.resources.isEmpty { lines.append("  (no resources)") }
        if !r.targets.isEmpty {
            lines.append("")
            lines.append(style.bold("Targets:"))
            let tw = r.targets.map { "\($0.ip):\($0.port)".count }.max() ?? 0
            for t in r.targets {
                var l = "  " + pad("\(t.ip):\(t.port)", tw) + "  " + targetState(t.state)
                if let reason = t.reason, !reason.isEmpty { l += "  " + style.dim(reason) }
                lines.append(l)
            }
        }
        if !r.drift.isEmpty {
            lines.append("")
            lines.append(style.bold("Drift:"))
            for d in r.drift { lines.append("  " + style.yellow("~") + " " + d) }
        }
        if !r.warnings.isEmpty {
            lines.append("")
            for w in r.warnings { lines.append(warning(w)) }
        }
        return lines.joined(separator: "\n")
    }

    private func verdict(_ v: StatusReport.Verdict) -> String {
        switch v {
        case .healthy: return style.green(v.rawValue)
        case .degraded: return style.yellow(v.rawValue)
        case .notDeployed: return style.dim(v.rawValue)
        }
    }

    private func state(_ s: String) -> String {
        switch s {
        case "ok", "active", "available", "ISSUED": return style.green(s)
        case "missing", "failed": return style.red(s)
        default: return style.yellow(s)
        }
    }

    private func targetState(_ s: String) -> String {
        switch s {
        case "healthy": return style.green(s)
        case "unhealthy": return style.red(s)
        default: return style.yellow(s)
        }
    }

    // MARK: misc

    /// `warning: <message>`.
    public func warning(_ message: String) -> String { style.yellow("warning:") + " " + message }

    /// Spec warnings, each with its file:line, like a compiler's.
    public func specWarnings(_ warnings: [SpecDiagnostic], file: String) -> String {
        warnings.map { Diagnostics.colorSeverity($0.rendered(file: file), style: style) }.joined(separator: "\n")
    }

    /// `-v`: AWS calls per service and operation, with retries, so a slow or throttled run can be explained.
    public func statistics(_ entries: [CallStatistics.Entry]) -> String {
        let calls = entries.reduce(0) { $0 + $1.calls }
        let mutating = entries.filter(\.mutating).reduce(0) { $0 + $1.calls }
        let retries = entries.reduce(0) { $0 + max(0, $1.attempts - $1.calls) }
        var lines = ["AWS calls: \(calls) (\(mutating) mutating), \(retries) retr\(retries == 1 ? "y" : "ies")"]
        let names = entries.map { "\($0.service):\($0.operation)" }
        let w = names.map(\.count).max() ?? 0
        for (name, e) in zip(names, entries) {
            var l = "  " + pad(name, w) + "  " + String(repeating: " ", count: max(0, 4 - String(e.calls).count)) + "\(e.calls)"
            let r = e.attempts - e.calls
            if r > 0 { l += "  (+\(r) retr\(r == 1 ? "y" : "ies"))" }
            if e.mutating { l += "  " + style.dim("mutating") }
            lines.append(l)
        }
        return lines.joined(separator: "\n")
    }

    func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    func trimRight(_ s: String) -> String {
        var s = s
        while s.last == " " { s.removeLast() }
        return s
    }
}
