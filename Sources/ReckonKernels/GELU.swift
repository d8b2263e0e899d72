import CKernels

// GELU, exact (erf) form as in the PyTorch reference: gelu(x) = x·Φ(x).
// A scalar erf/tanh costs more than the GEMM that feeds it, so both passes are vectorised, in C
// (`CKernels`): 512-bit kernels on AVX-512 CPUs, 256-bit ones on AVX2 CPUs, same formulas. C
// reaches what Swift's SIMD types cannot: a reciprocal estimate refined by one Newton step
// instead of a division, rounding and 2^n scaling in an instruction or two.

/// out[i] = x[i]·Φ(x[i]) for i in 0..<n.   x, out: (n); may alias.
/// `avx512` picks the 512-bit kernel (default: when the CPU has it), else the AVX2 one.
public func geluForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count n: Int,
                        avx512: Bool = cpuHasAVX512) {
    if avx512 { reckon_gelu_forward_avx512(out, inp, n) } else { reckon_gelu_forward_avx2(out, inp, n) }
}

/// dinp[i] = dout[i]·(Φ(x) + x·φ(x)) for x = inp[i].   dinp may alias dout.
///
/// `out` is the forward result x·Φ(x): Φ is recovered as out/x (Φ(0) = ½), which leaves one
/// exp per element instead of recomputing erfc. Relative accuracy is that of `out`.
public func geluBackward(dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, out: UnsafePointer<Float>,
                         dout: UnsafePointer<Float>, count n: Int, avx512: Bool = cpuHasAVX512) {
    if avx512 { reckon_gelu_backward_avx512(dinp, inp, out, dout, n) } else { reckon_gelu_backward_avx2(dinp, inp, out, dout, n) }
}
