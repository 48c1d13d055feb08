// Raw terminal access: TTY checks, width, unbuffered writes to fd 1/2, the y/N prompt, and exiting.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PrivGW

enum Terminal {
    static var stdinIsTTY: Bool { isatty(0) == 1 }
    static var stdoutIsTTY: Bool { isatty(1) == 1 }
    static var stderrIsTTY: Bool { isatty(2) == 1 }

    /// Columns of the terminal on stdout (for the live line): the kernel's idea first, then $COLUMNS, then 80.
    static func width() -> Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
        return 80
    }

    /// Writes all of `text` to `fd`, unbuffered (lines from concurrent steps and the live line must not be
    /// reordered by stdio buffers), retrying short writes and EINTR; gives up quietly on a closed pipe.
    static func write(fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buf in
                #if canImport(Glibc)
                Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
                #else
                Darwin.write(fd, buf.baseAddress! + offset, buf.count - offset)
                #endif
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Asks `question [y/N]` and reads one line from stdin; only `y`/`yes` (any case) is a yes, EOF is a no.
    static func confirm(_ question: String, console: Console, onStderr: Bool) -> Bool {
        let prompt = question + " [y/N] "
        if onStderr { console.errRaw(prompt) } else { console.outRaw(prompt) }
        guard let answer = readLine() else {
            if onStderr { console.err("") } else { console.out("") }
            return false
        }
        let a = answer.trimmingCharacters(in: .whitespaces).lowercased()
        return a == "y" || a == "yes"
    }

    static func exit(_ status: ExitStatus) -> Never { exit(status.rawValue) }

    static func exit(_ code: Int32) -> Never {
        #if canImport(Glibc)
        Glibc.exit(code)
        #else
        Darwin.exit(code)
        #endif
    }
}
