// Small patterns several steps share: deleting a resource AWS releases with a lag, and reading "maybe gone" resources.
import AWSCore
import Foundation

extension StepContext {
    /// Calls `delete` until it succeeds, retrying while AWS answers one of `inUseCodes` (a dependent resource, such as
    /// an ALB's network interface or a listener, releases this one only a while after its own deletion).
    /// Not found counts as deleted.
    func deleteWhenReleased(what: String, inUseCodes: Set<String>, schedule: PollSchedule, hint: String? = nil,
                            delete: () async throws -> Void) async throws {
        try await poll(what: what, schedule: schedule, hint: hint) {
            do {
                try await delete()
                return true
            } catch let e as AWSError where inUseCodes.contains(e.code) {
                return false
            } catch let e as AWSError where e.isNotFound {
                return true
            }
        }
    }
}

/// Runs a read that may answer "not found", returning nil in that case.
func orNilIfNotFound<T>(_ read: () async throws -> T?) async throws -> T? {
    do {
        return try await read()
    } catch let e as AWSError where e.isNotFound {
        return nil
    }
}
