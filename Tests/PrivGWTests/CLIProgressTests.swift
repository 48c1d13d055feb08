// Progress while `up`/`down` run: start/end lines with durations, waiting lines, the live TTY line, colour rules.
import Foundation
import XCTest
@testable import PrivGW

/// Collects what a Console writes.
final class CLICapture: @unchecked Sendable {
    private let lock = NSLock()
    private var outText = ""
    private var errText = ""
    var out: String { lock.withLock { outText } }
    var err: String { lock.withLock { errText } }

    func console(live: Bool = false, width: Int = 80) -> Console {
        Console(out: { s in self.lock.withLock { self.outText += s } },
                err: { s in self.lock.withLock { self.errText += s } }, liveEnabled: live, width: width)
    }
}

/// A settable clock for durations and elapsed times.
final class CLIClock: @unchecked Sendable {
    private let lock = NSLock()
    private var t: Double = 1000
    var now: Double { lock.withLock { t } }
    func advance(_ s: Double) { lock.withLock { t += s } }
}

final class CLIProgressTests: XCTestCase {
    func testStartAndFinishLinesAlignWithThePlan() {
        let capture = CLICapture(), clock = CLIClock()
        let progress = TextProgress(console: capture.console(), renderer: TextRenderer(), plan: CLIFixtures.plan, now: { clock.now })
        progress.handle(.stepStarted(step: "network", action: .adopt, phase: .apply))
        progress.handle(.stepFinished(step: "network", action: .adopt, phase: .apply, duration: 0.1, record: nil))
        progress.handle(.stepStarted(step: "alb", action: .create, phase: .apply))
        progress.handle(.stepFinished(step: "alb", action: .create, phase: .apply, duration: 3.24, record: nil))
        progress.handle(.stepStarted(step: "private-zone", action: .keep, phase: .apply))
        progress.handle(.stepFinished(step: "private-zone", action: .keep, phase: .apply, duration: 0, record: nil))
        XCTAssertEqual(capture.out, """
          = network       vpc                  adopted
          + alb           load balancer        creating…
          + alb           load balancer        created in 3.2s

        """, "keep steps are silent; adopt reports without a duration")
    }

    func testFailuresRollbackAndWarnings() {
        let capture = CLICapture(), clock = CLIClock()
        let progress = TextProgress(console: capture.console(), renderer: TextRenderer(), plan: CLIFixtures.plan, now: { clock.now })
        progress.handle(.stepStarted(step: "alb", action: .create, phase: .apply))
        clock.advance(2)
        progress.handle(.stepFailed(step: "alb", action: .create, phase: .apply, error: CLIFixtures.awsFailure))
        progress.handle(.rollbackStarted(steps: ["alb-sg"]))
        progress.handle(.stepFinished(step: "alb-sg", action: .delete, phase: .rollback, duration: 1, record: nil))
        progress.handle(.warning(step: "listener", message: "listener differs"))
        XCTAssertTrue(capture.out.contains("  ! alb           load balancer        create failed after 2.0s: TooManyLoadBalancers\n"), capture.out)
        XCTAssertTrue(capture.out.contains("Rolling back 1 resource created by this run…\n"), capture.out)
        XCTAssertTrue(capture.out.contains("  - alb-sg        security group       rolled back in 1.0s\n"), capture.out)
        XCTAssertEqual(capture.err, "warning: listener: listener differs\n", "warnings go to stderr")
    }

    func testInterruptedStepIsNotReportedAsAFailure() {
        let capture = CLICapture(), clock = CLIClock()
        let progress = TextProgress(console: capture.console(), renderer: TextRenderer(), plan: CLIFixtures.plan, now: { clock.now })
        progress.handle(.stepStarted(step: "alb", action: .create, phase: .apply))
        progress.handle(.stepFailed(step: "alb", action: .create, phase: .apply,
                                    error: StepError(step: "alb", kind: "load balancer", operation: .create, underlying: InterruptedError())))
        XCTAssertTrue(capture.out.contains("interrupted after 0.0s"), capture.out)
        XCTAssertFalse(capture.out.contains("failed"), capture.out)
    }

    func testPlainWaitingLinesAreThinnedOut() {
        let capture = CLICapture()
        let progress = TextProgress(console: capture.console(live: false), renderer: TextRenderer(), plan: CLIFixtures.plan,
                                    plainWaitEvery: 30)
        progress.handle(.stepStarted(step: "alb", action: .create, phase: .apply))
        for elapsed in stride(from: 0.0, through: 65, by: 5) {
            progress.handle(.waiting(step: "alb", message: "load balancer provisioning", elapsed: elapsed))
        }
        let waits = capture.out.components(separatedBy: "\n").filter { $0.contains("waiting:") }
        XCTAssertEqual(waits, [
            "  … alb           load balancer        waiting: load balancer provisioning (0.0s)",
            "  … alb           load balancer        waiting: load balancer provisioning (30.0s)",
            "  … alb           load balancer        waiting: load balancer provisioning (1m00s)",
        ])
    }

    func testLiveLineOnATerminalIsClearedBeforeOtherOutput() {
        let capture = CLICapture(), clock = CLIClock()
        let console = capture.console(live: true, width: 200)
        let progress = TextProgress(console: console, renderer: TextRenderer(), plan: CLIFixtures.plan, now: { clock.now })
        progress.handle(.stepStarted(step: "alb", action: .create, phase: .apply))
        clock.advance(42)
        progress.handle(.waiting(step: "alb", message: "load balancer provisioning", elapsed: 42))
        XCTAssertTrue(capture.out.hasSuffix("\r\u{1B}[2K⠋ alb: load balancer provisioning 42s"), capture.out.debugDescription)
        XCTAssertFalse(capture.out.contains("waiting:"), "no plain waiting lines on a terminal")
        clock.advance(1)
        progress.tick()
        XCTAssertTrue(capture.out.hasSuffix("\r\u{1B}[2K⠙ alb: load balancer provisioning 43s"), capture.out.debugDescription)
        progress.handle(.stepFinished(step: "alb", action: .create, phase: .apply, duration: 43, record: nil))
        XCTAssertTrue(capture.out.hasSuffix("\r\u{1B}[2K  + alb           load balancer        created in 43.0s\n"),
                      "the line replaces the live line, and no live line is left: \(capture.out.debugDescription)")
    }

    func testLiveLineNeverWraps() {
        let capture = CLICapture()
        let console = capture.console(live: true, width: 30)
        console.setLive(String(repeating: "x", count: 100))
        XCTAssertEqual(capture.out, "\r\u{1B}[2K" + String(repeating: "x", count: 28) + "…")
    }

    func testQuietProgressOnlyShowsWarningsAndFailures() {
        let capture = CLICapture()
        let progress = TextProgress(console: capture.console(), renderer: TextRenderer(), quiet: true)
        progress.handle(.stepStarted(step: "alb", action: .create, phase: .apply))
        progress.handle(.stepFinished(step: "alb", action: .create, phase: .apply, duration: 1, record: nil))
        progress.handle(.waiting(step: "alb", message: "x", elapsed: 1))
        XCTAssertEqual(capture.out, "")
        progress.handle(.warning(step: nil, message: "journal repaired"))
        XCTAssertEqual(capture.err, "warning: journal repaired\n")
    }

    func testJSONProgressWritesLinesToStderrOnly() throws {
        let capture = CLICapture()
        let progress = JSONProgress(console: capture.console(), waitEvery: 15)
        progress.handle(.stepStarted(step: "alb", action: .create, phase: .apply))
        for elapsed in stride(from: 0.0, through: 20, by: 5) {
            progress.handle(.waiting(step: "alb", message: "provisioning", elapsed: elapsed))
        }
        XCTAssertEqual(capture.out, "", "stdout is reserved for the one JSON document")
        let lines = capture.err.split(separator: "\n")
        XCTAssertEqual(lines.count, 3, "start + waits at 0s and 15s: \(capture.err)")
        for l in lines { XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(l.utf8))) }
    }

    func testColourOnlyOnATerminalWithoutNoColorOrJSON() {
        func color(_ format: OutputFormat = .text, flag: Bool = false, tty: Bool = true, env: [String: String] = [:]) -> Bool {
            TextStyle.shouldUseColor(format: format, noColorFlag: flag, isTerminal: tty, environment: env)
        }
        XCTAssertTrue(color())
        XCTAssertFalse(color(tty: false))
        XCTAssertFalse(color(flag: true))
        XCTAssertFalse(color(.json))
        XCTAssertFalse(color(env: ["NO_COLOR": "1"]))
        XCTAssertTrue(color(env: ["NO_COLOR": ""]), "NO_COLOR counts only when non-empty (no-color.org)")
        XCTAssertFalse(color(env: ["TERM": "dumb"]))
    }

    func testStripRemovesEscapes() {
        XCTAssertEqual(TextStyle.strip(TextStyle.colored.boldRed("error:") + " x"), "error: x")
        XCTAssertEqual(TextStyle.plain.green("+"), "+")
    }
}
