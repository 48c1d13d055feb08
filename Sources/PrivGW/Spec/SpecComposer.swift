// Turns spec text into a Yams node tree. Yams stops at the first duplicate
// key; to keep collecting errors we locate the later occurrence(s) in the
// text, blank those lines (line numbers stay put), note the duplicate and
// compose again.

import Yams

enum SpecComposer {
    struct Duplicate: Equatable {
        var key: String
        var firstLine: Int
        var firstColumn: Int
        var duplicateLine: Int
    }

    struct Result {
        var root: Yams.Node?
        var duplicates: [Duplicate] = []
        /// YAML syntax errors (then `root` is nil).
        var diagnostics: [SpecDiagnostic] = []
    }

    static let maxRecoveries = 64

    static func compose(_ yaml: String) -> Result {
        // libyaml counts CR LF and a lone CR as one line break each; so do we.
        var text = yaml.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var result = Result()
        for _ in 0..<maxRecoveries {
            do {
                result.root = try Yams.compose(yaml: text)
                return result
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                guard let (newText, found) = removeDuplicates(of: duplicates, near: context.mark, in: text),
                      !found.isEmpty else {
                    let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
                    result.diagnostics.append(SpecDiagnostic(
                        field: duplicates.count == 1 ? duplicates[0] : "", line: context.mark.line,
                        column: context.mark.column,
                        message: "duplicate key \(keys) in the same mapping",
                        fix: "keep one entry per key and delete the others"))
                    return result
                }
                result.duplicates += found
                text = newText
            } catch let error as YamlError {
                result.diagnostics.append(diagnostic(for: error, yaml: text))
                return result
            } catch {
                result.diagnostics.append(SpecDiagnostic(
                    field: "", message: "cannot parse the YAML: \(error)",
                    fix: "check the file's YAML syntax"))
                return result
            }
        }
        result.diagnostics.append(SpecDiagnostic(
            field: "", message: "too many duplicate keys", fix: "keep one entry per key and delete the others"))
        return result
    }

    static func diagnostic(for error: YamlError, yaml: String) -> SpecDiagnostic {
        let syntaxFix = "fix the YAML syntax here: check indentation (spaces, not tabs), the ':' after each key, and closing quotes/brackets"
        func make(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> SpecDiagnostic {
            var message = "invalid YAML: \(problem)"
            if let context, !context.text.isEmpty, context.text.count < 200 {
                message += " (\(context.text) on line \(context.mark.line))"
            }
            if problem.contains("expected a single document") || problem.contains("another document") {
                return SpecDiagnostic(field: "", line: mark.line, column: mark.column,
                                      message: "the file holds more than one YAML document",
                                      fix: "keep one document: remove the `---` line and what follows it, or merge them")
            }
            return SpecDiagnostic(field: "", line: mark.line, column: mark.column, message: message, fix: syntaxFix)
        }
        switch error {
        case let .scanner(context, problem, mark, _):
            return make(context, problem, mark)
        case let .parser(context, problem, mark, _):
            return make(context, problem, mark)
        case let .composer(context, problem, mark, _):
            if problem.contains("another document") {
                return make(context, problem, mark)
            }
            return make(context, problem, mark)
        case let .reader(problem, offset, _, _):
            var line: Int?
            if let offset {
                line = 1 + yaml.prefix(offset).reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
            }
            return SpecDiagnostic(field: "", line: line, message: "unreadable text: \(problem)",
                                  fix: "remove control characters and save the file as UTF-8")
        case let .duplicatedKeysInMapping(duplicates, context):
            return SpecDiagnostic(field: "", line: context.mark.line, column: context.mark.column,
                                  message: "duplicate key \(duplicates.joined(separator: ", "))",
                                  fix: "keep one entry per key and delete the others")
        default:
            return SpecDiagnostic(field: "", message: "cannot parse the YAML: \(error)", fix: syntaxFix)
        }
    }

    // MARK: Duplicate recovery (block mappings only)

    /// Leading spaces.
    static func indent(_ line: Substring) -> Int {
        line.prefix(while: { $0 == " " }).count
    }

    /// Column (0-based) where the first mapping key of the line starts, skipping `- ` sequence markers.
    static func keyColumn(_ line: Substring) -> Int {
        var i = line.startIndex
        var col = 0
        while true {
            while i < line.endIndex, line[i] == " " { i = line.index(after: i); col += 1 }
            if i < line.endIndex, line[i] == "-" {
                let next = line.index(after: i)
                if next == line.endIndex || line[next] == " " {
                    i = next; col += 1
                    continue
                }
            }
            return col
        }
    }

    static func isBlankOrComment(_ line: Substring) -> Bool {
        let t = line.drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" })
        return t.isEmpty || t.hasPrefix("#")
    }

    /// Whether the text at `column` of `line` is the key `key` (plain or quoted) followed by `:`.
    static func isKey(_ key: String, at column: Int, in line: Substring) -> Bool {
        guard keyColumn(line) == column, line.count > column else { return false }
        let rest = line.dropFirst(column)
        for form in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(form) {
            let after = rest.dropFirst(form.count).drop(while: { $0 == " " })
            if after.hasPrefix(":") {
                let tail = after.dropFirst()
                if tail.isEmpty || tail.first == " " || tail.first == "\r" || tail.first == "\t" { return true }
            }
        }
        return false
    }

    /// Blanks every later occurrence of the duplicated keys in the block
    /// mapping whose first key-of-interest is at `mark`. nil if nothing found.
    static func removeDuplicates(of keys: [String], near mark: Mark, in text: String) -> (String, [Duplicate])? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let first = mark.line - 1
        let column = mark.column - 1
        guard first >= 0, first < lines.count, column >= 0 else { return nil }
        // The block: lines around `first` that are indented at least `column` (or blank).
        var start = first
        if indent(lines[first]) >= column {
            while start > 0 {
                let prev = lines[start - 1]
                if isBlankOrComment(prev) || indent(prev) >= column {
                    start -= 1
                } else {
                    if keyColumn(prev) == column { start -= 1 }  // `- key:` line opening the mapping
                    break
                }
            }
        }
        var end = first + 1
        while end < lines.count, isBlankOrComment(lines[end]) || indent(lines[end]) >= column {
            end += 1
        }
        var found: [Duplicate] = []
        for key in keys {
            var firstLine: Int?
            var i = start
            while i < end {
                guard isKey(key, at: column, in: lines[i]), indent(lines[i]) == column || i == start else {
                    i += 1
                    continue
                }
                if let firstLine {
                    found.append(Duplicate(key: key, firstLine: firstLine + 1, firstColumn: column + 1,
                                           duplicateLine: i + 1))
                    lines[i] = ""
                    var j = i + 1
                    while j < end, isBlankOrComment(lines[j]) || indent(lines[j]) > column {
                        lines[j] = ""
                        j += 1
                    }
                    i = j
                } else {
                    firstLine = i
                    i += 1
                }
            }
        }
        guard !found.isEmpty else { return nil }
        return (lines.joined(separator: "\n"), found)
    }

    /// The field path of the mapping key at (line, column), e.g. `apis[1].stage`.
    static func path(ofKeyAt line: Int, column: Int, in root: Yams.Node) -> String? {
        var budget = 100_000
        func walk(_ node: Yams.Node, _ path: String) -> String? {
            budget -= 1
            if budget < 0 { return nil }
            switch node {
            case .mapping(let m):
                for (k, v) in m {
                    let key = k.scalar?.string ?? "?"
                    let p = path.isEmpty ? key : "\(path).\(key)"
                    if let mark = k.mark, mark.line == line, mark.column == column { return p }
                    if let found = walk(v, p) { return found }
                }
            case .sequence(let s):
                for (i, item) in s.enumerated() {
                    if let found = walk(item, "\(path)[\(i)]") { return found }
                }
            default:
                break
            }
            return nil
        }
        return walk(root, "")
    }
}
