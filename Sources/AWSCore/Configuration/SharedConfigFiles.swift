// Reads ~/.aws/config and ~/.aws/credentials the way the AWS CLI does: INI sections, profiles, sso-sessions.
import Foundation

/// One INI section: `key = value` pairs (keys lower-cased, as Python's configparser does for the AWS CLI) and
/// nested blocks such as `s3 =\n  max_concurrent_requests = 10`.
public struct ConfigSection: Sendable, Equatable {
    public var values: [String: String]
    public var nested: [String: [String: String]]

    public init(values: [String: String] = [:], nested: [String: [String: String]] = [:]) {
        self.values = values
        self.nested = nested
    }

    /// The value of `key`, nil when absent or empty (the AWS CLI treats `key =` as unset).
    public subscript(key: String) -> String? {
        guard let v = values[key.lowercased()], !v.isEmpty else { return nil }
        return v
    }

    /// Later values win, as when the credentials file is laid over the config file.
    mutating func merge(_ other: ConfigSection) {
        values.merge(other.values) { _, new in new }
        nested.merge(other.nested) { old, new in old.merging(new) { _, n in n } }
    }
}

/// A minimal INI reader tolerant of everything the AWS CLI accepts in its two files.
public enum INIParser {
    /// Parses text into sections by header (the text between the brackets, trimmed).
    ///
    /// Comments are whole lines starting with `#` or `;` (values keep any `#`, since `credential_process`
    /// commands may contain one). An indented line after `key =` with an empty value is a nested `sub = value`;
    /// after a non-empty value it continues that value. A repeated section is merged, later keys winning.
    /// Errors name the file and line number but never quote the line: it may hold a secret key.
    public static func parse(_ text: String, path: String) throws -> [String: ConfigSection] {
        var sections: [String: ConfigSection] = [:]
        var current: String?
        var lastKey: String?
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = String(rawLine)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let indented = line.first == " " || line.first == "\t"
            if !indented, trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]") else {
                    throw malformed(path, line: index + 1, "a section header without ']'")
                }
                let name = trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                current = name
                lastKey = nil
                if sections[name] == nil { sections[name] = ConfigSection() }
                continue
            }
            guard let section = current else {
                throw malformed(path, line: index + 1, "a setting before the first [section]")
            }
            if indented, let key = lastKey {
                let parentValue = sections[section]?.values[key] ?? ""
                if parentValue.isEmpty || sections[section]?.nested[key] != nil {
                    // A nested block (`s3 =` followed by indented settings).
                    guard let (sub, value) = splitKeyValue(trimmed) else {
                        throw malformed(path, line: index + 1, "an indented line that is not 'key = value'")
                    }
                    sections[section]?.nested[key, default: [:]][sub] = value
                } else {
                    sections[section]?.values[key] = parentValue + "\n" + trimmed
                }
                continue
            }
            guard let (key, value) = splitKeyValue(trimmed) else {
                throw malformed(path, line: index + 1, "a line that is neither '[section]' nor 'key = value'")
            }
            sections[section]?.values[key] = value
            lastKey = key
        }
        return sections
    }

    /// Splits at the first `=` or `:` (configparser accepts both); keys are lower-cased and trimmed.
    static func splitKeyValue(_ line: String) -> (String, String)? {
        guard let sep = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }
        let key = line[..<sep].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: sep)...].trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty else { return nil }
        return (key, value)
    }

    private static func malformed(_ path: String, line: Int, _ what: String) -> AWSError {
        AWSError(kind: .configuration, code: "MalformedConfigFile",
                 message: "\(path) line \(line): \(what)",
                 hint: "fix the file (sections look like [profile name], settings like key = value)")
    }
}

/// The two shared files, loaded once per run.
///
/// Profiles: `[default]` and `[profile NAME]` in the config file, `[NAME]` in the credentials file; where both
/// name a profile their settings are merged with the credentials file winning (as botocore does).
public struct SharedConfigFiles: Sendable {
    public var configPath: String
    public var credentialsPath: String
    /// Profiles from the config file, by name.
    public var configProfiles: [String: ConfigSection]
    /// Profiles from the credentials file, by name.
    public var credentialProfiles: [String: ConfigSection]
    /// `[sso-session NAME]` sections.
    public var ssoSessions: [String: ConfigSection]
    /// `[services NAME]` sections (kept, not yet used: per-service endpoint_url lives there).
    public var services: [String: ConfigSection]

    public init(configPath: String = "", credentialsPath: String = "", configProfiles: [String: ConfigSection] = [:],
                credentialProfiles: [String: ConfigSection] = [:], ssoSessions: [String: ConfigSection] = [:],
                services: [String: ConfigSection] = [:]) {
        self.configPath = configPath
        self.credentialsPath = credentialsPath
        self.configProfiles = configProfiles
        self.credentialProfiles = credentialProfiles
        self.ssoSessions = ssoSessions
        self.services = services
    }

    /// Reads the files named by `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/config`,
    /// `~/.aws/credentials`). A missing file is empty; an unreadable or malformed one is an error.
    public static func load(environment: [String: String]) throws -> SharedConfigFiles {
        let configPath = expandHome(nonEmpty(environment["AWS_CONFIG_FILE"]) ?? "~/.aws/config", environment: environment)
        let credentialsPath = expandHome(nonEmpty(environment["AWS_SHARED_CREDENTIALS_FILE"]) ?? "~/.aws/credentials",
                                         environment: environment)
        return try parse(config: try read(configPath), configPath: configPath,
                         credentials: try read(credentialsPath), credentialsPath: credentialsPath)
    }

    /// Builds from file contents (tests, or callers with their own I/O).
    public static func parse(config: String, configPath: String = "config", credentials: String,
                             credentialsPath: String = "credentials") throws -> SharedConfigFiles {
        var files = SharedConfigFiles(configPath: configPath, credentialsPath: credentialsPath)
        var plainDefault: ConfigSection?
        var explicitDefault: ConfigSection?
        for (header, section) in try INIParser.parse(config, path: configPath) {
            let words = header.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if header == "default" {
                plainDefault = section
            } else if words.count == 2, words[0] == "profile" {
                if words[1] == "default" { explicitDefault = section } else { files.configProfiles[words[1]] = section }
            } else if words.count == 2, words[0] == "sso-session" {
                files.ssoSessions[words[1]] = section
            } else if words.count == 2, words[0] == "services" {
                files.services[words[1]] = section
            }
            // Any other header in the config file (e.g. `[dev]` without `profile`) is ignored, as the CLI does.
        }
        // `[profile default]` wins over `[default]` when both exist, as in botocore.
        if plainDefault != nil || explicitDefault != nil {
            var merged = plainDefault ?? ConfigSection()
            if let explicitDefault { merged.merge(explicitDefault) }
            files.configProfiles["default"] = merged
        }
        files.credentialProfiles = try INIParser.parse(credentials, path: credentialsPath)
        return files
    }

    /// True when either file has a section for `name`.
    public func hasProfile(_ name: String) -> Bool {
        configProfiles[name] != nil || credentialProfiles[name] != nil
    }

    /// All settings of a profile: the config file's, overlaid with the credentials file's.
    public func profile(_ name: String) -> ConfigSection? {
        guard hasProfile(name) else { return nil }
        var merged = configProfiles[name] ?? ConfigSection()
        if let creds = credentialProfiles[name] { merged.merge(creds) }
        return merged
    }

    /// Names of all profiles in either file, sorted (for "did you mean" style errors).
    public var profileNames: [String] {
        Array(Set(configProfiles.keys).union(credentialProfiles.keys)).sorted()
    }

    static func read(_ path: String) throws -> String {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { return "" }
        if isDirectory.boolValue {
            throw AWSError(kind: .configuration, code: "UnreadableConfigFile", message: "\(path) is a directory")
        }
        // FileManager cannot read character devices such as /dev/null (a common way to say "no config file").
        guard let data = fm.contents(atPath: path) ?? FileHandle(forReadingAtPath: path)?.readDataToEndOfFile() else {
            throw AWSError(kind: .configuration, code: "UnreadableConfigFile", message: "cannot read \(path)",
                           hint: "check the file's permissions")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Expands a leading `~` with `HOME` from the given environment (so tests can point it elsewhere).
    public static func expandHome(_ path: String, environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        let home = nonEmpty(environment["HOME"]) ?? NSHomeDirectory()
        return home + path.dropFirst()
    }
}

func nonEmpty(_ s: String?) -> String? {
    guard let s, !s.isEmpty else { return nil }
    return s
}
