// Polynomial coefficients shared by the AVX2 and AVX-512 kernels (private to CKernels), highest
// degree first, for Horner's rule: one table, so the two widths cannot drift apart.
#ifndef RECKON_POLYNOMIALS_H
#define RECKON_POLYNOMIALS_H

/// Cephes expf: e^r = 1 + r + r²·P(r) for |r| ≤ ln2/2; P's coefficients.
static const float expPolynomial[6] = {
    1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f,
};

/// Numerical Recipes' erfc Chebyshev fit: erfc(z) = t·exp(−z² + Q(t)) with t = 1/(1 + z/2), z ≥ 0,
/// relative error < 1.2e-7; Q's coefficients.
static const float erfcPolynomial[10] = {
    0.17087277f, -0.82215223f, 1.48851587f, -1.13520398f, 0.27886807f,
    -0.18628806f, 0.09678418f, 0.37409196f, 1.00002368f, -1.26551223f,
};

#endif
