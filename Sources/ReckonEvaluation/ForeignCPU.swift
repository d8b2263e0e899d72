import Foundation

/// Share of all CPUs that *other* processes used during a timed window, from /proc (Linux),
/// as the PyTorch reference reports it: a benchmark run with more than a few percent is
/// contaminated and should be repeated. nil where /proc is unavailable.
public struct ForeignCPU: Sendable {
    let start: (time: Double, busy: Double, mine: Double)?

    public init() { start = Self.sample() }

    /// Fraction in [0, 1] since `init`.
    public func fraction() -> Double? {
        guard let s = start, let e = Self.sample() else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let cpus = Double(ProcessInfo.processInfo.activeProcessorCount)
        let capacity = max(e.time - s.time, 1e-9) * ticks * cpus
        return max(0, ((e.busy - s.busy) - (e.mine - s.mine)) / capacity)
    }

    /// (seconds, busy ticks of all CPUs, this process's user+system ticks).
    static func sample() -> (time: Double, busy: Double, mine: Double)? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let cpu = stat.split(separator: "\n").first,
              let me = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = me.lastIndex(of: ")") else { return nil }
        let v = cpu.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 7 else { return nil }
        // user + nice + system + irq + softirq (+ steal): the reference's definition of busy.
        let busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v.count > 7 ? v[7] : 0)
        let fields = me[me.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let u = Double(fields[11]), let s = Double(fields[12]) else { return nil }
        return (Double(DispatchTime.now().uptimeNanoseconds) / 1e9, busy, u + s)
    }
}
