import Foundation

/// A network written in the paper's notation, e.g. "32C3-AP2-32C3-AP2-128FC-10" or
/// "128C3(Encoding)-128C3-AP2-384C3-384C3-AP2-1024FC-512FC-Voting".
///
/// Tokens are separated by '-'; token i (0-based) owns the parameters `layers.<i>.weight` and
/// `layers.<i>.bias`. The grammar (Docs/Semantics.md has the table):
///
///     <n>C<k>[s<stride>][p<padding>][(Encoding)]   conv, n maps, k x k, stride 1, padding k/2, then LIF
///     AP<k>[s<stride>]                             average pooling, stride k by default
///     NN[<decay>]                                  NeuNorm after the previous spikes (decay 0.9)
///     D<p>                                         dropout with probability p
///     <n>FC  or  <n>                               dense to n LIF neurons (the last one is the output)
///     Voting[<votes>]                              dense to classes × votes LIF neurons, averaged per class
public struct NetworkSpec: Sendable, Hashable, CustomStringConvertible {
    /// One parsed token.
    public enum Token: Sendable, Hashable {
        /// `<n>C<k>[s<stride>][p<padding>][(Encoding)]`: a k x k convolution to n maps, then LIF
        /// neurons; `encoding` is the `(Encoding)` mark, allowed on the first layer only, which
        /// changes nothing else.
        case conv(outputChannels: Int, kernelSize: Int, stride: Int, padding: Int, encoding: Bool)
        /// `AP<k>[s<stride>]`: average pooling over k x k windows.
        case averagePool(kernelSize: Int, stride: Int)
        /// `NN[<decay>]`: NeuNorm, with the options' decay when nil.
        case neuNorm(decay: Float?)
        /// `D<p>`: dropout with probability p.
        case dropout(probability: Float)
        /// `<n>FC` or `<n>`: a dense layer to n outputs, then LIF neurons.
        case dense(outputs: Int)
        /// `Voting[<votes>]`: a dense layer to classes × votes LIF neurons averaged per class, with
        /// the options' votes when nil.
        case voting(votes: Int?)
    }

    /// The spec as written.
    public let text: String
    /// The tokens, in order; a token's index names its parameters.
    public let tokens: [Token]
    /// Each token as written.
    public let tokenTexts: [String]

    /// The spec as written (`text`).
    public var description: String { text }

    /// Parses `text`; throws `NetworkSpecError` naming the bad token, its position and what was expected.
    public init(_ text: String) throws(NetworkSpecError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw NetworkSpecError(spec: text, token: "", index: 0, expected: "at least one layer, e.g. 32C3-AP2-10")
        }
        let pieces = trimmed.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        var tokens: [Token] = []
        for (index, piece) in pieces.enumerated() {
            guard let token = NetworkSpec.parseToken(piece) else {
                throw NetworkSpecError(
                    spec: text, token: piece, index: index,
                    expected: "a layer such as 128C3, 128C3s2p0, 128C3(Encoding), AP2, NN, D0.5, 1024FC, 10 or Voting")
            }
            if case .conv(_, _, _, _, true) = token, index != 0 {
                throw NetworkSpecError(
                    spec: text, token: piece, index: index, expected: "(Encoding) only on the first layer")
            }
            tokens.append(token)
        }
        switch tokens.last {
        case .dense, .voting: break
        default:
            throw NetworkSpecError(
                spec: text, token: pieces.last ?? "", index: pieces.count - 1,
                expected: "an output layer at the end: a dense layer (e.g. 10) or Voting")
        }
        if let votingIndex = tokens.firstIndex(where: { if case .voting = $0 { true } else { false } }),
            votingIndex != tokens.count - 1
        {
            throw NetworkSpecError(
                spec: text, token: pieces[votingIndex], index: votingIndex, expected: "Voting only as the last layer")
        }
        self.text = trimmed
        self.tokens = tokens
        self.tokenTexts = pieces
    }

    /// Parses one token, or nil when it matches no layer.
    static func parseToken(_ raw: String) -> Token? {
        var scanner = TokenScanner(raw)
        if scanner.consume("Voting") {
            let votes = scanner.integer()
            guard scanner.atEnd, votes.map({ $0 >= 1 }) ?? true else { return nil }
            return .voting(votes: votes)
        }
        if scanner.consume("AP") {
            guard let kernel = scanner.integer(), kernel >= 1 else { return nil }
            var stride = kernel
            if scanner.consume("s") {
                guard let value = scanner.integer(), value >= 1 else { return nil }
                stride = value
            }
            return scanner.atEnd ? .averagePool(kernelSize: kernel, stride: stride) : nil
        }
        if scanner.consume("NN") {
            if scanner.atEnd { return .neuNorm(decay: nil) }
            guard let decay = scanner.decimal(), decay >= 0, decay < 1, scanner.atEnd else { return nil }
            return .neuNorm(decay: decay)
        }
        if scanner.consume("D") {
            guard let p = scanner.decimal(), p >= 0, p < 1, scanner.atEnd else { return nil }
            return .dropout(probability: p)
        }
        guard let count = scanner.integer(), count >= 1 else { return nil }
        if scanner.atEnd { return .dense(outputs: count) }
        if scanner.consume("FC") { return scanner.atEnd ? .dense(outputs: count) : nil }
        guard scanner.consume("C"), let kernel = scanner.integer(), kernel >= 1 else { return nil }
        var stride = 1, padding = kernel / 2, encoding = false
        if scanner.consume("s") {
            guard let value = scanner.integer(), value >= 1 else { return nil }
            stride = value
        }
        if scanner.consume("p") {
            guard let value = scanner.integer() else { return nil }
            padding = value
        }
        if scanner.consume("(Encoding)") { encoding = true }
        return scanner.atEnd
            ? .conv(outputChannels: count, kernelSize: kernel, stride: stride, padding: padding, encoding: encoding)
            : nil
    }
}

/// A spec that does not parse: the token, its 0-based position and what was expected there.
public struct NetworkSpecError: Error, CustomStringConvertible, Equatable {
    /// The whole spec.
    public let spec: String
    /// The token that does not parse, as written ("" for an empty spec).
    public let token: String
    /// The token's 0-based position.
    public let index: Int
    /// What was expected there, e.g. "an output layer at the end: a dense layer (e.g. 10) or Voting".
    public let expected: String

    /// "Network spec "<spec>": token <index> "<token>" is not valid; expected <expected>."
    public var description: String {
        "Network spec \"\(spec)\": token \(index) \"\(token)\" is not valid; expected \(expected)."
    }
}

/// Reads a token left to right.
struct TokenScanner {
    private let characters: [Character]
    private var position = 0

    init(_ text: String) { characters = Array(text) }

    var atEnd: Bool { position == characters.count }

    /// Consumes `literal` if the remaining text starts with it.
    mutating func consume(_ literal: String) -> Bool {
        let expected = Array(literal)
        guard characters.count - position >= expected.count,
            Array(characters[position..<(position + expected.count)]) == expected
        else { return false }
        position += expected.count
        return true
    }

    /// Consumes a run of digits.
    mutating func integer() -> Int? {
        let start = position
        while position < characters.count, characters[position].isASCII, characters[position].isNumber { position += 1 }
        guard position > start, position - start <= 9 else { return nil }
        return Int(String(characters[start..<position]))
    }

    /// Consumes a decimal number such as 0.5 or .25.
    mutating func decimal() -> Float? {
        let start = position
        while position < characters.count, characters[position].isNumber || characters[position] == "." {
            position += 1
        }
        guard position > start else { return nil }
        return Float(String(characters[start..<position]))
    }
}
