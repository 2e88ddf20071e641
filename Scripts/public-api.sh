#!/usr/bin/env bash
# Prints the public API of every module of the package: one line per public declaration, a
# count per module and overall, and a flag on each public declaration without a doc comment.
#
#     Scripts/public-api.sh                 every declaration, then the counts
#     Scripts/public-api.sh --counts        the counts only
#     Scripts/public-api.sh --undocumented  only the declarations without a doc comment, and the counts
#     Scripts/public-api.sh --check         like --undocumented; exits with 1 when there is any
#
# How: `swift package dump-symbol-graph` builds the package (debug) and runs
# swift-symbolgraph-extract on each library module, at the default minimum access level
# (public: `package`, internal and private declarations are left out). It writes
# <Module>.symbols.json, plus <Module>@<Other>.symbols.json for extensions of another module's
# types, under .build/<triple>/symbolgraph; python3 reads them. Works with Swift 6.3 on Linux,
# where `swift api-digester -dump-sdk` needs more setup (SDK and module search paths).
#   --skip-synthesized-members  leaves out members a type only inherits (protocol extensions'
#                               default implementations, such as `!=` from Equatable), which
#                               users see but which have no declaration in this package.
# Inherited docs are kept (no --skip-inherited-docs), because DocC shows them: a member with no
# doc comment of its own that implements a protocol requirement (or is a protocol extension's
# default implementation of one) carries the requirement's doc comment, `docComment.module`
# naming the requirement's module, and `sourceOrigin` on its memberOf relationship naming the
# requirement. `docc convert` (without --enable-inherited-docs) renders such a member with the
# requirement's documentation when the requirement is in the member's own module (a layer's
# `forward` shows `Layer.forward`'s), and with only "Inherited from `Equatable.==(_:_:)`." when
# it is in another one: the standard library's Equatable, Hashable, Codable and
# CustomStringConvertible, ArgumentParser's, or another module of this package. So a
# declaration counts as documented when it has a doc comment of its own or implements a
# documented requirement of its own module; the listing marks the latter "[docs of <requirement>]".
# Members the compiler writes without any source (`init(rawValue:)` of an enum with raw values)
# are listed and counted, marked "synthesized", and not flagged.
#
# Line format: <module>  <kind>  <path>  <declaration>  <file>:<line>  [UNDOCUMENTED | [docs of <requirement>]]
# Only the Swift library targets are listed (from `swift package describe`): executables (the
# tool, the examples) and tests are left out, and the C target CSTBPKernels too; the umbrella
# module STBP only re-exports, so it counts 0. Set STBP_SCRATCH_PATH for another build folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode="${1:-all}"
case "$mode" in
    all | --counts | --undocumented | --check) ;;
    *)
        echo "usage: $0 [--counts | --undocumented | --check]" >&2
        exit 2
        ;;
esac
options=(--package-path "$root")
if [ -n "${STBP_SCRATCH_PATH:-}" ]; then options+=(--scratch-path "$STBP_SCRATCH_PATH"); fi
# SwiftPM also tries the test targets' combined modules (swift_stbpPackageTests,
# swift_stbpPackageDiscoveredTests), which swift-symbolgraph-extract cannot load: it reports
# those two errors and exits with 1 after writing every library's graph. Any other error counts.
status=0
log="$(swift package "${options[@]}" dump-symbol-graph --skip-synthesized-members 2>&1)" ||
    status=$?
folder="$(printf '%s\n' "$log" | sed -n 's/^Files written to //p' | tail -n 1)"
other_errors="$(printf '%s\n' "$log" | grep '^error:' | grep -v "for 'swift_stbpPackage\(Discovered\)\?Tests'" || true)"
if [ -z "$folder" ] || [ ! -d "$folder" ] || { [ "$status" -ne 0 ] && [ -n "$other_errors" ]; }; then
    echo "$log" >&2
    echo "public-api.sh: cannot find the symbol graph folder in the output above." >&2
    exit 1
fi

# The package's Swift library modules (the graph folder may also hold the test bundle's modules).
description="$(swift package "${options[@]}" describe --type json)"

exec python3 - "$folder" "$mode" "$root" "$description" <<'PYTHON'
import glob
import json
import os
import sys

folder, mode, root = sys.argv[1], sys.argv[2], sys.argv[3]
targets = json.loads(sys.argv[4])["targets"]
modules = {  # module -> list of (file, line, text, flagged)
    target["name"]: []
    for target in targets
    if target["type"] == "library" and target.get("module_type") == "SwiftTarget"
}
graphs = []  # (module, graph)
for path in sorted(glob.glob(os.path.join(folder, "*.symbols.json"))):
    module = os.path.basename(path)[: -len(".symbols.json")].split("@")[0]
    if module in modules:
        with open(path) as handle:
            graphs.append((module, json.load(handle)))


def doc_key(symbol):
    """Where a symbol's doc comment was written (file and first line), or None."""
    comment = symbol.get("docComment") or {}
    lines = comment.get("lines") or [{}]
    return comment.get("uri"), lines[0].get("range", {}).get("start", {}).get("line")


# A member's requirement or protocol extension member it stands for: the `sourceOrigin` of its
# memberOf or defaultImplementationOf relationship.
keys = {symbol["identifier"]["precise"]: doc_key(symbol) for _, graph in graphs for symbol in graph["symbols"]}
origins = {
    relationship["source"]: relationship["sourceOrigin"]
    for _, graph in graphs
    for relationship in graph["relationships"]
    if "sourceOrigin" in relationship
}
for module, graph in graphs:
    rows = modules[module]
    for symbol in graph["symbols"]:
        kind = symbol["kind"]["identifier"].removeprefix("swift.")
        name = ".".join(symbol["pathComponents"])
        declaration = " ".join("".join(part["spelling"] for part in symbol["declarationFragments"]).split())
        location = symbol.get("location")
        if location:
            file = location["uri"].removeprefix("file://")
            file = os.path.relpath(file, root) if file.startswith(root + "/") else file
            line = location["position"]["line"] + 1
            where = f"{file}:{line}"
        else:
            file, line, where = "~", 0, "synthesized"
        comment = symbol.get("docComment") or {}
        # A doc comment from another module (a requirement of Equatable, ...) is not shown by DocC.
        own_module = comment.get("module", module) == module
        documented = own_module and any(entry["text"].strip() for entry in comment.get("lines", []))
        flagged = location is not None and not documented
        text = f"{module}  {kind}  {name}  {declaration}  {where}" + ("  UNDOCUMENTED" if flagged else "")
        origin = origins.get(symbol["identifier"]["precise"])
        if documented and origin and keys.get(origin["identifier"]) == doc_key(symbol):
            text += f"  [docs of {origin['displayName']}]"
        rows.append((file, line, text, flagged))

total = undocumented = 0
summary = []
for module in sorted(modules):
    rows = sorted(modules[module])
    flagged = sum(1 for row in rows if row[3])
    total += len(rows)
    undocumented += flagged
    summary.append(f"{module}: {len(rows)} public declarations, {flagged} without a doc comment")
    if mode == "all":
        for row in rows:
            print(row[2])
    elif mode in ("--undocumented", "--check"):
        for row in rows:
            if row[3]:
                print(row[2])
if mode != "--counts":
    print()
for line in summary:
    print(line)
print(f"All modules: {total} public declarations, {undocumented} without a doc comment")
if mode == "--check" and undocumented:
    sys.exit(1)
PYTHON
