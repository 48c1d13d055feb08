// Output format and ANSI colour for the CLI: colour only on a terminal, never with NO_COLOR, --no-color or JSON.
import Foundation

/// `--output text|json`.
public enum OutputFormat: String, Sendable, CaseIterable, Equatable {
    case text, json
}

/// Wraps text in ANSI colours when enabled, and returns it unchanged otherwise, so renderers need no branches.
public struct TextStyle: Sendable, Equatable {
    public var colors: Bool

    public init(colors: Bool) { self.colors = colors }

    public static let plain = TextStyle(colors: false)
    public static let colored = TextStyle(colors: true)

    /// The colour decision in one place (https://no-color.org: any non-empty NO_COLOR disables colour;
    /// TERM=dumb terminals cannot show it).
    public static func shouldUseColor(format: OutputFormat, noColorFlag: Bool, isTerminal: Bool,
                                      environment: [String: String]) -> Bool {
        guard format == .text, !noColorFlag, isTerminal else { return false }
        if let v = environment["NO_COLOR"], !v.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return true
    }

    private func sgr(_ code: String, _ s: String) -> String {
        colors && !s.isEmpty ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
    }

    public func bold(_ s: String) -> String { sgr("1", s) }
    public func dim(_ s: String) -> String { sgr("2", s) }
    public func red(_ s: String) -> String { sgr("31", s) }
    public func green(_ s: String) -> String { sgr("32", s) }
    public func yellow(_ s: String) -> String { sgr("33", s) }
    public func cyan(_ s: String) -> String { sgr("36", s) }
    public func boldRed(_ s: String) -> String { sgr("1;31", s) }

    /// The plan symbol of an action, coloured by what it does to the resource.
    public func symbol(_ action: PlannedAction) -> String {
        let s = action.symbol
        switch action {
        case .create: return green(s)
        case .change: return yellow(s)
        case .delete: return red(s)
        case .keep, .adopt: return dim(s)
        case .none: return s
        }
    }

    /// Removes ANSI escape sequences (for width computations and tests).
    public static func strip(_ s: String) -> String {
        var out = ""
        var it = s.unicodeScalars.makeIterator()
        while let c = it.next() {
            if c == "\u{1B}" {
                // CSI: ESC [ params final-byte (0x40...0x7E).
                guard let next = it.next(), next == "[" else { continue }
                while let p = it.next(), !(0x40...0x7E).contains(p.value) {}
                continue
            }
            out.unicodeScalars.append(c)
        }
        return out
    }
}

extension PlannedAction {
    /// `+` create, `~` change, `-` delete, `=` keep/adopt, blank for none.
    public var symbol: String {
        switch self {
        case .create: return "+"
        case .change: return "~"
        case .delete: return "-"
        case .keep, .adopt: return "="
        case .none: return " "
        }
    }

    /// Progressive verb for a started step (`creating`).
    public var presentParticiple: String {
        switch self {
        case .create: return "creating"
        case .change: return "updating"
        case .delete: return "deleting"
        case .adopt: return "adopting"
        case .keep: return "checking"
        case .none: return "skipping"
        }
    }

    /// Past verb for a finished step (`created`).
    public var pastTense: String {
        switch self {
        case .create: return "created"
        case .change: return "updated"
        case .delete: return "deleted"
        case .adopt: return "adopted"
        case .keep: return "unchanged"
        case .none: return "skipped"
        }
    }
}
