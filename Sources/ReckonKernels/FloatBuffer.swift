import Foundation

/// An owned, 64-byte aligned (2 MiB from 4 MiB up), fixed-size buffer of `Float`.
///
/// Parameters, gradients, optimizer moments and activations all live in a few of these,
/// allocated once; hot loops work on `pointer` directly and never allocate.
public final class FloatBuffer: @unchecked Sendable {
    /// Number of floats.
    public let count: Int
    /// Start of the storage; valid for `count` elements for the buffer's lifetime.
    public let pointer: UnsafeMutablePointer<Float>

    /// Allocates `count` floats, zero-filled.
    ///
    /// Buffers of 4 MiB or more are mapped from the kernel, aligned to 2 MiB and offered
    /// transparent huge pages (`madvise`), so streaming through them (a decode step reads every
    /// weight) does not miss the TLB on every 4 KiB page. Their pages are zero until first
    /// written and cost nothing before: a decoder sized for 3,072-token prompts and chains that
    /// solves `1+2` touches a small part of its scratch and cache.
    public init(count: Int) {
        precondition(count >= 0, "negative buffer size")
        let bytes = Swift.max(count, 1) * 4
        if bytes >= 2 * Self.hugePage, let mapping = Self.mapZeroed(bytes) {
            pointer = mapping.aligned.bindMemory(to: Float.self, capacity: count)
            mapped = (mapping.base, mapping.length)
        } else {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: bytes >= 2 * Self.hugePage ? Self.hugePage : 64)
            pointer = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
            pointer.initialize(repeating: 0, count: Swift.max(count, 1))
            mapped = nil
        }
        self.count = count
    }

    static let hugePage = 2 << 20
    /// The mapping behind a large buffer (nil: allocated on the heap).
    private let mapped: (base: UnsafeMutableRawPointer, length: Int)?

    /// An anonymous private mapping of at least `bytes`, with a 2 MiB-aligned start inside it.
    private static func mapZeroed(_ bytes: Int) -> (base: UnsafeMutableRawPointer, length: Int, aligned: UnsafeMutableRawPointer)? {
        let length = bytes + hugePage
        guard let base = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              base != MAP_FAILED else { return nil }
        let address = (Int(bitPattern: base) + hugePage - 1) / hugePage * hugePage
        let aligned = UnsafeMutableRawPointer(bitPattern: address)!
        #if os(Linux)
        _ = madvise(aligned, bytes / hugePage * hugePage, MADV_HUGEPAGE)   // a hint; failure is harmless
        #endif
        return (base, length, aligned)
    }

    /// Allocates a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    deinit {
        if let mapped { munmap(mapped.base, mapped.length) } else { pointer.deallocate() }
    }

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
