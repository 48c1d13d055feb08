// Serialized stdout/stderr writing with an optional live status line that other output never garbles.
import Foundation

/// All of a command's output goes through one Console, because progress events arrive from concurrently running
/// steps and the live line (carriage-return updated, TTY only) must be cleared before and redrawn after each line.
public final class Console: @unchecked Sendable {
    private let lock = NSLock()
    private let writeOut: @Sendable (String) -> Void
    private let writeErr: @Sendable (String) -> Void
    /// True when stdout is a terminal that may show the live line.
    public let liveEnabled: Bool
    /// Columns of the terminal; the live line is cut to fit so it never wraps (a wrapped line cannot be erased).
    public let width: Int
    private var live: String?

    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void,
                liveEnabled: Bool = false, width: Int = 80) {
        self.writeOut = out
        self.writeErr = err
        self.liveEnabled = liveEnabled
        self.width = max(20, width)
    }

    private static let clearLine = "\r\u{1B}[2K"

    /// Writes `text` and a newline to stdout.
    public func out(_ text: String) { emit(text + "\n", toErr: false) }

    /// Writes `text` and a newline to stderr.
    public func err(_ text: String) { emit(text + "\n", toErr: true) }

    /// Writes `text` to stdout without a newline (a prompt).
    public func outRaw(_ text: String) { emit(text, toErr: false) }

    /// Writes `text` to stderr without a newline (a prompt under `--output json`).
    public func errRaw(_ text: String) { emit(text, toErr: true) }

    /// Shows (or, with nil, removes) the live line. Does nothing unless `liveEnabled`.
    public func setLive(_ text: String?) {
        guard liveEnabled else { return }
        lock.lock(); defer { lock.unlock() }
        let cut = text.map { Self.truncate($0, to: width - 1) }
        if cut == live { return }
        if let cut { writeOut(Self.clearLine + cut) } else if live != nil { writeOut(Self.clearLine) }
        live = cut
    }

    /// Writes lines to stdout and stderr, then shows `live` (nil: none), as one step: the old live line is erased
    /// once and never redrawn in between.
    public func write(out: [String], err: [String] = [], live newLive: String?) {
        lock.lock(); defer { lock.unlock() }
        let cut = liveEnabled ? newLive.map { Self.truncate($0, to: width - 1) } : nil
        if out.isEmpty && err.isEmpty && cut == live { return }
        if live != nil { writeOut(Self.clearLine) }
        if !out.isEmpty { writeOut(out.map { $0 + "\n" }.joined()) }
        if !err.isEmpty { writeErr(err.map { $0 + "\n" }.joined()) }
        if let cut { writeOut(cut) }
        live = cut
    }

    private func emit(_ text: String, toErr: Bool) {
        lock.lock(); defer { lock.unlock() }
        if live != nil { writeOut(Self.clearLine) }
        if toErr { writeErr(text) } else { writeOut(text) }
        if let live { writeOut(live) }
    }

    /// Cuts to `width` visible characters (escape sequences do not count), ending in `…` when cut.
    static func truncate(_ s: String, to width: Int) -> String {
        let visible = TextStyle.strip(s)
        guard visible.count > width else { return s }
        // The live line is built from plain text, so cutting the stripped form loses nothing worth keeping.
        return String(visible.prefix(max(0, width - 1))) + "…"
    }
}
