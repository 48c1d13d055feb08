// Renders the engine's progress events while `up`/`down` run: text lines (+ a live TTY line) or JSON lines.
import Foundation

/// Text progress: a line when a step starts and when it ends (with its duration), a live waiting indicator on a
/// TTY (refreshed by `tick()`), and plain periodic "waiting" lines otherwise, so CI logs show the run is alive.
public final class TextProgress: ProgressSink, @unchecked Sendable {
    private struct Running {
        var action: PlannedAction
        var phase: RunPhase
        var started: Double
        var wait: String?
    }

    private let console: Console
    private let renderer: TextRenderer
    private let now: @Sendable () -> Double
    private let plainWaitEvery: Double
    /// Only warnings and failures (planning, and runs whose plan changes nothing).
    private let quiet: Bool
    private let lock = NSLock()
    private var columns: TextRenderer.Columns
    private var kinds: [String: String] = [:]
    private var running: [String: Running] = [:]
    private var lastWaitLine: [String: Double] = [:]
    private var frame = 0

    public init(console: Console, renderer: TextRenderer, plan: Plan? = nil, quiet: Bool = false,
                plainWaitEvery: Double = 30,
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSinceReferenceDate }) {
        self.console = console
        self.renderer = renderer
        self.quiet = quiet
        self.plainWaitEvery = plainWaitEvery
        self.now = now
        self.columns = TextRenderer.Columns(step: 0, kind: 0)
        if let plan { learn(plan) }
    }

    private func learn(_ plan: Plan) {
        columns = TextRenderer.Columns(plan)
        for s in plan.steps { kinds[s.step] = s.kind }
    }

    public func handle(_ event: ProgressEvent) {
        var lines: [String] = []
        var errLines: [String] = []
        let style = renderer.style
        lock.lock()
        let t = now()
        switch event {
        case .runStarted, .runFinished:
            break
        case let .planned(plan):
            learn(plan)
        case let .stepStarted(step, action, phase):
            running[step] = Running(action: action, phase: phase, started: t)
            if !quiet, Self.shows(action) {
                let (sym, verb) = phase == .rollback ? (style.red("-"), "rolling back…") : (style.symbol(action), action.presentParticiple + "…")
                lines.append(line(sym, step, style.dim(verb)))
            }
        case let .stepFinished(step, action, phase, duration, _):
            running[step] = nil
            lastWaitLine[step] = nil
            if !quiet, Self.shows(action) || action == .adopt {
                let took = TextRenderer.duration(duration)
                let (sym, verb) = phase == .rollback ? (style.red("-"), "rolled back") : (style.symbol(action), action.pastTense)
                lines.append(line(sym, step, verb + (action == .adopt ? "" : " in \(took)")))
            }
        case let .stepFailed(step, action, phase, error):
            let started = running[step]?.started
            running[step] = nil
            lastWaitLine[step] = nil
            let after = started.map { " after \(TextRenderer.duration(t - $0))" } ?? ""
            if ExitStatus.isInterruption(error) {
                lines.append(line(style.yellow("!"), step, style.yellow("interrupted\(after)")))
            } else {
                let what = phase == .rollback ? "rollback" : Self.noun(action)
                lines.append(line(style.boldRed("!"), step, style.red("\(what) failed\(after): \(error.code)")))
            }
        case let .waiting(step, message, elapsed):
            if running[step] != nil { running[step]!.wait = message }
            if !quiet && !console.liveEnabled {
                let last = lastWaitLine[step]
                if last == nil || elapsed - last! >= plainWaitEvery {
                    lastWaitLine[step] = elapsed
                    lines.append(line(style.dim("…"), step, style.dim("waiting: \(message) (\(TextRenderer.duration(elapsed)))")))
                }
            }
        case let .rollbackStarted(steps):
            lines.append(style.yellow("Rolling back \(steps.count) resource\(steps.count == 1 ? "" : "s") created by this run…"))
        case let .warning(step, message):
            errLines.append(renderer.warning((step.map { "\($0): " } ?? "") + message))
        }
        let live = liveText(at: t)
        lock.unlock()
        console.write(out: lines, err: errLines, live: live)
    }

    /// Redraws the live line (elapsed times, spinner); the CLI calls it about once a second on a TTY.
    public func tick() {
        lock.lock()
        frame += 1
        let live = liveText(at: now())
        lock.unlock()
        console.setLive(live)
    }

    /// Removes the live line (before the summary).
    public func finish() {
        lock.lock()
        running = [:]
        lock.unlock()
        console.setLive(nil)
    }

    /// The live line: spinner, then each running step with its wait message and elapsed time.
    func liveText(at t: Double) -> String? {
        guard console.liveEnabled, !quiet, !running.isEmpty else { return nil }
        let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
        let items = running.sorted { ($0.value.started, $0.key) < ($1.value.started, $1.key) }.map { step, r -> String in
            let secs = "\(Int((t - r.started).rounded(.down)))s"
            return r.wait.map { "\(step): \($0) \(secs)" } ?? "\(step) \(secs)"
        }
        return frames[frame % frames.count] + " " + items.joined(separator: " · ")
    }

    private func line(_ symbol: String, _ step: String, _ text: String) -> String {
        renderer.progressLine(symbol: symbol, step: step, kind: kinds[step] ?? "", text: text, columns: columns)
    }

    /// Steps that call AWS to change something get start/end lines; keep/none stay silent.
    static func shows(_ action: PlannedAction) -> Bool {
        action == .create || action == .change || action == .delete
    }

    static func noun(_ action: PlannedAction) -> String {
        switch action {
        case .create: return "create"
        case .change: return "update"
        case .delete: return "delete"
        case .adopt: return "adopt"
        case .keep, .none: return "check"
        }
    }
}

/// JSON progress (`--output json`): one compact JSON object per event on stderr, waiting events thinned out.
public final class JSONProgress: ProgressSink, @unchecked Sendable {
    private let console: Console
    private let waitEvery: Double
    private let lock = NSLock()
    private var lastWait: [String: Double] = [:]

    public init(console: Console, waitEvery: Double = 15) {
        self.console = console
        self.waitEvery = waitEvery
    }

    public func handle(_ event: ProgressEvent) {
        if case let .waiting(step, _, elapsed) = event {
            let emit: Bool = lock.withLock {
                if let last = lastWait[step], elapsed - last < waitEvery { return false }
                lastWait[step] = elapsed
                return true
            }
            if !emit { return }
        }
        console.err(JSONRenderer.progressLine(event))
    }
}
