import Testing
import ReckonModel

/// The decode product against a plain double-precision reference, for both kernels.
@Suite struct PackedMatmulTests {
    @Test func avx2KernelMatchesAPlainProduct() { check(avx512: false) }

    @Test(.enabled(if: packedMatmulUsesAVX512, "this CPU has no AVX-512"))
    func avx512KernelMatchesAPlainProduct() { check(avx512: true) }

    func check(avx512: Bool) {
        let K = 37, N = 45   // a partial last strip, and K not a multiple of 4
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
                        var ref = withBias ? Double(bias[c]) : 0
                        for k in 0..<K { ref += Double(inp[r * K + k]) * Double(weight[c * K + k]) }
                        #expect(abs(Double(out[r * N + c]) - ref) <= 1e-5 * max(1, abs(ref)), "rows \(rows), row \(r), column \(c)")
                    }
                }
            }
        }
    }
}
