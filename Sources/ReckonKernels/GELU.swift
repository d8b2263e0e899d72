import CKernels
import Foundation

// GELU, exact (erf) form as in the PyTorch reference: gelu(x) = x·Φ(x).
// A scalar erf/tanh costs more than the GEMM that feeds it, so both passes are vectorised:
// here for AVX2, and in C (`CKernels`, same formulas, half the time) on AVX-512 CPUs.

/// out[i] = x[i]·Φ(x[i]) for i in 0..<n.   x, out: (n); may alias.
/// `avx512` picks the C kernel (default: when the CPU has it).
public func geluForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count n: Int,
                        avx512: Bool = cpuHasAVX512) {
    if avx512 { reckon_gelu_forward_avx512(out, inp, n); return }
    var i = 0
    while i + 8 <= n {
        let x = loadV8(inp + i)
        storeV8(x * vnormalCDF(x), out + i)
        i += 8
    }
    while i < n { let x = inp[i]; out[i] = x * normalCDFScalar(x); i += 1 }
}

/// dinp[i] = dout[i]·(Φ(x) + x·φ(x)) for x = inp[i].   dinp may alias dout.
///
/// `out` is the forward result x·Φ(x): Φ is recovered as out/x (Φ(0) = ½), which leaves one
/// exp per element instead of recomputing erfc. Relative accuracy is that of `out`.
public func geluBackward(dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, out: UnsafePointer<Float>,
                         dout: UnsafePointer<Float>, count n: Int, avx512: Bool = cpuHasAVX512) {
    if avx512 { reckon_gelu_backward_avx512(dinp, inp, out, dout, n); return }
    let invSqrt2Pi: Float = 0.39894228040143268
    let zero = SIMD8<Float>(repeating: 0), half = SIMD8<Float>(repeating: 0.5), one = SIMD8<Float>(repeating: 1)
    var i = 0
    while i + 8 <= n {
        let x = loadV8(inp + i)
        let isZero = x .== zero
        let cdf = (loadV8(out + i) / x.replacing(with: one, where: isZero)).replacing(with: half, where: isZero)
        let (h2, l2) = vhalfSquare(x)
        let pdf = vexp(hi: -h2, lo: -l2) * invSqrt2Pi
        storeV8(loadV8(dout + i) * cdf.addingProduct(x, pdf), dinp + i)
        i += 8
    }
    while i < n {
        let x = inp[i]
        let cdf = x == 0 ? 0.5 : out[i] / x
        let d = cdf + x * expf(-0.5 * x * x) * invSqrt2Pi
        dinp[i] = dout[i] * d
        i += 1
    }
}
