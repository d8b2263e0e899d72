import Foundation

/// An owned, 64-byte aligned, fixed-size buffer of `Float`.
///
/// Parameters, gradients, optimizer moments and activations all live in a few of these,
/// allocated once; hot loops work on `pointer` directly and never allocate.
public final class FloatBuffer: @unchecked Sendable {
    /// Number of floats.
    public let count: Int
    /// Start of the storage; valid for `count` elements for the buffer's lifetime.
    public let pointer: UnsafeMutablePointer<Float>

    /// Allocates `count` floats, zero-filled. Buffers of 4 MiB or more are aligned to 2 MiB and
    /// offered transparent huge pages (`madvise`), so streaming through them (a decode step
    /// reads every weight) does not miss the TLB on every 4 KiB page.
    public init(count: Int) {
        precondition(count >= 0, "negative buffer size")
        let bytes = Swift.max(count, 1) * 4
        let huge = 2 << 20
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: bytes >= 2 * huge ? huge : 64)
        #if os(Linux)
        if bytes >= 2 * huge { _ = madvise(raw, bytes / huge * huge, MADV_HUGEPAGE) }   // a hint; failure is harmless
        #endif
        pointer = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
        pointer.initialize(repeating: 0, count: Swift.max(count, 1))
        self.count = count
    }

    /// Allocates a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    deinit { pointer.deallocate() }

    /// Sets every element to zero.
    public func zero() { memset(pointer, 0, count * 4) }

    /// Copies the contents into an array (for tests and I/O, not hot paths).
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Copies `other` (same count) into this buffer.
    public func copy(from other: FloatBuffer) {
        precondition(other.count == count, "buffer size mismatch")
        pointer.update(from: other.pointer, count: count)
    }

    public subscript(i: Int) -> Float {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}
