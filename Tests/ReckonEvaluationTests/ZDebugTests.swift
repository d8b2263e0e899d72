import Testing
import ReckonKernels

@Test func zdebug() throws {
    var x: [Float] = [-3, -2, -1, 0, 1, 2, 3, 4, -30, -12, -9, -5, 5, 9, 12, 30]
    var y = [Float](repeating: 0, count: 16)
    x.withUnsafeMutableBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in geluForward(out: yp.baseAddress!, inp: xp.baseAddress!, count: 16) } }
    print("gelu", y)
}
