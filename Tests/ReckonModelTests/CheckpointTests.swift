import Foundation
import Testing
import ReckonKernels
import ReckonModel

func tempDir(_ tag: String) -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("reckon-\(tag)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

func smallModel(positions: PositionScheme = .learned, seed: UInt64 = 3) throws -> Model {
    let tok = try Tokenizer()
    let cfg = ModelConfig(layers: 2, dModel: 16, heads: 2, contextLength: 12, vocabSize: tok.vocabSize, positions: positions)
    return try Model(config: cfg, tokenizer: tok, seed: seed)
}

/// Expects `body` to throw a `ModelError.checkpoint` whose message contains `fragment`.
func expectCheckpointError(_ fragment: String, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a checkpoint error containing \"\(fragment)\"")
    } catch let ModelError.checkpoint(message) {
        #expect(message.contains(fragment), "message was: \(message)")
    } catch {
        Issue.record("unexpected error \(error)")
    }
}

@Suite("Checkpoints")
struct CheckpointTests {
    @Test func roundTripIsBitExact() throws {
        let model = try smallModel()
        let dir = tempDir("rt")
        let n = model.parameterCount
        let m = FloatBuffer((0..<n).map { Float($0) * 0.5 }), v = FloatBuffer((0..<n).map { Float($0) * 0.25 })
        var info = TrainingInfo(); info.seed = 42; info.totalSteps = 100
        try Checkpoint.save(model: model, step: 7, training: info,
                            optimizer: OptimizerState(m: m, v: v, step: 7, rngState: [1, 2, 3, UInt64.max]), to: dir)
        let (loaded, config) = try Checkpoint.loadModel(from: dir)
        #expect(config.step == 7 && config.training == info && config.model == model.config)
        #expect(loaded.tokenizer == model.tokenizer)
        #expect(loaded.parameters.array == model.parameters.array)
        let opt = try Checkpoint.loadOptimizer(from: dir, parameterCount: n, expectedStep: 7)
        #expect(opt.m.array == m.array && opt.v.array == v.array && opt.rngState == [1, 2, 3, UInt64.max])
        // No temporary files are left behind.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files == ["config.json", "model.safetensors", "optimizer.safetensors"])
    }

    /// `withContext` keeps the weights: with RoPE positions a longer context gives the same
    /// logits for the same tokens; learned positions refuse to change length.
    @Test func contextGrowsOnlyWithoutLearnedPositions() throws {
        let rope = try smallModel(positions: .rope)
        let longer = try rope.withContext(40)
        #expect(longer.config.contextLength == 40)
        let tokens = [1, 5, 6, 7, 8]
        #expect(try longer.logits(for: tokens) == rope.logits(for: tokens))
        #expect(throws: ModelError.self) { try smallModel().withContext(40) }
        #expect(try smallModel().withContext(12).config.contextLength == 12)
    }

    /// `deepened` keeps the old blocks' weights, in order, between new blocks whose output
    /// projections are zero: the deeper model's logits are the old model's, bit for bit (Abacus
    /// positions, so every kind of embedding is carried over), while the new blocks' other
    /// weights are random, so training can grow them.
    @Test func deepenedModelComputesTheSameFunction() throws {
        let base = try smallModel(positions: .abacus)   // 2 blocks
        let tokens = [1, 5, 6, 7, 8, 12, 5, 9]
        for layers in [3, 4, 5, 7] {
            let deeper = try base.deepened(to: layers, seed: 9)
            #expect(deeper.config.layers == layers && deeper.config.dModel == base.config.dModel)
            let same = try deeper.logits(for: tokens) == base.logits(for: tokens)
            #expect(same, "2 → \(layers) layers")
        }
        func weights(_ m: Model, block l: Int) -> [Float] {
            let b = m.layout.blocks[l]
            return Array(UnsafeBufferPointer(start: m.parameters.pointer + b.ln1w, count: b.fc2b + m.config.dModel - b.ln1w))
        }
        func tensor(_ m: Model, _ offset: Int, _ count: Int) -> [Float] {
            Array(UnsafeBufferPointer(start: m.parameters.pointer + offset, count: count))
        }
        // 2 → 4 blocks: the old ones land at 0 and 2, the new ones at 1 and 3.
        let deeper = try base.deepened(to: 4, seed: 9)
        #expect(weights(deeper, block: 0) == weights(base, block: 0) && weights(deeper, block: 2) == weights(base, block: 1))
        let C = base.config.dModel, M = base.config.mlpWidth
        for l in [1, 3] {
            let b = deeper.layout.blocks[l]
            #expect(tensor(deeper, b.projw, C * C).allSatisfy { $0 == 0 } && tensor(deeper, b.fc2w, C * M).allSatisfy { $0 == 0 })
            #expect(tensor(deeper, b.qkvw, 3 * C * C).contains { $0 != 0 } && tensor(deeper, b.fc1w, M * C).contains { $0 != 0 })
        }
        #expect(throws: ModelError.self) { try base.deepened(to: 2, seed: 9) }
    }

    /// `average` takes the element-wise mean, keeps the last checkpoint's step and training
    /// record, lists the steps, and refuses a single checkpoint or mismatched architectures.
    @Test func averagingCheckpoints() throws {
        let a = try smallModel(seed: 3), b = try smallModel(seed: 4)
        var info = TrainingInfo()
        info.tokensSeen = 1000
        let dirA = tempDir("avg-a"), dirB = tempDir("avg-b"), dirC = tempDir("avg-c")
        try Checkpoint.save(model: a, step: 100, training: info, optimizer: nil, to: dirA)
        info.tokensSeen = 2000
        try Checkpoint.save(model: b, step: 200, training: info, optimizer: nil, to: dirB)
        let (mean, step, training) = try Checkpoint.average([dirA, dirB])
        let expected = zip(a.parameters.array, b.parameters.array).map { Float((Double($0) + Double($1)) / 2) }
        #expect(mean.parameters.array == expected)
        #expect(step == 200 && training?.tokensSeen == 2000 && training?.averagedSteps == [100, 200])

        try Checkpoint.save(model: try smallModel(positions: .rope), step: 300, training: info, optimizer: nil, to: dirC)
        expectCheckpointError("differs from") { _ = try Checkpoint.average([dirA, dirC]) }
        expectCheckpointError("at least two") { _ = try Checkpoint.average([dirA]) }
    }

    /// The file follows the safetensors layout a Python reader expects: u64 LE header length,
    /// JSON header with dtype/shape/data_offsets under the reference names, 8-aligned data.
    @Test func modelFileIsStandardSafetensors() throws {
        let model = try smallModel()
        let dir = tempDir("fmt")
        try Checkpoint.save(model: model, step: 0, training: nil, optimizer: nil, to: dir)
        let data = try Data(contentsOf: dir.appendingPathComponent("model.safetensors"))
        let n = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(n % 8 == 0)
        let header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any])
        let qkv = try #require(header["blocks.1.attn.qkv.weight"] as? [String: Any])
        #expect(qkv["dtype"] as? String == "F32")
        #expect(qkv["shape"] as? [Int] == [48, 16])
        #expect(header["wte.weight"] != nil && header["wpe.weight"] != nil && header["ln_f.bias"] != nil)
        #expect(data.count == 8 + n + model.parameterCount * 4)
    }

    @Test func missingDirectoryOrFiles() throws {
        expectCheckpointError("no config.json") { _ = try Checkpoint.loadModel(from: tempDir("empty")) }
        let model = try smallModel()
        let dir = tempDir("miss")
        try Checkpoint.save(model: model, step: 1, training: nil, optimizer: nil, to: dir)
        expectCheckpointError("missing") { _ = try Checkpoint.loadOptimizer(from: dir, parameterCount: model.parameterCount, expectedStep: 1) }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("model.safetensors"))
        expectCheckpointError("missing") { _ = try Checkpoint.loadModel(from: dir) }
    }

    @Test func truncatedAndCorruptFiles() throws {
        let model = try smallModel()
        let dir = tempDir("corrupt")
        try Checkpoint.save(model: model, step: 1, training: nil, optimizer: nil, to: dir)
        let url = dir.appendingPathComponent("model.safetensors")
        let good = try Data(contentsOf: url)
        try good.prefix(good.count - 100).write(to: url)
        expectCheckpointError("truncated") { _ = try Checkpoint.loadModel(from: dir) }
        try good.prefix(5).write(to: url)
        expectCheckpointError("truncated") { _ = try Checkpoint.loadModel(from: dir) }
        var bad = good
        bad[10] = 0xFF; bad[11] = 0x00   // break the JSON header
        try bad.write(to: url)
        expectCheckpointError("not a JSON object") { _ = try Checkpoint.loadModel(from: dir) }
        bad = good
        bad[0] = 0xFF; bad[3] = 0x7F     // absurd header length
        try bad.write(to: url)
        expectCheckpointError("header length") { _ = try Checkpoint.loadModel(from: dir) }
        try Data("{ not json".utf8).write(to: dir.appendingPathComponent("config.json"))
        expectCheckpointError("not a valid checkpoint config") { _ = try Checkpoint.loadModel(from: dir) }
    }

    @Test func mismatchedConfigAndSteps() throws {
        let model = try smallModel()
        let dir = tempDir("mismatch")
        let n = model.parameterCount
        try Checkpoint.save(model: model, step: 5, training: nil,
                            optimizer: OptimizerState(m: FloatBuffer(count: n), v: FloatBuffer(count: n), step: 5, rngState: [0, 0, 0, 1]), to: dir)
        // config.json claims a wider model than the weights hold.
        var cfg = try Checkpoint.loadConfig(from: dir)
        cfg.model.mlpWidth = 32
        try JSONEncoder().encode(cfg).write(to: dir.appendingPathComponent("config.json"))
        expectCheckpointError("expected [32, 16]") { _ = try Checkpoint.loadModel(from: dir) }
        // A save interrupted between files: config from another step than the weights.
        cfg.model.mlpWidth = 64; cfg.step = 6
        try JSONEncoder().encode(cfg).write(to: dir.appendingPathComponent("config.json"))
        expectCheckpointError("step 5 but config.json says step 6") { _ = try Checkpoint.loadModel(from: dir) }
        expectCheckpointError("step 5 but config.json says step 6") { _ = try Checkpoint.loadOptimizer(from: dir, parameterCount: n, expectedStep: 6) }
        // An optimizer file for a different parameter count.
        expectCheckpointError("expected [\(n + 1)]") { _ = try Checkpoint.loadOptimizer(from: dir, parameterCount: n + 1, expectedStep: 5) }
        // Weights with an extra tensor (a learned-position file loaded into a RoPE config).
        let ropeCfg = ModelConfig(layers: 2, dModel: 16, heads: 2, contextLength: 12, vocabSize: model.config.vocabSize, positions: .rope)
        let rope = try Model(config: ropeCfg, tokenizer: model.tokenizer, parameters: nil)
        expectCheckpointError("wpe.weight") { try Checkpoint.loadWeights(into: rope, from: dir.appendingPathComponent("model.safetensors")) }
    }
}

@Suite("Model")
struct ModelTests {
    @Test func tokenizerAlphabetAndRoundTrip() throws {
        let t = try Tokenizer()
        for c in "0123456789+-*/^()[]{}<>.,;:%=|" { #expect(t.characters.contains(c)) }
        #expect(Tokenizer.pad == 0 && Tokenizer.bos == 1 && Tokenizer.eos == 2)
        let ids = try t.encode("(12.5*-3)%=7")
        #expect(ids.allSatisfy { $0 >= 3 })
        #expect(t.decode(ids + [Tokenizer.eos, 5]) == "(12.5*-3)%=7")
        #expect(throws: ModelError.self) { try t.encode("2×3") }
        #expect(throws: ModelError.self) { try Tokenizer(characters: "0120") }
        let json = try JSONEncoder().encode(t)
        #expect(try JSONDecoder().decode(Tokenizer.self, from: json) == t)
    }

    /// A reversing tokenizer shows the model numbers least-significant digit first and gives
    /// back ordinary text; its setting survives config.json, and old files' flag still reads.
    @Test func reversedNumbers() throws {
        let order = NumberOrder.reversed
        #expect(order.modelText("1592+388=1980") == "2951+883=0891")
        #expect(order.modelText("(12.5*-30)%=-3.75") == "(5.21*-03)%=-57.3")
        #expect(order.modelText(order.modelText("[7/0.25]+4%")) == "[7/0.25]+4%")
        let plain = try Tokenizer(), reversing = try Tokenizer(numberOrder: .reversed)
        let ids = try reversing.encode("12.5+30=42.5")
        #expect(ids == (try plain.encode("5.21+03=5.24")))
        #expect(reversing.decode(ids) == "12.5+30=42.5")
        #expect(throws: ModelError.unknownCharacter("×", position: 2)) { try reversing.encode("12×3") }
        #expect(reversing != plain)
        let json = try JSONEncoder().encode(reversing)
        #expect(try JSONDecoder().decode(Tokenizer.self, from: json) == reversing)
        let old = Data(#"{"special":["<pad>","<bos>","<eos>"],"characters":"0123456789+-*"}"#.utf8)
        #expect(try JSONDecoder().decode(Tokenizer.self, from: old).numberOrder == .asWritten)
        let oldReversed = Data(#"{"special":["<pad>","<bos>","<eos>"],"characters":"0123456789+-*","reversedNumbers":true}"#.utf8)
        #expect(try JSONDecoder().decode(Tokenizer.self, from: oldReversed).numberOrder == .reversed)
    }

    /// A chain with two long-division blocks and a product block, for the orders that change
    /// parts of long division only.
    static let longDivisionChain = "9949/51+908*7512={9949/51:51*2=102,51*3=153|99-51=48,1;484-459=25,19;259-255=4,195~195.1}"
        + "195.1+908*7512={7512*908=7512*900+7512*8=6760800+60096=6820896}195.1+6820896"
        + "={5576/1403.684=5576000/1403684:1403684*2=2807368|5576000-4211052=1364948,3;13649480-12633156=1016324,3.9~3.97}"

    /// Only a long-division block's table and lines are reversed (or only its lines'
    /// remainders, or its lines padded, with or without a product block's sums); its head, the
    /// quotients, the rounded result and the chain stay as written. `writtenText` undoes the
    /// map, and on every prefix the map agrees with the whole text's (decoding sees prefixes).
    @Test(arguments: [
        (NumberOrder.reversedInLongDivision,
         "9949/51+908*7512={9949/51:15*2=201,15*3=351|99-15=84,1;484-954=52,19;952-552=4,195~195.1}"
            + "195.1+908*7512={7512*908=7512*900+7512*8=6760800+60096=6820896}195.1+6820896"
            + "={5576/1403.684=5576000/1403684:4863041*2=8637082|0006755-2501124=8494631,3;08494631-65133621=4236101,3.9~3.97}"),
        (NumberOrder.reversedRemainders,
         "9949/51+908*7512={9949/51:51*2=102,51*3=153|99-51=84,1;484-459=52,19;259-255=4,195~195.1}"
            + "195.1+908*7512={7512*908=7512*900+7512*8=6760800+60096=6820896}195.1+6820896"
            + "={5576/1403.684=5576000/1403684:1403684*2=2807368|5576000-4211052=8494631,3;13649480-12633156=4236101,3.9~3.97}"),
        (NumberOrder.paddedInLongDivision,
         "9949/51+908*7512={9949/51:51*2=102,51*3=153|99-51=48,1;484-459=025,19;259-255=004,195~195.1}"
            + "195.1+908*7512={7512*908=7512*900+7512*8=6760800+60096=6820896}195.1+6820896"
            + "={5576/1403.684=5576000/1403684:1403684*2=2807368|5576000-4211052=1364948,3;13649480-12633156=01016324,3.9~3.97}"),
        (NumberOrder.padded,
         "9949/51+908*7512={9949/51:51*2=102,51*3=153|99-51=48,1;484-459=025,19;259-255=004,195~195.1}"
            + "195.1+908*7512={7512*908=7512*900+7512*8=06760800+00060096=06820896}195.1+6820896"
            + "={5576/1403.684=5576000/1403684:1403684*2=2807368|5576000-4211052=1364948,3;13649480-12633156=01016324,3.9~3.97}"),
    ])
    func blockOrders(_ order: NumberOrder, seen: String) throws {
        let text = Self.longDivisionChain
        #expect(order.modelText(text) == seen)
        #expect(order.writtenText(seen) == text)
        let chars = Array(text)
        for cut in 0...chars.count {
            let prefix = String(chars[..<cut])
            #expect(order.writtenText(order.modelText(prefix)) == prefix)
            if cut < chars.count, !Tokenizer.isDigit(chars[cut]), chars[cut] != "." {
                #expect(seen.hasPrefix(order.modelText(prefix)), "prefix of \(cut) characters")
            }
        }
        let tokenizer = try Tokenizer(numberOrder: order)
        #expect(try tokenizer.encode(text) == (try Tokenizer().encode(seen)))
        #expect(tokenizer.decode(try tokenizer.encode(text)) == text)
        #expect(try JSONDecoder().decode(Tokenizer.self, from: try JSONEncoder().encode(tokenizer)) == tokenizer)
        let model = try smallModel().withNumberOrder(order)
        #expect(model.tokenizer == tokenizer)
    }

    /// Padding a zero multiple or remainder fills the line's width with zeros, and reading it
    /// back leaves one.
    @Test func paddedZeros() {
        let order = NumberOrder.paddedInLongDivision
        let text = "{1840/9954:9954*2=19908|18400-9954=8446,1;84460-84460=0,18;40-0=40,180~180}"
        let seen = "{1840/9954:9954*2=19908|18400-09954=08446,1;84460-84460=00000,18;40-00=40,180~180}"
        #expect(order.modelText(text) == seen)
        #expect(order.writtenText(seen) == text)
    }

    /// `padded` widens a product block's sums to one digit more than the first partial
    /// product's whole part, below 1 too, leaves digits after a point, the rounded product and
    /// power blocks alone, and reading it back removes the zeros.
    @Test func paddedProducts() {
        let order = NumberOrder.padded
        let text = "{6575.0521239*54.93=6575.0521239*50+6575.0521239*4+6575.0521239*0.9+6575.0521239*0.03"
            + "=328752.606195+26300.2084956+5917.54691151+197.251563717=355052.8146906+5917.54691151+197.251563717"
            + "=360970.36160211+197.251563717=361167.613165827~361167.613166}361167.613166+0.25*0.37"
            + "={0.25*0.37=0.25*0.3+0.25*0.07=0.075+0.0175=0.0925}361167.613166+0.0925-12^3={12^3=12*12*12=144*12=1728}"
        let seen = "{6575.0521239*54.93=6575.0521239*50+6575.0521239*4+6575.0521239*0.9+6575.0521239*0.03"
            + "=0328752.606195+0026300.2084956+0005917.54691151+0000197.251563717=0355052.8146906+0005917.54691151+0000197.251563717"
            + "=0360970.36160211+0000197.251563717=0361167.613165827~361167.613166}361167.613166+0.25*0.37"
            + "={0.25*0.37=0.25*0.3+0.25*0.07=00.075+00.0175=00.0925}361167.613166+0.0925-12^3={12^3=12*12*12=144*12=1728}"
        #expect(order.modelText(text) == seen)
        #expect(order.writtenText(seen) == text)
    }

    @Test func presetSizes() throws {
        let v = try Tokenizer().vocabSize
        func count(_ n: String) -> Int { ParameterLayout(ModelConfig.preset(n, vocabSize: v)!).count }
        #expect((900_000...1_200_000).contains(count("tiny")))
        #expect((4_500_000...5_500_000).contains(count("small")))
        #expect((10_000_000...12_000_000).contains(count("base")))
        #expect(ModelConfig.preset("huge", vocabSize: v) == nil)
    }

    /// logits(for:) is causal (a prefix's logits don't depend on later tokens) and agrees with
    /// the batched forward pass; both position schemes.
    @Test(arguments: PositionScheme.allCases)
    func logitsAPIIsCausal(_ positions: PositionScheme) throws {
        let model = try smallModel(positions: positions)
        let V = model.config.vocabSize
        let seq = [1, 5, 9, 3, 3, 17, 40]
        let full = try model.logits(for: seq)
        let prefix = try model.logits(for: Array(seq.prefix(4)))
        for i in 0..<(4 * V) { #expect(abs(full[i] - prefix[i]) <= 1e-5 * max(1, abs(full[i]))) }
        #expect(full.count == seq.count * V)
        #expect(throws: ModelError.self) { try model.logits(for: Array(repeating: 4, count: 13)) }
        #expect(throws: ModelError.self) { try model.logits(for: [V]) }
    }
}
