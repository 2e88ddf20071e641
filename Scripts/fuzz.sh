#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (the package swift-stbp-fuzz) with the fuzzer and address
# sanitizers and runs them one after another, each from a copy of its seed corpus in
# Fuzz/Corpus/<target>/ (new inputs go to a temporary folder, never into the repository):
#
#     Scripts/fuzz.sh [--time SECONDS | --runs N] [--no-build] [target...] [-- libFuzzer options...]
#
# FuzzNIR reads raw HDF5 bytes too with STBP_FUZZ_NIR_RAW=1 (that mode fuzzes the system's
# libhdf5, which crashes on some corrupted files; see Docs/NIR.md).
# Targets: FuzzIDX FuzzIDXGzip FuzzCIFAR10 FuzzNMNIST FuzzAEDAT FuzzSafeTensors FuzzNetworkSpec
# FuzzCheckpoint FuzzNIR (all by default; the "Fuzz" prefix and case may be left out: `idx`, `aedat`).
# Each target runs for --time seconds (default 60) or --runs inputs, with
# -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10: a crash, a hang over 10 s, an allocation
# over 2 GB or a leak (LeakSanitizer; Fuzz/lsan-suppressions.txt lists the system libraries' own) fails it. Fuzz/Dictionaries/<target>.dict is used when
# present. Prints the executions, time and result per target and exits non-zero when any target
# failed; the failing input is kept in .build-fuzz/artifacts/<target>/ (replay it with
# `.build-fuzz/release/<target> <file>`). Builds in .build-fuzz (release, -O).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
all_targets=(FuzzIDX FuzzIDXGzip FuzzCIFAR10 FuzzNMNIST FuzzAEDAT FuzzSafeTensors FuzzNetworkSpec FuzzCheckpoint FuzzNIR)
scratch="$root/.build-fuzz"

limit=(-max_total_time=60)
build=1
targets=()
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --time) limit=("-max_total_time=$2"); shift 2 ;;
        --runs) limit=("-runs=$2"); shift 2 ;;
        --no-build) build=0; shift ;;
        --) shift; extra=("$@"); break ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *)
            wanted="$(echo "$1" | tr '[:upper:]' '[:lower:]')"
            match=""
            for target in "${all_targets[@]}"; do
                lower="$(echo "$target" | tr '[:upper:]' '[:lower:]')"
                if [ "$wanted" = "$lower" ] || [ "fuzz$wanted" = "$lower" ]; then match="$target"; fi
            done
            if [ -z "$match" ]; then
                echo "fuzz.sh: no target $1; the targets are ${all_targets[*]}" >&2
                exit 2
            fi
            targets+=("$match")
            shift
            ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then targets=("${all_targets[@]}"); fi

build_options=(--package-path "$root/Fuzz" --scratch-path "$scratch" -c release -Xswiftc -sanitize=fuzzer,address)
if [ "$build" -eq 1 ]; then
    echo "== building the fuzz targets (${scratch#"$root"/}, release, -sanitize=fuzzer,address)"
    for target in "${targets[@]}"; do
        # (ld.gold warns about an ASan symbol on every link; the warning is harmless.)
        swift build "${build_options[@]}" --product "$target" 2>&1 | { grep -v "Cannot export local symbol" || true; }
        if [ "${PIPESTATUS[0]}" -ne 0 ]; then
            echo "fuzz.sh: building $target failed" >&2
            exit 1
        fi
    done
fi
bin="$(swift build "${build_options[@]}" --show-bin-path)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0
summary=()
for target in "${targets[@]}"; do
    corpus="$work/$target"
    mkdir -p "$corpus"
    cp -R "$root/Fuzz/Corpus/$target/." "$corpus/"
    artifacts="$scratch/artifacts/$target"
    mkdir -p "$artifacts"
    log="$work/$target.log"
    dictionary=()
    if [ -f "$root/Fuzz/Dictionaries/$target.dict" ]; then
        dictionary=("-dict=$root/Fuzz/Dictionaries/$target.dict")
    fi
    echo "== $target (${limit[*]}, corpus of $(find "$corpus" -type f | wc -l) seeds)"
    start=$(date +%s%N)
    status=0
    LSAN_OPTIONS="suppressions=$root/Fuzz/lsan-suppressions.txt${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
        SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}" "$bin/$target" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" ${dictionary[@]+"${dictionary[@]}"} "${limit[@]}" ${extra[@]+"${extra[@]}"} \
        "$corpus" >"$log" 2>&1 || status=$?
    tenths=$((($(date +%s%N) - start) / 100000000))
    executions=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    if [ -z "$executions" ]; then
        executions=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
    fi
    coverage=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
    if [ "$status" -eq 0 ]; then
        result="ok"
    else
        failed=1
        artifact=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -1 | sed 's/Test unit written to //' || true)
        result="FAILED (exit $status${artifact:+, input $artifact})"
        echo "---- $target: the end of libFuzzer's output"
        grep -E "ERROR|Fatal error|SUMMARY|invariant|deadly signal|timeout|out-of-memory|malloc" "$log" | head -20 || true
        tail -n 30 "$log"
        echo "----"
    fi
    line=$(printf "%-16s %10s executions %6d.%d s  coverage %5s  %s" "$target" "${executions:-?}" \
        $((tenths / 10)) $((tenths % 10)) "${coverage:-?}" "$result")
    echo "$line"
    summary+=("$line")
done

echo "== fuzzing summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
