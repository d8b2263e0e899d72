import Foundation
import Synchronization

/// A fixed team of threads for fork/join inside one decode step.
///
/// A decode step of a small model is a few hundred microseconds split into dozens of parallel
/// pieces; waking a parked thread through the scheduler (Dispatch) costs tens of microseconds
/// each time, more than the pieces themselves. Helpers here spin on an atomic generation
/// counter instead, and fall back to yielding the CPU after ~50 µs without work, so an idle
/// team costs almost nothing to the other processes on the machine.
final class SpinTeam: @unchecked Sendable {
    /// Threads taking part, the caller included.
    let size: Int
    private let generation = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let alive = Atomic<Int>(0)
    // Written by the leader before publishing a generation, read by helpers after seeing it.
    private nonisolated(unsafe) var job: ((Int) -> Void)?

    init(size: Int) {
        self.size = max(1, size)
        for id in 1..<self.size {
            // Helpers hold the team until `stop()`: the owner must call it.
            let t = Thread { self.helper(id) }
            t.stackSize = 1 << 20
            alive.add(1, ordering: .relaxed)
            t.start()
        }
    }

    /// Runs `body(0)` … `body(size − 1)` in parallel and returns when all have finished.
    func run(_ body: (Int) -> Void) {
        if size == 1 { body(0); return }
        withoutActuallyEscaping(body) { body in
            job = body
            finished.store(0, ordering: .relaxed)
            generation.add(1, ordering: .releasing)
            body(0)
            // Spin briefly, then yield: on a busy machine a helper may be waiting for this very
            // core, and spinning would only delay it.
            var spins = 0
            while finished.load(ordering: .acquiring) < size - 1 {
                spins += 1
                if spins < 4_000 { spinPause() } else { sched_yield() }
            }
            job = nil
        }
    }

    private func helper(_ id: Int) {
        var seen = 0, idle = 0
        while !stopping.load(ordering: .relaxed) {
            let g = generation.load(ordering: .acquiring)
            if g != seen {
                seen = g
                job!(id)
                finished.add(1, ordering: .releasing)
                idle = 0
            } else if idle < 20_000 {
                idle += 1
                spinPause()
            } else {
                sched_yield()
                if idle < 40_000 { idle += 1 } else { usleep(100) }
            }
        }
        alive.subtract(1, ordering: .releasing)
    }

    /// Stops the helpers (they exit within ~100 µs); the team must not be used afterwards.
    func stop() {
        stopping.store(true, ordering: .relaxed)
        while alive.load(ordering: .acquiring) > 0 { usleep(50) }
    }
}

/// One spin-loop iteration. An opaque call (Swift has no `pause` intrinsic) keeps the loop from
/// hammering the shared cache line and from being optimised into a tight load loop.
@inline(never) private func spinPause() {}
