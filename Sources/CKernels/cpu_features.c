#include "CKernels.h"

int reckon_has_avx512(void) { return __builtin_cpu_supports("avx512f") ? 1 : 0; }
