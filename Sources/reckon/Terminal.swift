import ArgumentParser
import Foundation
import ReckonEvaluation

/// A failure while running a command (as opposed to a malformed command line, which
/// ArgumentParser reports with usage): printed as `Error: …`, exit code 1.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Small terminal helpers shared by the subcommands.
enum Terminal {
    static let isInteractive = isatty(STDERR_FILENO) == 1

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// A one-line progress bar on stderr: `[#####.....]  52% 2.6M/5.0M  410k/s  ETA 6s`.
    struct ProgressBar {
        let total: Int
        let label: String
        let start = Date()
        var lastDraw = Date.distantPast

        init(total: Int, label: String) { self.total = total; self.label = label }

        mutating func update(_ done: Int, force: Bool = false, extra: String = "") {
            guard Terminal.isInteractive else { return }
            let now = Date()
            guard force || now.timeIntervalSince(lastDraw) > 0.2 else { return }
            lastDraw = now
            let elapsed = max(now.timeIntervalSince(start), 1e-6)
            let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
            let width = 24, filled = Int(fraction * Double(width))
            let rate = Double(done) / elapsed
            let eta = rate > 0 ? Double(total - done) / rate : 0
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            let line = "\r\(label) [\(bar)] \(String(format: "%3.0f", fraction * 100))% \(Self.short(done))/\(Self.short(total))  \(Self.short(Int(rate)))/s  ETA \(Self.duration(eta))\(extra)  "
            FileHandle.standardError.write(Data(line.utf8))
        }

        func finish() {
            guard Terminal.isInteractive else { return }
            FileHandle.standardError.write(Data("\n".utf8))
        }

        static func short(_ n: Int) -> String {
            if n >= 10_000_000 { return String(format: "%.0fM", Double(n) / 1e6) }
            if n >= 1_000_000 { return String(format: "%.1fM", Double(n) / 1e6) }
            if n >= 10_000 { return String(format: "%.0fk", Double(n) / 1e3) }
            return String(n)
        }

        static func duration(_ seconds: Double) -> String {
            let s = Int(seconds.rounded())
            if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m" }
            if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
            return "\(s)s"
        }
    }
}

extension Terminal {
    /// The bars of a `Solver` run: `label` while chains are decoded, then `check` while their
    /// subtraction checks run (a few times as long as decoding).
    struct SolveProgressBars {
        private var decoding: ProgressBar
        private var checking: ProgressBar? = nil

        init(chains: Int, label: String) { decoding = ProgressBar(total: chains, label: label) }

        mutating func update(_ progress: SolveProgress) {
            switch progress {
            case .decoded(let done):
                decoding.update(done)
            case .checked(let done, let total):
                if checking == nil {
                    decoding.update(decoding.total, force: true)
                    decoding.finish()
                    checking = ProgressBar(total: total, label: "check")
                }
                checking!.update(done, force: done == total)
            }
        }

        func finish() {
            if let checking { checking.finish() } else { decoding.finish() }
        }
    }
}

/// A file written under a temporary name and renamed into place only when complete, so a
/// reader never sees half a file and a failed run leaves the old file untouched.
final class AtomicFileWriter {
    let destination: URL
    let temporary: URL
    private let handle: FileHandle

    init(path: String) throws {
        destination = URL(fileURLWithPath: path)
        let directory = destination.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandError("cannot write '\(path)': directory '\(directory.path)' does not exist")
        }
        temporary = directory.appendingPathComponent(".\(destination.lastPathComponent).tmp-\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: temporary) else {
            throw CommandError("cannot write '\(path)': permission denied or read-only location")
        }
        self.handle = handle
        AtomicFileWriter.pending = strdup(temporary.path)
    }

    /// Writes `bytes` straight to the file (callers hand over large pieces; no extra buffering).
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(handle.fileDescriptor, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CommandError("cannot write '\(destination.path)': \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }

    /// Flushes, syncs and renames into place.
    func commit() throws {
        try handle.synchronize()
        try handle.close()
        if rename(temporary.path, destination.path) != 0 {
            throw CommandError("cannot move the finished file to '\(destination.path)': \(String(cString: strerror(errno)))")
        }
        AtomicFileWriter.clearPending()
    }

    /// Deletes the temporary file (after an error).
    func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(at: temporary)
        AtomicFileWriter.clearPending()
    }

    /// The temporary file being written, removed if the process is interrupted.
    /// (A C string, so the signal handler needs no allocation.)
    nonisolated(unsafe) static var pending: UnsafeMutablePointer<CChar>?

    private static func clearPending() {
        free(pending)
        pending = nil
    }

    /// On Ctrl-C or SIGTERM, remove the temporary file and exit 130.
    static func removePendingOnInterrupt() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in
                if let path = AtomicFileWriter.pending { unlink(path) }
                _exit(130)
            }
        }
    }
}
