import Foundation
import ReckonKernels

/// Reader and writer for the safetensors format restricted to F32 tensors:
/// 8-byte little-endian header length N, N bytes of JSON header, then the raw little-endian
/// data. Readers validate every offset before touching data, so a damaged file is an error.
public struct SafeTensors {
    public struct Entry: Equatable {
        public let name: String
        public let shape: [Int]
        /// Byte range within the data section.
        public let range: Range<Int>
        public var count: Int { shape.reduce(1, *) }
    }

    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let bytes: Data
    private let dataStart: Int
    private let source: String

    /// Parses and validates `url`. Throws `ModelError.checkpoint` naming the file and the problem.
    public init(contentsOf url: URL) throws {
        let name = url.lastPathComponent
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch {
            throw ModelError.checkpoint("cannot read \(name): \(FileManager.default.fileExists(atPath: url.path) ? "unreadable" : "file is missing")")
        }
        try self.init(data: bytes, name: name)
    }

    public init(data bytes: Data, name: String) throws {
        func fail(_ s: String) -> ModelError { .checkpoint("\(name): \(s)") }
        source = name
        guard bytes.count >= 8 else { throw fail("truncated (\(bytes.count) bytes, no header)") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[bytes.startIndex + i]) << (8 * UInt64(i)) }
        guard n >= 2, n <= UInt64(bytes.count - 8), n < 100_000_000 else {
            throw fail("header length \(n) is inconsistent with the file size \(bytes.count) (truncated or not safetensors)")
        }
        let headerData = bytes.subdata(in: bytes.startIndex + 8 ..< bytes.startIndex + 8 + Int(n))
        guard let json = try? JSONSerialization.jsonObject(with: headerData), let header = json as? [String: Any] else {
            throw fail("header is not a JSON object (corrupt file)")
        }
        let dataSize = bytes.count - 8 - Int(n)
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        var maxEnd = 0
        for (key, value) in header {
            if key == "__metadata__" {
                guard let m = value as? [String: String] else { throw fail("__metadata__ must map strings to strings") }
                metadata = m
                continue
            }
            guard let d = value as? [String: Any], let dtype = d["dtype"] as? String,
                  let shape = d["shape"] as? [Int], let offs = d["data_offsets"] as? [Int], offs.count == 2 else {
                throw fail("malformed header entry for \(key)")
            }
            guard dtype == "F32" else { throw fail("tensor \(key) has dtype \(dtype); only F32 is supported") }
            guard shape.allSatisfy({ $0 >= 0 }), offs[0] >= 0, offs[1] >= offs[0] else { throw fail("tensor \(key) has invalid shape or offsets") }
            let count = shape.reduce(1, *)
            guard offs[1] - offs[0] == count * 4 else {
                throw fail("tensor \(key): \(offs[1] - offs[0]) bytes for shape \(shape) (expected \(count * 4))")
            }
            guard offs[1] <= dataSize else {
                throw fail("tensor \(key) ends at byte \(offs[1]) but the data section has \(dataSize) bytes (truncated)")
            }
            maxEnd = max(maxEnd, offs[1])
            entries[key] = Entry(name: key, shape: shape, range: offs[0]..<offs[1])
        }
        guard maxEnd == dataSize else { throw fail("data section is \(dataSize) bytes but tensors cover \(maxEnd) (corrupt)") }
        self.entries = entries
        self.metadata = metadata
        self.bytes = bytes
        self.dataStart = bytes.startIndex + 8 + Int(n)
    }

    /// Copies tensor `name` into `dst`, checking that it exists and has `shape`.
    public func copy(_ name: String, expectedShape shape: [Int], into dst: UnsafeMutablePointer<Float>) throws {
        guard let e = entries[name] else { throw ModelError.checkpoint("\(source): tensor \(name) is missing") }
        guard e.shape == shape else {
            throw ModelError.checkpoint("\(source): tensor \(name) has shape \(e.shape), expected \(shape) (config mismatch)")
        }
        Self.copyBytes(bytes, from: dataStart - bytes.startIndex + e.range.lowerBound, count: e.range.count, to: dst)
    }

    // Kept out of the throwing caller: with -Ounchecked, Swift 6.3 miscompiled a throwing
    // function around `Data.withUnsafeBytes` (typed rethrows), corrupting the thrown error.
    @inline(never)
    private static func copyBytes(_ bytes: Data, from offset: Int, count: Int, to dst: UnsafeMutablePointer<Float>) {
        bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Void in
            // Files are little-endian, like every platform this runs on; memcpy handles misalignment.
            _ = memcpy(dst, raw.baseAddress!.advanced(by: offset), count)
        }
    }

    /// Tensor `name` as an array.
    public func floats(_ name: String) throws -> [Float] {
        guard let e = entries[name] else { throw ModelError.checkpoint("\(source): tensor \(name) is missing") }
        var out = [Float](repeating: 0, count: e.count)
        try out.withUnsafeMutableBufferPointer { try copy(name, expectedShape: e.shape, into: $0.baseAddress!) }
        return out
    }

    /// A tensor to write: name, shape and a pointer to `shape.product` floats.
    public struct Tensor {
        public let name: String
        public let shape: [Int]
        public let pointer: UnsafePointer<Float>
        public init(name: String, shape: [Int], pointer: UnsafePointer<Float>) {
            self.name = name; self.shape = shape; self.pointer = pointer
        }
    }

    /// Serialises tensors (in the given order) and metadata to safetensors bytes.
    public static func encode(_ tensors: [Tensor], metadata: [String: String]) -> Data {
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(m.joined(separator: ","))}")
        }
        var off = 0
        for t in tensors {
            let n = t.shape.reduce(1, *) * 4
            parts.append("\(jsonString(t.name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(off),\(off + n)]}")
            off += n
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }   // pad so data starts 8-aligned
        var data = Data(capacity: 8 + headerBytes.count + off)
        var n = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &n) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for t in tensors {
            data.append(UnsafeBufferPointer(start: t.pointer, count: t.shape.reduce(1, *)))
        }
        return data
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}

/// Writes `data` to `url` atomically: a temporary file in the same directory, flushed, then
/// renamed over the destination, so readers see the old file or the new one, never a mix.
public func writeAtomically(_ data: Data, to url: URL) throws {
    let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
    do {
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
            throw ModelError.checkpoint("cannot create \(tmp.path)")
        }
        let h = try FileHandle(forWritingTo: tmp)
        try h.write(contentsOf: data)
        try h.synchronize()
        try h.close()
        guard rename(tmp.path, url.path) == 0 else {
            throw ModelError.checkpoint("cannot rename \(tmp.lastPathComponent) to \(url.lastPathComponent) (errno \(errno))")
        }
    } catch {
        try? FileManager.default.removeItem(at: tmp)
        if error is ModelError { throw error }
        throw ModelError.checkpoint("cannot write \(url.path): \(error)")
    }
}
