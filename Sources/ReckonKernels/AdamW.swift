import Foundation

/// Hyper-parameters of one AdamW update (PyTorch's `torch.optim.AdamW` semantics).
public struct AdamWStep: Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var eps: Float
    public var weightDecay: Float
    /// 1-based step number, for bias correction.
    public var step: Int
    /// Multiplier applied to gradients first (gradient-norm clipping folds in here).
    public var gradScale: Float

    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.95, eps: Float = 1e-8,
                weightDecay: Float, step: Int, gradScale: Float = 1) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps
        self.weightDecay = weightDecay; self.step = step; self.gradScale = gradScale
    }
}

/// AdamW with decoupled weight decay, elementwise over n floats:
///
///     p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
///     p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε)
public func adamwUpdate(params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>,
                        m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                        count n: Int, _ h: AdamWStep) {
    let bc1 = 1 - Foundation.pow(Double(h.beta1), Double(h.step))
    let bc2 = 1 - Foundation.pow(Double(h.beta2), Double(h.step))
    let stepSize = Float(Double(h.learningRate) / bc1)
    let invSqrtBc2 = Float(1 / bc2.squareRoot())
    let decay = 1 - h.learningRate * h.weightDecay
    let b1 = h.beta1, b2 = h.beta2, eps = h.eps, gs = h.gradScale
    var i = 0
    while i + 16 <= n {
        let g = loadV16(grads + i) * gs
        let mi = loadV16(m + i) * b1 + g * (1 - b1)
        let vi = loadV16(v + i) * b2 + g * g * (1 - b2)
        storeV16(mi, m + i); storeV16(vi, v + i)
        let denom = vi.squareRoot() * invSqrtBc2 + eps
        storeV16(loadV16(params + i) * decay - stepSize * mi / denom, params + i)
        i += 16
    }
    while i < n {
        let g = grads[i] * gs
        let mi = m[i] * b1 + g * (1 - b1)
        let vi = v[i] * b2 + g * g * (1 - b2)
        m[i] = mi; v[i] = vi
        params[i] = params[i] * decay - stepSize * mi / (vi.squareRoot() * invSqrtBc2 + eps)
        i += 1
    }
}
