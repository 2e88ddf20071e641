#!/usr/bin/env bash
# Type-checks the Swift code of documentation articles against the package: the ```swift blocks
# of each article, joined in order into one program, must compile.
#
#     Scripts/check-docs.sh [article.md ...]     (default: Sources/STBP/STBP.docc/Extending.md)
#
# It builds the shared library product like Scripts/run-script.sh (the same STBP_CONFIGURATION
# and STBP_SCRATCH_PATH settings) and runs swiftc -typecheck on each program.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
articles=("$@")
if [ ${#articles[@]} -eq 0 ]; then articles=("$root/Sources/STBP/STBP.docc/Extending.md"); fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for article in "${articles[@]}"; do
    program="$scratch/$(basename "$article" .md).swift"
    awk '/^```swift$/ { inside = 1; next } /^```$/ { inside = 0; next } inside { print }' "$article" > "$program"
    if [ ! -s "$program" ]; then
        echo "check-docs.sh: $article has no swift code blocks." >&2
        exit 1
    fi
    STBP_TYPECHECK=1 "$root/Scripts/run-script.sh" "$program"
    echo "$article: its Swift code compiles ($(grep -c '' "$program") lines)"
done
