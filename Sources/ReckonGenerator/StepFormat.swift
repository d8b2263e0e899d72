import ReckonArithmetic

/// How a question's solution is written.
///
/// - `direct`: question and final answer only: `12*34+5=413`.
/// - `mathglm`: MathGLM's expansion, one operation per step in precedence order, the whole
///   remaining expression rewritten each time: `2*3+4*5=6+4*5=6+20=26`.
/// - `scratch`: `mathglm`, plus a scratchpad block `{…}` in front of every step whose operation a
///   small model cannot do in one hop (see `ScratchBlock`):
///   `12*345+6={345*12=345*10+345*2=3450+690=4140}4140+6=4146`.
/// - `products`: `mathglm` with `scratch`'s blocks for multiplication only (Goat's partial
///   products); division and powers stay one hop, so chains stay short:
///   `12*345+6/4={345*12=345*10+345*2=3450+690=4140}4140+6/4=4140+1.5=4141.5`.
/// - `longdiv`: `products` plus a long-division block for `/`: the divisor's multiples, then one
///   line per quotient digit with the current dividend, the multiple taken, the remainder and the
///   quotient so far (see `ScratchBlock.writeLongQuotient`):
///   `253/4-193={253/4:4*2=8,…,4*9=36|25-24=1,6;13-12=1,63;10-8=2,63.2;20-20=0,63.25}63.25-193=-129.75`.
/// - `refine`: `products` plus a refinement block for `/`: the quotient's two leading digits
///   (here one unit low, as in a third of rounds), made exact by a product and a residual,
///   twice; only the small tail is estimated (see `ScratchBlock.writeRefinedQuotient`):
///   `1000/7={7*130=7*100+7*30=700+210=910;1000-910=90;7*12=7*10+7*2=70+14=84;90-84=6;1000/7=130+12+6/7=142+6/7~142.85714285714285714}142.85714285714285714` (standard policy).
public enum StepFormat: String, CaseIterable, Sendable, Codable {
    case mathglm
    case direct
    case scratch
    case products
    case longdiv
    case refine

    /// Whether a step applying `op` is preceded by a scratch block (when `ScratchBlock` writes one).
    func writesBlock(for op: BinaryOperator) -> Bool {
        switch self {
        case .direct, .mathglm: false
        case .scratch: true
        case .products: op == .multiply
        case .longdiv, .refine: op == .multiply || op == .divide
        }
    }
}
