// Corpus generation throughput: examples/s of a recipe on 1 and N threads, median of several runs.
//
//   swift run -c release GeneratorBenchmark [recipe.json] [examples] [runs]
//
// Output goes to a counting sink (no I/O), so the figure is the generator's own speed.
import Dispatch
import Foundation
import ReckonGenerator

let arguments = CommandLine.arguments
let recipePath = arguments.count > 1 ? arguments[1] : "Generators/mathglm.json"
let count = arguments.count > 2 ? Int(arguments[2])! : 1_000_000
let runs = arguments.count > 3 ? Int(arguments[3])! : 5
let cores = ProcessInfo.processInfo.activeProcessorCount

let recipe = try Recipe(contentsOf: URL(fileURLWithPath: recipePath))
print("recipe \(recipe.name) (\(recipe.format.rawValue)), \(count) examples per run, median of \(runs) runs, \(cores) cores")

func measure(threads: Int) throws -> (rate: Double, bytes: Int) {
    var rates: [Double] = []
    var bytes = 0
    for run in 0..<runs {
        let writer = CorpusWriter(generator: ExampleGenerator(recipe: recipe, seed: UInt64(run)), threads: threads)
        var total = 0
        let start = DispatchTime.now().uptimeNanoseconds
        try writer.run(count: count, emit: { total += $0.count })
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        rates.append(Double(count) / seconds)
        bytes = total
    }
    return (rates.sorted()[rates.count / 2], bytes)
}

var results: [(Int, Double)] = []
for threads in Set([1, cores]).sorted() {
    let (rate, bytes) = try measure(threads: threads)
    results.append((threads, rate))
    print(String(format: "threads %d: %9.0f examples/s  (%.0f bytes/example)", threads, rate, Double(bytes) / Double(count)))
}
if results.count == 2 {
    print(String(format: "scaling %d threads / 1: %.2fx", cores, results[1].1 / results[0].1))
}
