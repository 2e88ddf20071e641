import FuzzSupport
import STBP

/// The network spec parser on the input as UTF-8 text (invalid bytes become U+FFFD); a spec it
/// accepts must parse again from its own text to the same tokens. A `NetworkSpecError` is the
/// expected outcome for bad input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    expectingOnly(NetworkSpecError.self, from: "NetworkSpec(_:)") {
        let spec = try NetworkSpec(text)
        check(spec.tokens.count == spec.tokenTexts.count, "tokens and token texts differ in number")
        let again: NetworkSpec
        do {
            again = try NetworkSpec(spec.text)
        } catch {
            fatalError("the parser rejects the text of a spec it accepted: \(error)")
        }
        check(again.tokens == spec.tokens, "a spec parses to other tokens from its own text")
    }
    return 0
}
