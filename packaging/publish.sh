#!/usr/bin/env bash
# Builds Gatehouse as one self-contained executable per Linux architecture: no .NET SDK or runtime needed where it runs.
#
#   packaging/publish.sh                      # linux-x64 and linux-arm64
#   packaging/publish.sh linux-x64            # one architecture
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
  # Single file: the runtime's native parts are linked into the host, so the executable is the whole program.
  # DebugType=none: no .pdb files beside it. Not trimmed: ASP.NET Core and YARP are not trim-safe.
  dotnet publish "$root/src/Gatehouse/Gatehouse.csproj" \
    --configuration Release --runtime "$rid" --self-contained \
    --artifacts-path "$artifacts/build" --output "$out" \
    -p:PublishSingleFile=true -p:DebugType=none -p:GenerateDocumentationFile=false \
    -nologo -clp:ErrorsOnly
  # Keep the executable and the schema (for editors); drop what ASP.NET Core's SDK adds for static web assets.
  find "$out" -mindepth 1 -maxdepth 1 ! -name gatehouse ! -name gatehouse.schema.json -exec rm -rf {} +
  echo "$out/gatehouse"
done
