/// The held-out test split: a question belongs to it when a fixed hash of its canonical text
/// falls in 1 of `modulus` buckets. The rule depends on the question alone, so a question that
/// is held out is held out of every recipe, format and seed.
public enum TestSplit {
    public static let modulus: UInt64 = 1000

    /// 64-bit FNV-1a of `bytes`, finished with SplitMix64's mixer: stable across platforms and versions.
    @inlinable public static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return SplitMix64.mix(h)
    }

    @inlinable public static func isTest<C: Collection>(_ question: C) -> Bool where C.Element == UInt8 {
        hash(question) % modulus == 0
    }

    public static func isTest(_ question: String) -> Bool { isTest(Array(question.utf8)) }
}

/// Which questions a run may produce.
public enum Split: String, CaseIterable, Sendable {
    /// Everything outside the test split: what training sees.
    case train
    /// Only test-split questions: held-out evaluation sets.
    case test

    @inlinable func accepts<C: Collection>(_ question: C) -> Bool where C.Element == UInt8 {
        TestSplit.isTest(question) == (self == .test)
    }
}
