// Syntax checks for the values in privgw.yaml (no AWS calls).
// Hand-written character checks rather than Regex: cheap and Sendable.

enum SpecFormat {
    static let maxNameLength = 28
    static let maxTags = 40

    static func isLowerHex(_ s: Substring) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    static func isLowerAlnum(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("0"..."9").contains(c)
    }

    /// `prefix-` + 8 or 17 lowercase hex digits (vpc-, subnet-, sg-, vpce-).
    static func isResourceId(_ s: String, prefix: String) -> Bool {
        guard s.hasPrefix(prefix + "-") else { return false }
        let hex = s.dropFirst(prefix.count + 1)
        return (hex.count == 8 || hex.count == 17) && isLowerHex(hex)
    }

    /// Why `s` is not a `prefix-<hex>` id, phrased for a message.
    static func resourceIdProblem(_ s: String, prefix: String) -> String {
        if s.lowercased() != s, isResourceId(s.lowercased(), prefix: prefix) {
            return "'\(s)' must be lowercase"
        }
        if !s.hasPrefix(prefix + "-") {
            return "'\(s)' is not a \(prefix)- id"
        }
        return "'\(s)' is not a valid \(prefix)- id (expected \(prefix)- followed by 8 or 17 hex digits)"
    }

    /// ^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$
    static func isRegion(_ s: String) -> Bool {
        var parts = s.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 || parts.count == 4 else { return false }
        func letters(_ p: String) -> Bool { !p.isEmpty && p.unicodeScalars.allSatisfy { ("a"..."z").contains($0) } }
        guard parts[0].count == 2, letters(parts[0]) else { return false }
        let last = parts.removeLast()
        guard last.count == 1, last.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else { return false }
        guard letters(parts[parts.count - 1]) else { return false }
        if parts.count == 3 {
            let mid = parts[1]
            guard mid == "gov" || mid == "iso" || (mid.count == 4 && mid.hasPrefix("iso") && letters(mid)) else {
                return false
            }
        }
        return true
    }

    /// ^[A-Z0-9]{2,32}$ — AWS's ids start with Z, but Route 53 does not promise it (moto's often don't), so any
    /// upper-case alphanumeric id of that length is accepted.
    static func isHostedZoneId(_ s: String) -> Bool {
        s.count >= 2 && s.count <= 32
            && s.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    static func hostedZoneIdFix(_ s: String, example: String) -> String {
        if s.hasPrefix("/hostedzone/") {
            let bare = String(s.dropFirst("/hostedzone/".count))
            if isHostedZoneId(bare) { return "write only the id: \(bare)" }
        }
        if isHostedZoneId(s.uppercased()) { return "write it in uppercase: \(s.uppercased())" }
        return "write a Route 53 hosted zone id like \(example) (see `aws route53 list-hosted-zones`)"
    }

    /// The region of an ACM certificate ARN, or nil when `s` is not one.
    /// ^arn:aws(-cn|-us-gov)?:acm:<region>:\d{12}:certificate/[0-9a-f-]{36}$
    static func acmArnRegion(_ s: String) -> String? {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "arn",
              ["aws", "aws-cn", "aws-us-gov"].contains(parts[1]),
              parts[2] == "acm", isRegion(parts[3]),
              parts[4].count == 12, parts[4].unicodeScalars.allSatisfy({ ("0"..."9").contains($0) })
        else { return nil }
        let resource = parts[5]
        guard resource.hasPrefix("certificate/") else { return nil }
        let uuid = resource.dropFirst("certificate/".count)
        guard uuid.count == 36,
              uuid.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) || $0 == "-" })
        else { return nil }
        return parts[3]
    }

    /// ^[a-z0-9]{10}$ (the demo id is checked by the caller).
    static func isRestApiId(_ s: String) -> Bool {
        s.unicodeScalars.count == 10 && s.unicodeScalars.allSatisfy(isLowerAlnum)
    }

    /// [A-Za-z0-9_-]+, at most 128.
    static func isStage(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.count <= 128 && s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
    }

    /// One base path segment as API Gateway accepts it: [a-zA-Z0-9$_.+!*'()-]+.
    static func isBasePathSegment(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.count <= 128 && s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "$_.+!*'()-".unicodeScalars.contains($0)
        }
    }

    /// Why `s` is not a usable DNS name for a custom domain or zone, or nil.
    /// Returns (problem, fix).
    static func dnsNameProblem(_ s: String, allowSingleLabel: Bool = false) -> (String, String)? {
        if s.isEmpty { return ("is empty", "write a DNS name such as api.example.com") }
        if s.contains("://") || s.contains("/") {
            let host = s.components(separatedBy: "://").last?.split(separator: "/").first.map(String.init) ?? s
            return ("'\(s)' looks like a URL, not a DNS name", "write only the host name, e.g. \(host.lowercased())")
        }
        if s.contains("*") {
            return ("'\(s)': wildcard names are not supported",
                    "name each host explicitly (use `domains: [a.example.com, b.example.com]` for several)")
        }
        if s.hasSuffix(".") {
            return ("'\(s)' has a trailing dot", "write it without the dot: \(s.dropLast())")
        }
        if s.lowercased() != s {
            return ("'\(s)' must be lowercase", "write it in lowercase: \(s.lowercased())")
        }
        if s.utf8.count > 253 {
            return ("'\(s)' is longer than 253 characters", "use a shorter DNS name")
        }
        let labels = s.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count < 2 && !allowSingleLabel {
            return ("'\(s)' is not a fully qualified DNS name", "write the full name, e.g. \(s).example.com")
        }
        for label in labels {
            if label.isEmpty { return ("'\(s)' has an empty label (two dots in a row?)", "remove the extra dot") }
            if label.utf8.count > 63 {
                return ("'\(s)': label '\(label.prefix(20))…' is longer than 63 characters", "shorten that label")
            }
            if !label.unicodeScalars.allSatisfy({ isLowerAlnum($0) || $0 == "-" }) {
                return ("'\(s)': label '\(label)' may only hold a-z, 0-9 and '-'",
                        "use letters, digits and hyphens only (punycode for international names)")
            }
            if label.hasPrefix("-") || label.hasSuffix("-") {
                return ("'\(s)': label '\(label)' starts or ends with '-'", "remove the leading/trailing hyphen")
            }
        }
        return nil
    }

    /// `domain` is `zone` or below it.
    static func isInside(_ domain: String, zone: String) -> Bool {
        domain == zone || domain.hasSuffix("." + zone)
    }

    /// Checks an ELBv2 matcher (codes 200-499, `a,b` and `a-b`).
    /// `codes` must already be without spaces. Returns a problem or nil.
    static func healthCodesProblem(_ codes: String) -> String? {
        if codes.isEmpty { return "is empty" }
        func code(_ p: Substring) -> Int? {
            guard p.count == 3, p.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(p) else { return nil }
            return n
        }
        for part in codes.split(separator: ",", omittingEmptySubsequences: false) {
            if part.isEmpty { return "'\(codes)' has an empty entry (two commas in a row?)" }
            let ends = part.split(separator: "-", omittingEmptySubsequences: false)
            if ends.count == 1 {
                guard let n = code(part) else { return "'\(part)' is not an HTTP status code" }
                if n < 200 || n > 499 { return "code \(n) is outside 200-499" }
            } else if ends.count == 2 {
                guard let a = code(ends[0]), let b = code(ends[1]) else {
                    return "'\(part)' is not a range of HTTP status codes"
                }
                if a < 200 || b > 499 { return "range \(part) goes outside 200-499" }
                if a >= b { return "range \(part) is empty or reversed" }
            } else {
                return "'\(part)' is not a code or a range"
            }
        }
        return nil
    }

    /// AWS tag characters: letters, digits, white space and _ . : / = + - @
    static func isTagText(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { c in
            c.properties.isAlphabetic || c.properties.numericType != nil || c.properties.isWhitespace
                || "_.:/=+-@".unicodeScalars.contains(c)
        }
    }

    /// A name that satisfies the stack-name rules, derived from `s`.
    static func suggestedName(from s: String) -> String {
        var out = ""
        for c in s.lowercased().unicodeScalars {
            if isLowerAlnum(c) { out.unicodeScalars.append(c) } else if !out.hasSuffix("-") { out += "-" }
        }
        while let f = out.unicodeScalars.first, !("a"..."z").contains(f) { out.unicodeScalars.removeFirst() }
        out = String(out.prefix(maxNameLength))
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "orders" : out
    }
}

/// Closest-match suggestions for misspelled keys and values.
enum SpecSuggest {
    /// Optimal string alignment distance (Levenshtein + adjacent transposition), case-insensitive.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased().unicodeScalars), y = Array(b.lowercased().unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }

    /// The candidate closest to `word`, if close enough to be a likely typo.
    static func closest(_ word: String, in candidates: [String]) -> String? {
        // Ignore case and separators first: vpc_endpoint, VPCEndpoint, health-check.
        func squash(_ s: String) -> String { s.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " } }
        if word.unicodeScalars.count > 64 { return nil }
        if let exact = candidates.first(where: { squash($0) == squash(word) }) { return exact }
        var best: (String, Int)?
        for c in candidates {
            let d = distance(word, c)
            let limit = max(1, min(3, c.count / 4 + 1))
            if d <= limit, best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }
}
