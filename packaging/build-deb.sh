#!/usr/bin/env bash
# Builds the Debian package of Gatehouse with dpkg-deb: the self-contained executable (packaging/publish.sh), a default
# config, the systemd unit, the man page and the maintainer scripts.
#
#   packaging/build-deb.sh                           # amd64, publishing first
#   packaging/build-deb.sh --arch arm64              # arm64 (cross-published; the package is not run here)
#   packaging/build-deb.sh --binary PATH             # package an executable already published for that architecture
#   packaging/build-deb.sh --compression gzip        # faster to build than xz (the default), a larger file
#
# Prints the path of the .deb: artifacts/gatehouse_VERSION_ARCH.deb (GATEHOUSE_ARTIFACTS moves artifacts/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
artifacts=${GATEHOUSE_ARTIFACTS:-$root/artifacts}
arch=amd64 binary="" compression=xz

while (($#)); do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    --compression) compression=$2; shift 2 ;;
    *) echo "build-deb.sh: unknown argument $1 (see the comment at the top of this script)" >&2; exit 2 ;;
  esac
done

case "$arch" in
  amd64) rid=linux-x64 ;;
  arm64) rid=linux-arm64 ;;
  *) echo "build-deb.sh: --arch is amd64 or arm64, not $arch" >&2; exit 2 ;;
esac

# The one version number: Directory.Build.props, which `gatehouse --version` prints too.
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -n 1)
[[ -n "$version" ]] || { echo "build-deb.sh: no <Version> in Directory.Build.props" >&2; exit 1; }

if [[ -z "$binary" ]]; then
  GATEHOUSE_ARTIFACTS="$artifacts" "$here/publish.sh" "$rid" >/dev/null
  binary="$artifacts/publish/$rid/gatehouse"
fi
schema="$root/schemas/gatehouse.schema.json"

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
tree="$staging/gatehouse_${version}_$arch"

# The executable lives in its own folder (its content root holds nothing else) and is linked from /usr/bin.
install -D -m 0755 "$binary" "$tree/usr/lib/gatehouse/gatehouse"
mkdir -p "$tree/usr/bin"
ln -s ../lib/gatehouse/gatehouse "$tree/usr/bin/gatehouse"
install -D -m 0644 "$here/gatehouse.json" "$tree/etc/gatehouse/gatehouse.json"
install -D -m 0644 "$here/gatehouse.service" "$tree/lib/systemd/system/gatehouse.service"
# MemoryDenyWriteExecute=yes when the executable runs with writable-and-executable memory refused (the Native AOT
# build does; a JIT build crashes), checked on this machine when it can run it and its kernel can refuse such memory.
if [[ $(dpkg --print-architecture 2>/dev/null) == "$arch" ]] && "$here/deny-wx-exec" "$binary" --version >/dev/null 2>&1; then
  sed -i 's/^#MemoryDenyWriteExecute=yes$/MemoryDenyWriteExecute=yes/' "$tree/lib/systemd/system/gatehouse.service"
else
  echo "build-deb.sh: the unit leaves MemoryDenyWriteExecute off: $binary did not run with writable-and-executable memory refused here" >&2
fi
install -D -m 0644 "$schema" "$tree/usr/share/gatehouse/gatehouse.schema.json"
install -d "$tree/usr/share/man/man1"
sed "s/@VERSION@/$version/g" "$here/gatehouse.1" | gzip -9n >"$tree/usr/share/man/man1/gatehouse.1.gz"
install -D -m 0644 "$root/docs/install.md" "$tree/usr/share/doc/gatehouse/install.md"
install -m 0644 "$root/docs/configuration.md" "$tree/usr/share/doc/gatehouse/configuration.md"
chmod 0644 "$tree/usr/share/man/man1/gatehouse.1.gz"

install -d "$tree/DEBIAN"
install -m 0755 "$here/debian/postinst" "$here/debian/prerm" "$here/debian/postrm" "$tree/DEBIAN/"
install -m 0644 "$here/debian/conffiles" "$tree/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$tree" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" "$here/debian/control" >"$tree/DEBIAN/control"
(cd "$tree" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
chmod 0644 "$tree/DEBIAN/md5sums"

mkdir -p "$artifacts"
deb="$artifacts/gatehouse_${version}_$arch.deb"
dpkg-deb --root-owner-group -Z"$compression" --build "$tree" "$deb" >/dev/null
echo "$deb"
