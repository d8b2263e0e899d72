// swift-tools-version: 6.1
// Reckon: an arithmetic expert model trained from scratch.
//
// Data flow, one module per concern:
//
//   ReckonArithmetic   exact numbers (big-integer rationals, decimals), expression parser/printer
//        │
//   ReckonGenerator    recipes → sampled expressions → step chains (mathglm / direct / scratch),
//        │             test split, corpus writer, verifier
//        │
//   COpenBLAS ─ ReckonKernels   matrix products + SIMD element-wise kernels (LayerNorm, GELU, softmax, AdamW)
//   CKernels ─┘      │          + CKernels: kernels in C, chosen at run time (GELU for AVX2 and AVX-512;
//                    │            for AVX-512 the matrix product, the row softmax and the few-row decode
//                    │            product; AVX2 CPUs keep OpenBLAS's cblas_sgemm)
//               ReckonModel     tokenizer, GPT decoder forward/backward, safetensors checkpoints
//                    │
//               ReckonTraining  AdamW schedule, multithreaded training loop, logs, resume
//                    │
//   ReckonEvaluation   KV-cache decoding, grading, step-level diagnostics, reports
//        │
//   reckon             the command-line tool (generate, verify, train, solve, eval, bench)
import PackageDescription

// The engine (kernels, model, training) drops overflow and bounds checks in release builds.
// Every other module keeps them: in the exact-arithmetic and generator modules a silent overflow
// would be a wrong "exact" answer, and in evaluation an out-of-bounds slice must trap, not corrupt
// the heap (session 44's --check-subtractions bug); there the checks cost no measurable time.
let optimize: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
// Engine targets: AVX2 + FMA code generation (every project machine has it; the SIMD kernels
// are 2–4× slower on the x86-64 baseline, which lacks FMA and 256-bit vectors).
let engineCPU: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux]))]

let package = Package(
    name: "Reckon",
    products: [
        .executable(name: "reckon", targets: ["reckon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
    ],
    targets: [
        .target(
            name: "ReckonArithmetic",
            dependencies: [.product(name: "BigInt", package: "BigInt")]),
        .target(
            name: "ReckonGenerator",
            dependencies: ["ReckonArithmetic"]),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .target(
            name: "CKernels"),
        .target(
            name: "ReckonKernels",
            dependencies: ["COpenBLAS", "CKernels"],
            swiftSettings: optimize + engineCPU),
        .target(
            name: "ReckonModel",
            dependencies: ["ReckonKernels", "CKernels"],
            swiftSettings: optimize + engineCPU),
        .target(
            name: "ReckonTraining",
            dependencies: ["ReckonModel", "ReckonKernels"],
            swiftSettings: optimize + engineCPU),
        .target(
            name: "ReckonEvaluation",
            dependencies: ["ReckonArithmetic", "ReckonGenerator", "ReckonModel", "ReckonKernels"]),
        .executableTarget(
            name: "reckon",
            dependencies: [
                "ReckonArithmetic", "ReckonGenerator", "ReckonModel", "ReckonTraining", "ReckonEvaluation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "GeneratorBenchmark",
            dependencies: ["ReckonGenerator"],
            path: "Benchmarks/GeneratorBenchmark"),
        .executableTarget(
            name: "KernelBench",
            dependencies: ["ReckonKernels", "ReckonModel"],
            path: "Benchmarks/KernelBench",
            swiftSettings: optimize + engineCPU),
        .testTarget(
            name: "ReckonArithmeticTests",
            dependencies: ["ReckonArithmetic", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(
            name: "ReckonGeneratorTests",
            dependencies: ["ReckonGenerator", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(
            name: "ReckonKernelsTests",
            dependencies: ["ReckonKernels"]),
        .testTarget(
            name: "ReckonModelTests",
            dependencies: ["ReckonModel"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ReckonTrainingTests",
            dependencies: ["ReckonTraining"]),
        .testTarget(
            name: "ReckonEvaluationTests",
            dependencies: ["ReckonEvaluation", "ReckonTraining"]),
    ],
    swiftLanguageModes: [.v5]
)
