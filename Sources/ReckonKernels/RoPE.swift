import Foundation

/// Rotary position embedding tables and rotations (rotate-half layout, as in GPT-NeoX/LLaMA):
/// within each head the pair (i, i + hd/2) at position t is rotated by t·base^(−2i/hd).
public struct RoPETable: @unchecked Sendable {
    public let headDim: Int
    public let maxTokens: Int
    /// cos, sin: (maxTokens, headDim/2)
    public let cos: FloatBuffer
    public let sin: FloatBuffer

    public init(headDim: Int, maxTokens: Int, base: Double = 10000) {
        precondition(headDim % 2 == 0, "RoPE needs an even head dimension")
        self.headDim = headDim
        self.maxTokens = maxTokens
        let half = headDim / 2
        cos = FloatBuffer(count: maxTokens * half)
        sin = FloatBuffer(count: maxTokens * half)
        for t in 0..<maxTokens {
            for i in 0..<half {
                let angle = Double(t) * Foundation.pow(base, -2 * Double(i) / Double(headDim))
                cos[t * half + i] = Float(Foundation.cos(angle))
                sin[t * half + i] = Float(Foundation.sin(angle))
            }
        }
    }

    /// Rotates the q and k parts of qkv: (T, 3C) in place, tokens at positions 0..<T.
    /// `inverse` applies the transpose rotation (used to map gradients back in backward).
    public func apply(_ qkv: UnsafeMutablePointer<Float>, tokens T: Int, channels C: Int, heads H: Int, inverse: Bool = false) {
        let half = headDim / 2
        let sign: Float = inverse ? -1 : 1
        for t in 0..<T {
            let c = cos.pointer + t * half, s = sin.pointer + t * half
            for part in 0..<2 {
                for h in 0..<H {
                    let x = qkv + t * 3 * C + part * C + h * headDim
                    for i in 0..<half {
                        let a = x[i], b = x[i + half]
                        let sn = sign * s[i]
                        x[i] = a * c[i] - b * sn
                        x[i + half] = a * sn + b * c[i]
                    }
                }
            }
        }
    }
}
