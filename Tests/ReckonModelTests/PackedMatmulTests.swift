import Testing
import ReckonKernels
import ReckonModel

/// The decode product against a plain double-precision reference, for both kernels.
@Suite struct PackedMatmulTests {
    /// K = 37: a partial last strip and K not a multiple of 4. The AVX-512 kernel reads inputs in
    /// place up to K = 256 and copies them transposed in chunks of 256 above: 300 ends in a partial
    /// chunk, 1024 (an MLP's second product) is four whole ones.
    static let inFeatures = [37, 300, 1024]

    @Test(arguments: inFeatures) func avx2KernelMatchesAPlainProduct(K: Int) { check(avx512: false, K: K) }

    @Test(.enabled(if: cpuHasAVX512, "this CPU has no AVX-512"), arguments: inFeatures)
    func avx512KernelMatchesAPlainProduct(K: Int) { check(avx512: true, K: K) }

    func check(avx512: Bool, K: Int) {
        let N = 45
        var rng = UInt64(7)
        func next() -> Float {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: rng >> 11) % 2001 - 1000) / 1000
        }
        let weight = (0..<(N * K)).map { _ in next() }       // (N, K)
        let bias = (0..<N).map { _ in next() }
        var packed = [Float](repeating: .nan, count: packedCount(inFeatures: K, outFeatures: N))
        packStrips(weight, into: &packed, inFeatures: K, outFeatures: N)
        for rows in [1, 3, 4, 6, 9, 16, 21, 33] {
            let inp = (0..<(rows * K)).map { _ in next() }
            for (outputs, withBias) in [(0..<N, true), (16..<N, false), (0..<16, true)] {
                var out = [Float](repeating: -99, count: rows * N)
                bias.withUnsafeBufferPointer { b in
                    packedMatmul(out: &out, inp: inp, packed: packed, bias: withBias ? b.baseAddress : nil, rows: rows,
                                 inFeatures: K, outFeatures: N, outputs: outputs, avx512: avx512)
                }
                for r in 0..<rows {
                    for c in 0..<N {
                        guard outputs.contains(c) else {
                            #expect(out[r * N + c] == -99, "wrote outside the outputs: row \(r), column \(c)")
                            continue
                        }
                        var ref = withBias ? Double(bias[c]) : 0, magnitude = abs(ref)
                        for k in 0..<K {
                            let term = Double(inp[r * K + k]) * Double(weight[c * K + k])
                            ref += term; magnitude += abs(term)
                        }
                        // Float summation's error bound, (K + 1)·u·Σ|terms| with u = 2⁻²⁴, doubled.
                        let tolerance = 2 * Double(K + 1) * 0x1p-24 * magnitude
                        #expect(abs(Double(out[r * N + c]) - ref) <= tolerance, "K \(K), rows \(rows), row \(r), column \(c)")
                    }
                }
            }
        }
    }
}
