import CKernels

/// Whether this CPU runs the AVX-512 kernels of `CKernels` (GELU, the decode product). Checked
/// once, at run time: the project's machines differ, and AVX2 machines use the Swift kernels.
public let cpuHasAVX512 = reckon_has_avx512() == 1
