import Foundation
import Testing
import ReckonGenerator
@testable import ReckonEvaluation

@Suite struct StepRewriteTests {
    /// Whether each step of `question=chain` holds its form, in order.
    private func forms(_ question: String, _ chain: String, complete: Bool = true) -> [Bool] {
        let text = Array((question + "=" + chain).utf8), from = question.utf8.count + 1
        let generated = Array(text[from...])
        return StepRewrite.all(in: text, from: from, complete: complete).map { $0.holds(in: generated) }
    }

    /// The generator's own chains hold their form at every step, in the shipped model's format
    /// (blocks, negative results, percents, brackets) and the plain one.
    @Test func generatedChainsHoldTheirForm() throws {
        let recipe = try Recipe(contentsOf: repositoryRoot.appendingPathComponent("Generators/mathglm.json"))
        var steps = 0
        for format in [StepFormat.longdiv, .mathglm] {
            let generator = ExampleGenerator(recipe: recipe, format: format, seed: 9)
            for i in 0..<400 {
                let line = try generator.line(index: i)
                let equals = line.firstIndex(of: "=")!
                let found = forms(String(line[..<equals]), String(line[line.index(after: equals)...]))
                #expect(!found.contains(false), "\(format) example \(i): \(line)")
                steps += found.count
            }
        }
        #expect(steps > 2000, "too few steps read for the test to mean much")
    }

    /// The block heads of `question=chain`, each as written and whether it holds.
    private func heads(_ question: String, _ chain: String) -> [String] {
        let text = Array((question + "=" + chain).utf8), from = question.utf8.count + 1
        let generated = Array(text[from...])
        return BlockHead.all(in: text, from: from).map { "\(String(decoding: generated[$0.written], as: UTF8.self)) \($0.holds(in: generated))" }
    }

    /// The generator's blocks hold their heads: every long division's and every product's with
    /// terms, and nothing else is read as a head.
    @Test func generatedBlocksHoldTheirHeads() throws {
        let recipe = try Recipe(contentsOf: repositoryRoot.appendingPathComponent("Generators/mathglm.json"))
        let generator = ExampleGenerator(recipe: recipe, format: .longdiv, seed: 9)
        var read = 0, blocks = 0
        for i in 0..<400 {
            let line = try generator.line(index: i)
            let equals = line.firstIndex(of: "=")!
            let found = heads(String(line[..<equals]), String(line[line.index(after: equals)...]))
            #expect(found.allSatisfy { $0.hasSuffix(" true") }, "example \(i): \(line)")
            read += found.count
            blocks += line.count { $0 == "{" }
        }
        #expect(read > 300 && read <= blocks, "\(read) heads of \(blocks) blocks")
    }

    /// A head holds only as the operands give it, points moved; one cut by the text's end holds
    /// as far as it goes.
    @Test func miscopiedHeadsFail() {
        #expect(heads("5576/1403.684", "{5576/1403.684=5576000/1403684:1403684*2=2807368") == ["{5576/1403.684=5576000/1403684: true"])
        #expect(heads("5576/1403.684", "{5576/1403.684=557600/1403684:1403684*2=2807368") == ["{5576/1403.684=557600/1403684: false"])
        #expect(heads("8458/58", "{8458/5839:5839*2=11678") == ["{8458/5839: false"])
        #expect(heads("9.83/4.2", "{9.83/4.2=98.3/42:42*2=84") == ["{9.83/4.2=98.3/42: true"])
        #expect(heads("9.83/4.2", "{9.83/4.2=983/420:420*2=840") == ["{9.83/4.2=983/420: false"])
        #expect(heads("55%/-2467.097277", "{0.55/2467.097277=550000/2467097277:") == ["{0.55/2467.097277=550000/2467097277: true"])
        #expect(heads("2+1698*83.481178%", "{83.481178*1698=") == ["{83.481178*1698= false"])
        #expect(heads("2+1698*83.481178%", "{0.83481178*1698=0.83481178*1000+0.83481178*600+0.83481178*90+0.83481178*8=")
                == ["{0.83481178*1698=0.83481178*1000+0.83481178*600+0.83481178*90+0.83481178*8= true"])
        #expect(heads("2+1698*83.481178%", "{0.83481178*1698=0.83481178*1000+0.8") == ["{0.83481178*1698=0.83481178*1000+0.8 true"])
        #expect(heads("2+1698*83.481178%", "{0.83481178*1698=0.83481178*1000+0.9") == ["{0.83481178*1698=0.83481178*1000+0.9 false"])
        // A division block is known to be a long division by its `:`.
        #expect(heads("5576/1403.684", "{5576/1403.7") == [])
        #expect(heads("12*34+5", "{34*12=34*10+34*2=") == ["{34*12=34*10+34*2= false"])
        #expect(heads("2*34+5", "{2*34=68}68+5") == [])
    }

    /// A carried-over number miscopied, another operation done first, or a step that does not
    /// parse fails; the operation's result may be anything (its value is checked elsewhere).
    @Test func miscopiesAndOtherOperationsFail() {
        #expect(forms("2*3+4*5", "6+4*5=6+20=26") == [true, true, true])
        #expect(forms("2*3+4*5", "7+4*5") == [true])
        #expect(forms("2*3+4*5", "6+4*6") == [false])
        #expect(forms("2*3+4*5", "2*3+20") == [false])
        #expect(forms("1288+575-970+6653.022116202", "1863-970+6653.0221162022") == [false])
        #expect(forms("130960-9353%*5601", "130960-9353*5601") == [false])
        #expect(forms("130960-9353%*5601", "130960-523861.53") == [true])
        #expect(forms("5+[6051+(0.5-(-544-38))]", "5+[6051+(0.5-(-582)]") == [false])
        #expect(forms("5+[6051+(0.5-(-544-38))]", "5+[6051+(0.5--582)]") == [true])
    }

    /// A step out of form is false as text, so the checks take it however sure the model was
    /// (since session 68); a step in form is left to the other checks.
    @Test func stepsOutOfFormAreFalseAsText() {
        let question = "1288+575-970+6653.022116202", chain = "1863-970+6653.0221162022=893+6653.0221162022"
        let text = Array((question + "=" + chain).utf8), from = question.utf8.count + 1
        let steps = StepRewrite.all(in: text, from: from, complete: true)
        #expect(steps.map { CheckedLine.rewrite($0).isFalseAsText(in: Array(text[from...])) } == [true, false])
    }

    /// Each step's form as `StepRewrite.inForm` writes it (nil: none, or the step holds).
    private func inForm(_ question: String, _ chain: String) -> [String?] {
        let text = Array((question + "=" + chain).utf8), from = question.utf8.count + 1
        let generated = Array(text[from...])
        return StepRewrite.all(in: text, from: from, complete: true).map { s in
            s.inForm(in: generated).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// A step out of form is rewritten from text alone: what the step before carries over,
    /// copied again, with the model's result in place of the operation: its block's value, or
    /// the step's number that changes the text least.
    @Test func stepsAreRewrittenIntoForm() {
        // A miscopied operand, a percent dropped, a bracket dropped, another operation done first.
        #expect(inForm("2*3+4.25*5", "6+4.26*5=6+21.3=27.3") == ["6+4.25*5", nil, nil])
        #expect(inForm("2*3+61%", "6+61=6.61") == ["6+61%", nil])
        #expect(inForm("(1+2)*(3+4)", "3*(3+4=3*7=21") == ["3*(3+4)", nil, nil])
        #expect(inForm("(1121+1)+(5002/-2*2)/2.85", "1122+(5002/-2)*2/2.85") == ["1122+(5002/-2*2)/2.85"])
        // A block's value is the result, however the step is written; its sign goes with the form.
        #expect(inForm("7+12*34", "{12*34=12*30+12*4=360+48=408}7+400+8=415") == ["7+408", nil])
        #expect(inForm("7-12*-34", "{12*34=12*30+12*4=360+48=408}7--(408") == ["7--408"])
        #expect(inForm("7/3+1", "{7/3=7/3:3*2=6,3*3=9,3*4=12,3*5=15,3*6=18,3*7=21,3*8=24,3*9=27|7-6=1,2;10-9=1,2.3~2.333333333}2.333333333+2") == ["2.333333333+1"])
        // A digit dropped is one change, not a sign: `4578--` is nearer `45780--` than `45780-`.
        #expect(inForm("1+45780-4269/-1.5", "{4269/1.5=42690/15:15*2=30|42-30=12,2~2846}1+4578--2846") == ["1+45780--2846"])
        // A step carries its block's value: a product's, or an exact quotient's last line's.
        #expect(forms("7+12*34", "{12*34=12*30+12*4=360+48=408}7+480=487") == [false, true])
        #expect(inForm("7+12*34", "{12*34=12*30+12*4=360+48=408}7+480=487") == ["7+408", nil])
        #expect(inForm("5002/2+1", "{5002/2:2*2=4,2*3=6,2*4=8,2*5=10,2*6=12,2*7=14,2*8=16,2*9=18|5-4=1,2;10-10=0,25;0-0=0,250;2-2=0,2501}(0*2)+1")
                == ["2501+1"])
        // A product's sign is its operands', whatever the step wrote.
        #expect(inForm("3+2*-4", "3+8=11") == ["3+-8", nil])
        #expect(inForm("6.6--8994*5907/9617", "6.6-53127558/9617") == ["6.6--53127558/9617"])
        // A step in form has none.
        #expect(inForm("2*3+4*5", "6+4*5=6+20=26") == [nil, nil, nil])
    }

    /// Signs fold as the chain writes them; a direct final answer and an unfinished last step are
    /// not judged; a step after a block must carry the block's value.
    @Test func signsBlocksAndEndings() {
        #expect(forms("3-2*-4", "3--8=11") == [true, true])
        #expect(forms("3+2*-4", "3+-8") == [true])
        #expect(forms("3-(2-5)*4", "3--3*4") == [true])
        #expect(forms("2*3+4*5", "26") == [true])
        #expect(forms("2*3+4*5", "6+4*", complete: false) == [])
        #expect(forms("2*3+4*5", "6+4*5=", complete: false) == [true])
        #expect(forms("7-[5*4]", "{5*4=20}7-20=-13") == [true, true])
        #expect(forms("7-[5*4]", "{5*4=20}7-21=-13") == [false, true])
        #expect(forms("7-[5*4]+1", "{5*4=20}7-20+2") == [false])
        // A product's or quotient's sign is its operands' (since session 70); a sum's is not judged.
        #expect(forms("3+2*-4", "3+8=11") == [false, true])
        #expect(forms("3-2/-4", "3-0.5=2.5") == [false, true])
        #expect(forms("-3*-2+1", "6+1") == [true])
        #expect(forms("1+-3*-2", "1+-6") == [false])
        #expect(forms("0*-2+1", "0+1") == [true])
        #expect(forms("2+-5-1", "3-1") == [true])
        #expect(forms("-613*9225", "5654925") == [false])
        #expect(forms("-613*9225", "-5654925") == [true])
        #expect(forms("1-(2*3)", "1-6=-5") == [true, true])
        #expect(forms("-(2*3)", "-6") == [true])
    }

    /// A rewritten step is read again to its `=`, or to the end of a finished chain.
    @Test func rewrittenStepsAreReread() {
        let text = Array("2*3+4*5=6+4*5=6+20=26".utf8), from = "2*3+4*5=".utf8.count
        let second = StepRewrite.all(in: text, from: from, complete: true)[1]
        let chain = Array(text[from...])
        #expect(String(decoding: chain[second.expression], as: UTF8.self) == "6+20")
        let rewritten = Array("6+4*5=6+200=".utf8)
        let reread = second.reread(in: rewritten, complete: false)
        #expect(reread.map { String(decoding: rewritten[$0.expression], as: UTF8.self) } == "6+200")
        #expect(reread?.end == rewritten.count)
        #expect(second.reread(in: Array("6+4*5=6+2".utf8), complete: false) == nil)
        #expect(second.reread(in: Array("6+4*5=6+2".utf8), complete: true).map(\.end) == 9)
        #expect(second.reread(in: Array("6+4*5={4*5".utf8), complete: true) == nil)
    }
}
