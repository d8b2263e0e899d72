import Foundation

// LayerNorm over the last dimension, eps 1e-5 and biased variance, as torch.nn.LayerNorm.

/// Forward:  out = (x − mean)·rstd·weight + bias,  per row.
///
///     inp, out: (rows, C)   weight, bias: (C)   mean, rstd: (rows) saved for backward
public func layerNormForward(out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                             rstd: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                             weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                             rows: Int, channels C: Int, eps: Float = 1e-5) {
    let invC = 1 / Float(C)
    for r in 0..<rows {
        let x = inp + r * C
        let y = out + r * C
        let m = vsum(x, C) * invC
        // Two-pass variance: numerically safer than E[x²] − m² and just as cheap at this size.
        var acc = SIMD16<Float>(repeating: 0)
        let mv = SIMD16<Float>(repeating: m)
        var i = 0
        while i + 16 <= C { let d = loadV16(x + i) - mv; acc += d * d; i += 16 }
        var v = acc.laneSum
        while i < C { let d = x[i] - m; v += d * d; i += 1 }
        let s = 1 / (v * invC + eps).squareRoot()
        let sv = SIMD16<Float>(repeating: s)
        i = 0
        while i + 16 <= C {
            storeV16((loadV16(x + i) - mv) * sv * loadV16(weight + i) + loadV16(bias + i), y + i)
            i += 16
        }
        while i < C { y[i] = (x[i] - m) * s * weight[i] + bias[i]; i += 1 }
        mean[r] = m
        rstd[r] = s
    }
}

/// Backward (llm.c's formulation).
///
///     dinp: (rows, C) += rstd·(dnorm − mean(dnorm) − norm·mean(dnorm·norm)),  dnorm = dout·weight
///     dweight: (C) += Σ_rows dout·norm      dbias: (C) += Σ_rows dout
/// `dinp` is accumulated into (the residual stream's gradient flows through both branches).
public func layerNormBackward(dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
                              dbias: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                              inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                              mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                              rows: Int, channels C: Int) {
    let invC = 1 / Float(C)
    for r in 0..<rows {
        let x = inp + r * C
        let dy = dout + r * C
        let dx = dinp + r * C
        let m = mean[r], s = rstd[r]
        let mv = SIMD16<Float>(repeating: m), sv = SIMD16<Float>(repeating: s)
        var a1 = SIMD16<Float>(repeating: 0), a2 = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= C {
            let norm = (loadV16(x + i) - mv) * sv
            let dn = loadV16(weight + i) * loadV16(dy + i)
            a1 += dn
            a2 += dn * norm
            i += 16
        }
        var sumDn = a1.laneSum, sumDnNorm = a2.laneSum
        while i < C {
            let norm = (x[i] - m) * s
            let dn = weight[i] * dy[i]
            sumDn += dn; sumDnNorm += dn * norm
            i += 1
        }
        let meanDn = SIMD16<Float>(repeating: sumDn * invC)
        let meanDnNorm = SIMD16<Float>(repeating: sumDnNorm * invC)
        i = 0
        while i + 16 <= C {
            let norm = (loadV16(x + i) - mv) * sv
            let g = loadV16(dy + i)
            storeV16(loadV16(dbias + i) + g, dbias + i)
            storeV16(loadV16(dweight + i) + g * norm, dweight + i)
            let dn = loadV16(weight + i) * g
            storeV16(loadV16(dx + i) + (dn - meanDn - norm * meanDnNorm) * sv, dx + i)
            i += 16
        }
        while i < C {
            let norm = (x[i] - m) * s
            let g = dy[i]
            dbias[i] += g
            dweight[i] += g * norm
            dx[i] += (weight[i] * g - sumDn * invC - norm * sumDnNorm * invC) * s
            i += 1
        }
    }
}
