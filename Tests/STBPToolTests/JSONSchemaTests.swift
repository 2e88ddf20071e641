import Foundation
import STBP
import Testing

@testable import STBPTraining

extension JSONValue {
    /// The JSON document `text`.
    init(parsing text: String) throws { self = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
}

/// The schemas of Docs/JSON.md: each `### Name` heading followed by a table of key, type and
/// meaning is an object; "Exactly one key." under a heading makes it an enumeration.
struct JSONSchema {
    indirect enum Kind: CustomStringConvertible {
        case string, number, integer, boolean, null, metric
        case literal(String)
        case array(Kind)
        case map(Kind)
        case object(String)
        case oneOf([Kind])

        var description: String {
            switch self {
            case .string: "string"
            case .number: "number"
            case .integer: "integer"
            case .boolean: "boolean"
            case .null: "null"
            case .metric: "metric"
            case .literal(let text): "\"\(text)\""
            case .array(let element): "array of \(element)"
            case .map(let value): "map of \(value)"
            case .object(let name): name
            case .oneOf(let kinds): kinds.map(\.description).joined(separator: " or ")
            }
        }
    }

    struct Field {
        let key: String
        /// For a key with a placeholder (`firing_rate.<path>`): what matches it.
        let pattern: Regex<AnyRegexOutput>?
        let kind: Kind
        let optional: Bool
    }

    struct Object {
        var fields: [Field] = []
        var exactlyOne = false
    }

    var objects: [String: Object] = [:]

    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Docs/JSON.md").standardizedFileURL

    init(markdown: String) throws {
        var current: String?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("#") {
                let title = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
                current = line.hasPrefix("### ") && title.allSatisfy({ $0.isLetter || $0.isNumber }) ? title : nil
                if let current { objects[current] = Object() }
                continue
            }
            guard let name = current else { continue }
            if line.contains("Exactly one key") { objects[name]!.exactlyOne = true }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard line.hasPrefix("|"), cells.count == 3, cells[0] != "key", !cells[0].hasPrefix("---") else { continue }
            let key = cells[0].replacingOccurrences(of: "`", with: "")
            var type = cells[1].replacingOccurrences(of: "`", with: "")
            let optional = type.hasSuffix(", optional")
            if optional { type.removeLast(", optional".count) }
            var pattern: Regex<AnyRegexOutput>? = nil
            if key.contains("<") {
                let parts = key.split(separator: /<[a-z]+>/, omittingEmptySubsequences: false)
                pattern = try Regex(
                    "^" + parts.map { NSRegularExpression.escapedPattern(for: String($0)) }.joined(separator: ".+")
                        + "$")
            }
            objects[name]!.fields.append(
                Field(key: key, pattern: pattern, kind: try Self.kind(type), optional: optional))
        }
        for (name, object) in objects {
            for field in object.fields { try check(field.kind, in: "\(name).\(field.key)") }
        }
    }

    /// Parses a type: `array of T` and `map of T` take the rest; otherwise alternatives split on " or ".
    static func kind(_ text: String) throws -> Kind {
        if text.hasPrefix("array of ") { return .array(try kind(String(text.dropFirst("array of ".count)))) }
        if text.hasPrefix("map of ") { return .map(try kind(String(text.dropFirst("map of ".count)))) }
        let alternatives = text.components(separatedBy: " or ")
        if alternatives.count > 1 { return .oneOf(try alternatives.map(kind)) }
        switch text {
        case "string": return .string
        case "number": return .number
        case "integer": return .integer
        case "boolean": return .boolean
        case "null": return .null
        case "metric": return .metric
        default:
            if text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") {
                return .literal(String(text.dropFirst().dropLast()))
            }
            guard text.first?.isUppercase == true, text.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                throw SchemaError("\"\(text)\" is not a type")
            }
            return .object(text)
        }
    }

    /// Checks that every object a type names is defined.
    func check(_ kind: Kind, in place: String) throws {
        switch kind {
        case .object(let name):
            guard objects[name] != nil else { throw SchemaError("\(place): no object \(name) in Docs/JSON.md") }
        case .array(let inner), .map(let inner): try check(inner, in: place)
        case .oneOf(let kinds): for inner in kinds { try check(inner, in: place) }
        default: break
        }
    }

    struct SchemaError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// What keeps `value` from being a `kind`, at `path`; `seen` collects the documented keys met.
    func problems(_ value: JSONValue, _ kind: Kind, at path: String, seen: inout Set<String>) -> [String] {
        let fits: Bool
        switch (kind, value) {
        case (.string, .string), (.number, .number), (.boolean, .bool), (.null, .null): fits = true
        case (.integer, .number(let number)): fits = number.isFinite && number == number.rounded()
        case (.metric, .number): fits = true
        case (.metric, .string(let text)): fits = ["nan", "inf", "-inf"].contains(text)
        case (.literal(let expected), .string(let text)): fits = text == expected
        case (.array(let element), .array(let values)):
            return values.enumerated().flatMap { problems($1, element, at: "\(path)[\($0)]", seen: &seen) }
        case (.map(let inner), .object(let object)):
            return object.keys.sorted().flatMap { problems(object[$0]!, inner, at: "\(path).\($0)", seen: &seen) }
        case (.object(let name), .object(let object)):
            return problems(object, name, at: path, seen: &seen)
        case (.oneOf(let kinds), _):
            for inner in kinds {
                var innerSeen = seen
                if problems(value, inner, at: path, seen: &innerSeen).isEmpty {
                    seen = innerSeen
                    return []
                }
            }
            fits = false
        default: fits = false
        }
        return fits ? [] : ["\(path): \(value) is not \(kind)"]
    }

    /// What keeps `object` from being the object `name`: undocumented keys, missing keys, wrong types.
    func problems(_ object: [String: JSONValue], _ name: String, at path: String, seen: inout Set<String>) -> [String] {
        let schema = objects[name]!
        var found: [String] = []
        for key in object.keys.sorted() {
            guard
                let field = schema.fields.first(where: { $0.key == key })
                    ?? schema.fields.first(where: { $0.pattern.map { key.wholeMatch(of: $0) != nil } ?? false })
            else {
                found.append("\(path).\(key): not documented in \(name)")
                continue
            }
            seen.insert("\(name).\(field.key)")
            found += problems(object[key]!, field.kind, at: "\(path).\(key)", seen: &seen)
        }
        for field in schema.fields where field.pattern == nil && !field.optional && object[field.key] == nil {
            found.append("\(path): missing \(field.key) (\(name))")
        }
        if schema.exactlyOne && object.count != 1 {
            found.append("\(path): \(name) has exactly one key, not \(object.count)")
        }
        return found
    }

    /// Every documented key, as "Object.key".
    var allKeys: Set<String> { Set(objects.flatMap { name, object in object.fields.map { "\(name).\($0.key)" } }) }
}

/// Every JSON the tool prints or writes, held to its schema in Docs/JSON.md.
@Suite(.serialized) struct JSONSchemaTests {
    let schema: JSONSchema

    init() throws {
        schema = try JSONSchema(markdown: String(contentsOf: JSONSchema.document, encoding: .utf8))
    }

    /// Checks `text` (one JSON document) against `object`, recording any problem.
    func expect(
        _ text: String, is object: String, what: String, seen: inout Set<String>,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            let problems = schema.problems(try JSONValue(parsing: text), .object(object), at: what, seen: &seen)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(what) is not JSON (\(error)): \(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func docsJSONDefinesEveryObjectItUses() throws {
        for name in [
            "Evaluation", "BenchReport", "RunConfiguration", "TrainingConfiguration", "StepRecord", "EpochRecord",
        ] {
            #expect(schema.objects[name] != nil, "Docs/JSON.md has no ### \(name)")
        }
        #expect(schema.objects["Evaluation"]?.fields.count == 6)
    }

    @Test func theToolsOutputHasEveryDocumentedKeyAndNoOther() throws {
        let setup = try BadInputTests.Setup()
        defer { setup.scratch.remove() }
        var seen: Set<String> = []

        // configuration.json and metrics.jsonl (step and epoch records) of a run of the tool,
        // holding validation samples out.
        let train = try Executables.run("stbp", setup.train("run", ["--log-every", "1", "--validation", "5"]))
        #expect(train.status == 0, "\(train.error)")
        let run = setup.scratch.url.appendingPathComponent("run")
        expect(
            try String(contentsOf: run.appendingPathComponent("configuration.json"), encoding: .utf8),
            is: "RunConfiguration", what: "configuration.json", seen: &seen)
        let lines = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(
            lines.contains { $0.contains("\"kind\":\"step\"") } && lines.contains { $0.contains("\"kind\":\"epoch\"") })
        for (index, line) in lines.enumerated() {
            let kind = line.contains("\"kind\":\"step\"") ? "StepRecord" : "EpochRecord"
            expect(line, is: kind, what: "metrics.jsonl line \(index + 1)", seen: &seen)
        }

        // stbp evaluate --json on the run's checkpoint.
        let evaluate = try Executables.run(
            "stbp",
            [
                "evaluate", "--checkpoint", run.appendingPathComponent("checkpoint-best.safetensors").path, "--data",
                setup.data, "--threads", "1", "--json",
            ])
        #expect(evaluate.status == 0, "\(evaluate.error)")
        expect(
            evaluate.output.trimmingCharacters(in: .whitespacesAndNewlines), is: "Evaluation", what: "evaluate --json",
            seen: &seen)
        let evaluation = try JSONDecoder().decode(Evaluation.self, from: Data(evaluate.output.utf8))
        let parsed = try JSONValue(parsing: evaluate.output)
        if case .object(let object) = parsed {
            #expect(object["count"] == .number(Double(evaluation.count)) && evaluation.count == 10)
            #expect(object["accuracy"] == .number(evaluation.accuracy))
            #expect(
                object["perClassAccuracy"]
                    == .array(evaluation.perClassAccuracy.map { $0.map(JSONValue.number) ?? .null }))
        }

        // stbp bench --json on a small network, calibrated to a firing rate, the dense path beside.
        let bench = try Executables.run(
            "stbp",
            [
                "bench", "--model", "4C3-AP2-10", "--input-shape", "1x8x8", "--time-steps", "2", "--batch-size", "2",
                "--iterations", "1", "--threads", "1", "--firing-rate", "0.2", "--against-dense", "--json",
            ])
        #expect(bench.status == 0, "\(bench.error)")
        let benchLine = bench.output.split(separator: "\n").last.map(String.init) ?? ""
        expect(benchLine, is: "BenchReport", what: "bench --json", seen: &seen)

        // The configuration's other shapes, written by the same code: a network composed in
        // Swift (no spec), orthogonal weights, step and cosine decay, SGD.
        let variants: [TrainingConfiguration] = [
            TrainingConfiguration(
                spec: nil, inputShape: [2, 34, 34],
                network: NetworkOptions(
                    neuron: LIF(surrogate: .arctan(width: 2)), initialization: .orthogonal(gain: 1.5)),
                optimizer: OptimizerConfiguration(kind: .sgd, learningRate: 0.1),
                schedule: LearningRateSchedule(decay: .step(milestones: [40, 80], factor: 0.1), warmupSteps: 10)),
            TrainingConfiguration(
                spec: "10", inputShape: [3, 32, 32], encoding: .bernoulli, loss: .crossEntropy,
                schedule: LearningRateSchedule(decay: .cosine(epochs: 100, minimumFactor: 0.01))),
        ]
        for (index, configuration) in variants.enumerated() {
            let folder = try RunFolder(setup.scratch.url.appendingPathComponent("variant-\(index)"))
            try folder.writeConfiguration(configuration, dataset: "nmnist", command: ["stbp", "train"])
            expect(
                try String(contentsOf: folder.configurationURL, encoding: .utf8), is: "RunConfiguration",
                what: "configuration.json (variant \(index))", seen: &seen)
        }

        // Every documented key was met: the document describes nothing that is not written.
        let unseen = schema.allKeys.subtracting(seen)
        #expect(unseen.isEmpty, "documented in Docs/JSON.md but never written: \(unseen.sorted())")
    }

    @Test func theCheckerFindsWhatIsWrong() throws {
        var seen: Set<String> = []
        // Numbers and booleans stay apart.
        #expect(try JSONValue(parsing: "1") == .number(1) && JSONValue(parsing: "true") == .bool(true))
        let good =
            #"{"accuracy":0.5,"confusion":[[1,0],[1,0]],"count":2,"firingRates":{"0":0.1},"loss":"nan","perClassAccuracy":[1,null]}"#
        #expect(schema.problems(try JSONValue(parsing: good), .object("Evaluation"), at: "e", seen: &seen).isEmpty)
        let cases: [(String, String)] = [
            (good.replacingOccurrences(of: #""count":2,"#, with: ""), "missing count"),
            (good.replacingOccurrences(of: #""count":2"#, with: #""count":2,"extra":1"#), "extra: not documented"),
            (good.replacingOccurrences(of: #""count":2"#, with: #""count":2.5"#), "e.count: 2.5 is not integer"),
            (good.replacingOccurrences(of: #""count":2"#, with: #""count":true"#), "e.count: true is not integer"),
            (good.replacingOccurrences(of: #""loss":"nan""#, with: #""loss":"many""#), "is not metric"),
            (good.replacingOccurrences(of: "[1,null]", with: #"[1,"x"]"#), "perClassAccuracy[1]"),
        ]
        for (text, problem) in cases {
            let found = schema.problems(try JSONValue(parsing: text), .object("Evaluation"), at: "e", seen: &seen)
            #expect(found.contains { $0.contains(problem) }, "\(text): \(found)")
        }
        let enumeration = #"{"constant":{},"cosine":{"epochs":1,"minimumFactor":0}}"#
        #expect(
            schema.problems(try JSONValue(parsing: enumeration), .object("Decay"), at: "d", seen: &seen)
                .contains { $0.contains("exactly one key") })
    }
}
