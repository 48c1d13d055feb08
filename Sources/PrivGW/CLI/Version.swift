// privgw's version: one constant (shared with the User-Agent AWSCore sends), printed by `version` and `--version`.
import AWSCore

public enum PrivgwVersion {
    public static let string = AWSCoreVersion.string
    /// `privgw 0.1.0`.
    public static let banner = "privgw \(string)"
}
