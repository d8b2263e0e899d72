import Foundation
import ReckonKernels
import ReckonModel

/// Optimiser hyper-parameters (defaults: the PyTorch reference's).
public struct OptimizerSettings: Sendable, Equatable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.95
    public var eps: Float = 1e-8
    public var weightDecay: Float = 0.1
    /// Gradient-norm clip threshold (≤ 0 disables clipping).
    public var gradClip: Float = 1.0
    public init() {}
}

/// Result of one optimisation step.
public struct StepResult: Sendable {
    /// Mean loss over the batch's target tokens.
    public var loss: Double
    /// Global gradient L2 norm before clipping.
    public var gradNorm: Double
    public var targetTokens: Int
    /// B·T positions processed (padding included).
    public var tokens: Int
}

/// Data-parallel training step on `threads` workers.
///
/// The batch's sequences are split into contiguous slices, one per worker; each worker runs
/// forward and backward on its slice with single-threaded products into its own gradient buffer
/// (no synchronisation inside the pass). Gradients are then reduced in a fixed order, clipped,
/// and AdamW is applied, both parallel over fixed parameter segments. Everything is allocated
/// up front; for a fixed thread count the arithmetic, and so every bit of the result, is fixed.
public final class TrainingEngine {
    public let model: Model
    public let threads: Int
    public let settings: OptimizerSettings
    let workers: [Workspace]
    /// AdamW moments, parameter layout.
    public let m: FloatBuffer
    public let v: FloatBuffer
    /// Optimizer steps taken so far.
    public internal(set) var step: Int = 0

    /// Pieces of the parameter vector (≤ segmentSize floats, never spanning two tensors) that
    /// the reduction and the optimizer work on in parallel.
    let segments: [(offset: Int, count: Int, decays: Bool)]
    let segmentSquares: UnsafeMutablePointer<Double>
    let lossSums: UnsafeMutablePointer<Double>
    static let segmentSize = 32768

    public init(model: Model, maxBatch: Int, maxTokens: Int? = nil, threads: Int, settings: OptimizerSettings = .init()) {
        precondition(threads >= 1 && maxBatch >= 1)
        self.model = model
        self.threads = threads
        self.settings = settings
        let perWorker = (maxBatch + threads - 1) / threads
        workers = (0..<threads).map { _ in model.makeWorkspace(maxBatch: perWorker, maxTokens: maxTokens) }
        m = FloatBuffer(count: model.parameterCount)
        v = FloatBuffer(count: model.parameterCount)
        var segs: [(Int, Int, Bool)] = []
        for t in model.layout.tensors {
            var off = 0
            while off < t.count {
                let n = min(Self.segmentSize, t.count - off)
                segs.append((t.offset + off, n, t.decays))
                off += n
            }
        }
        segments = segs
        segmentSquares = .allocate(capacity: segs.count)
        lossSums = .allocate(capacity: threads)
        // Dispatch does the parallelism; OpenBLAS threads on top would oversubscribe the cores.
        BLASThreads.set(1)
    }

    deinit { segmentSquares.deallocate(); lossSums.deallocate() }

    /// Bytes of activations and gradients across workers, plus the moments.
    public var workspaceBytes: Int { workers.reduce(0) { $0 + $1.byteCount } + 2 * m.count * 4 }

    /// Mean loss of the batch under the current parameters, and gradients in worker 0's buffer
    /// (reduced over all workers). Does not update parameters.
    @discardableResult
    public func computeGradients(_ batch: TokenBatch) -> (loss: Double, count: Int) {
        let B = batch.batch, T = batch.tokens
        let count = batch.targetCount
        let scale = count > 0 ? Float(1) / Float(count) : 0
        let W = min(threads, B)
        let lossSums = self.lossSums
        let run: (Int) -> Void = { w in
            let ws = self.workers[w]
            ws.grads.zero()
            let b0 = w * B / W, b1 = (w + 1) * B / W
            let n = b1 - b0
            guard n > 0 else { lossSums[w] = 0; return }
            let tok = UnsafePointer(batch.inputs + b0 * T), tgt = UnsafePointer(batch.targets + b0 * T)
            self.model.forward(ws, tokens: tok, batch: n, tokens: T)
            lossSums[w] = self.model.loss(ws, targets: tgt, batch: n, tokens: T, gradScale: scale)
            self.model.backward(ws, tokens: tok, batch: n, tokens: T)
        }
        if W == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: W, execute: run) }
        var loss = 0.0
        for w in 0..<W { loss += lossSums[w] }
        reduceGradients(workers: W)
        return (count > 0 ? loss / Double(count) : 0, count)
    }

    /// Worker 0's gradient buffer (valid after `computeGradients`).
    public var gradients: FloatBuffer { workers[0].grads }

    /// grads₀ += grads₁ + … in worker order, segment-parallel; also Σg² per segment.
    func reduceGradients(workers W: Int) {
        let g0 = workers[0].grads.pointer
        let body: (Int) -> Void = { s in
            let seg = self.segments[s]
            for w in 1..<max(W, 1) {
                addInPlace(g0 + seg.offset, self.workers[w].grads.pointer + seg.offset, count: seg.count)
            }
            self.segmentSquares[s] = sumOfSquares(g0 + seg.offset, count: seg.count)
        }
        parallelSegments(body)
    }

    /// Runs body over all segments, split into `threads` contiguous ranges.
    @inline(__always)
    func parallelSegments(_ body: (Int) -> Void) {
        let n = segments.count
        if threads == 1 { for s in 0..<n { body(s) }; return }
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for s in (t * n / threads)..<((t + 1) * n / threads) { body(s) }
        }
    }

    /// Global gradient norm of the last `computeGradients` (fixed summation order).
    public var gradientNorm: Double {
        var total = 0.0
        for s in 0..<segments.count { total += segmentSquares[s] }
        return total.squareRoot()
    }

    /// Clips by global norm and applies one AdamW update with learning rate `lr`.
    public func applyUpdate(learningRate lr: Float) {
        step += 1
        let norm = gradientNorm
        var clip: Float = 1
        if settings.gradClip > 0 { clip = min(1, settings.gradClip / Float(norm + 1e-6)) }
        let g = UnsafePointer(workers[0].grads.pointer), p = model.parameters.pointer
        let st = settings, stepNo = step
        parallelSegments { s in
            let seg = self.segments[s]
            let h = AdamWStep(learningRate: lr, beta1: st.beta1, beta2: st.beta2, eps: st.eps,
                              weightDecay: seg.decays ? st.weightDecay : 0, step: stepNo, gradScale: clip)
            adamwUpdate(params: p + seg.offset, grads: g + seg.offset, m: self.m.pointer + seg.offset,
                        v: self.v.pointer + seg.offset, count: seg.count, h)
        }
    }

    /// Forward, backward, clip and update. A non-finite loss or gradient norm skips the update
    /// (parameters stay as they were) and is reported in the result for the caller to act on.
    public func trainStep(_ batch: TokenBatch, learningRate: Float) -> StepResult {
        let (loss, count) = computeGradients(batch)
        let norm = gradientNorm
        if loss.isFinite && norm.isFinite { applyUpdate(learningRate: learningRate) }
        return StepResult(loss: norm.isFinite ? loss : .nan, gradNorm: norm, targetTokens: count, tokens: batch.batch * batch.tokens)
    }

    /// Restores moments and step count from a checkpoint's optimizer state.
    public func restore(_ state: OptimizerState) {
        m.copy(from: state.m); v.copy(from: state.v); step = state.step
    }
}
