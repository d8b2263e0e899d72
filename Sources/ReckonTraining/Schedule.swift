import Foundation

/// Linear warm-up to `peak`, then cosine decay to `peak·minFraction` at `totalSteps`.
public struct LearningRateSchedule: Sendable, Equatable {
    public var peak: Double
    public var minFraction: Double
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(peak: Double, minFraction: Double = 0.1, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak; self.minFraction = minFraction; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
    }

    /// Learning rate for 0-based `step`.
    public func rate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        let minLR = peak * minFraction
        return minLR + 0.5 * (peak - minLR) * (1 + cos(.pi * progress))
    }
}
