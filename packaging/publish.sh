#!/usr/bin/env bash
# Builds Gatehouse as one self-contained executable per Linux architecture: no .NET SDK or runtime needed where it runs.
#
#   packaging/publish.sh                      # linux-x64 and linux-arm64
#   packaging/publish.sh linux-x64            # one architecture
#
# For the machine's own architecture the executable is compiled ahead of time (Native AOT: machine code, no JIT, a
# third of the memory; needs clang, as `apt-get install clang` gives). For another architecture, or with
# GATEHOUSE_PUBLISH=single-file, it is the runtime and the IL in one file, compiled as it runs (docs/install.md).
#
# Output: artifacts/publish/RID/gatehouse (set GATEHOUSE_ARTIFACTS to write elsewhere). The build's own bin/ and obj/
# go under artifacts/build, apart from the source tree's, so a publish never disturbs a Debug build or a test run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
artifacts=${GATEHOUSE_ARTIFACTS:-$root/artifacts}
rids=("$@")
((${#rids[@]})) || rids=(linux-x64 linux-arm64)

for rid in "${rids[@]}"; do
  case "$rid" in
    linux-x64 | linux-arm64) ;;
    *) echo "publish.sh: $rid is not linux-x64 or linux-arm64" >&2; exit 2 ;;
  esac

  out="$artifacts/publish/$rid"
  rm -rf "$out"
  mode=${GATEHOUSE_PUBLISH:-}
  if [[ -z $mode ]]; then
    case "$(uname -m)/$rid" in
      x86_64/linux-x64 | aarch64/linux-arm64) mode=aot ;;
      *) mode=single-file ;;
    esac
  fi
  case "$mode" in
    # Native AOT: trimmed and compiled to machine code; the build fails on any trimming or AOT warning.
    # Compiled for speed, and on x64 for the x86-64-v3 level (AVX2: every x64 server CPU since 2015), which the
    # span searches of HTTP parsing use; GATEHOUSE_INSTRUCTION_SET=x86-64-v2 builds for older CPUs.
    aot)
      how=(-p:PublishAot=true -p:StripSymbols=true -p:OptimizationPreference=Speed)
      [[ $rid == linux-x64 ]] && how+=(-p:IlcInstructionSet="${GATEHOUSE_INSTRUCTION_SET:-x86-64-v3}")
      ;;
    # Single file: the runtime's native parts are linked into the host, so the executable is the whole program.
    single-file) how=(-p:PublishSingleFile=true) ;;
    *) echo "publish.sh: GATEHOUSE_PUBLISH=$mode is not aot or single-file" >&2; exit 2 ;;
  esac
  # DebugType=none: no .pdb files beside it.
  dotnet publish "$root/src/Gatehouse/Gatehouse.csproj" \
    --configuration Release --runtime "$rid" --self-contained \
    --artifacts-path "$artifacts/build" --output "$out" \
    "${how[@]}" -p:DebugType=none -p:GenerateDocumentationFile=false \
    -nologo -clp:ErrorsOnly
  # Keep the executable and the schema (for editors); drop what ASP.NET Core's SDK adds for static web assets, and
  # the AOT build's separate debug symbols.
  find "$out" -mindepth 1 -maxdepth 1 ! -name gatehouse ! -name gatehouse.schema.json -exec rm -rf {} +
  echo "$out/gatehouse"
done
