import ArgumentParser

@main
struct Reckon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reckon",
        abstract: "Reckon: an arithmetic expert model trained from scratch.",
        discussion: """
        Generate stepwise arithmetic corpora from recipes, train a small decoder on the CPU, \
        and measure it. Recipes live in Generators/ (name one by path or by name: --recipe mathglm).
        """,
        subcommands: [Generate.self, Verify.self, Stats.self, Train.self, Solve.self, Eval.self, Compare.self, Average.self, Bench.self])
}
