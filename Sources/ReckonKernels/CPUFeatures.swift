import CKernels

/// Whether this CPU runs the AVX-512 kernels of `CKernels` (GELU, the row softmax, the decode
/// product). Checked once, at run time: the project's machines differ, and AVX2 machines use the
/// AVX2 kernels (GELU's in C, the others in Swift).
public let cpuHasAVX512 = reckon_has_avx512() == 1
