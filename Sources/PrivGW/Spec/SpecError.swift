// Compiler-style diagnostics for privgw.yaml.

/// One problem (or warning) in a spec file, located by field path and line.
public struct SpecDiagnostic: Sendable, Codable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable, Equatable {
        case error, warning
    }
    public var severity: Severity
    /// Field path such as `subnets[1]`, `certificate.arn`, `apis[0].basePath`;
    /// `""` for the document as a whole.
    public var field: String
    /// 1-based line in the file, when known.
    public var line: Int?
    /// 1-based column (in Unicode scalars), when known.
    public var column: Int?
    /// What is wrong (without the field path).
    public var message: String
    /// How to fix it.
    public var fix: String

    public init(severity: Severity = .error, field: String, line: Int? = nil, column: Int? = nil,
                message: String, fix: String) {
        self.severity = severity
        self.field = field
        self.line = line
        self.column = column
        self.message = message
        self.fix = fix
    }

    /// `file:LINE: error: field: message\n  fix: ...`
    public func rendered(file: String) -> String {
        var head = file
        if let line { head += ":\(line)" }
        head += ": \(severity.rawValue): "
        if !field.isEmpty { head += "\(field): " }
        head += message
        if !fix.isEmpty { head += "\n  fix: \(fix)" }
        return head
    }

    /// Rendered without a file name (`privgw.yaml` is assumed).
    public var description: String { rendered(file: "privgw.yaml") }
}

/// Thrown by `StackSpec.load`/`parse`: every error found in the spec (not
/// just the first), in file order. The CLI maps it to exit code 2.
public struct SpecError: Error, Sendable, CustomStringConvertible {
    public var file: String
    /// Errors only (severity `.error`), sorted by line.
    public var diagnostics: [SpecDiagnostic]
    /// Warnings found along the way (also rendered, after the errors).
    public var warnings: [SpecDiagnostic]

    public init(file: String, diagnostics: [SpecDiagnostic], warnings: [SpecDiagnostic] = []) {
        self.file = file
        self.diagnostics = diagnostics
        self.warnings = warnings
    }

    public var description: String {
        var lines = diagnostics.map { $0.rendered(file: file) }
        lines += warnings.map { $0.rendered(file: file) }
        let n = diagnostics.count
        lines.append("\(n) error\(n == 1 ? "" : "s") in \(file)")
        return lines.joined(separator: "\n")
    }
}

extension SpecError {
    /// `SpecError.Diagnostic` reads naturally at use sites.
    public typealias Diagnostic = SpecDiagnostic
}

/// A parsed spec plus its warnings (things that are valid but probably not
/// what was meant, e.g. `healthCheck` with design native).
public struct LoadedSpec: Sendable, Equatable {
    public var spec: StackSpec
    public var warnings: [SpecDiagnostic]

    public init(spec: StackSpec, warnings: [SpecDiagnostic] = []) {
        self.spec = spec
        self.warnings = warnings
    }
}
