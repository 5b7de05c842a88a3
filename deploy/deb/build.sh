#!/usr/bin/env bash
# make deb: builds dist/vai_VERSION_all.deb with dpkg-deb from `npm pack`'s tarball (what the
# npm package ships) plus its production dependencies, so the target builds nothing.
#   /usr/lib/vai/         the package (bin/, dist/src/, schemas, assets, node_modules)
#   /usr/bin/vaid,vaictl  wrappers
#   /lib/systemd/system/vaid.service, /usr/lib/tmpfiles.d/vai.conf, /etc/vai/ (vaid.env, manifests/)
# Usage: deploy/deb/build.sh [OUT_DIR]   (the tarball is packed with --ignore-scripts: build first)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$(realpath -m "${1:-$repo/dist}")
command -v dpkg-deb >/dev/null || { echo "make deb: dpkg-deb is missing (apt-get install dpkg)" >&2; exit 1; }
[ -f "$repo/dist/src/cli/vaid.js" ] || { echo "make deb: dist/ is not built: run make build" >&2; exit 1; }
version=$(node -p "require('$repo/package.json').version")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
lib=$root/usr/lib/vai
mkdir -p "$lib" "$root/usr/bin" "$root/lib/systemd/system" "$root/usr/lib/tmpfiles.d" "$root/etc/vai/manifests" "$root/DEBIAN"

(cd "$repo" && npm pack --ignore-scripts --silent --pack-destination "$work" >/dev/null)
tar -C "$lib" --strip-components=1 -xzf "$work/vai-$version.tgz"
cp "$repo/package-lock.json" "$lib/"
# Production dependencies only; none has a native part that must compile (dockerode's optional
# ssh2 bindings are skipped by npm 11 and not used: vai talks to the engine over its socket).
(cd "$lib" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
rm -f "$lib/package-lock.json"

for tool in vaid vaictl; do
  cat >"$root/usr/bin/$tool" <<WRAPPER
#!/bin/sh
# $tool with this host's paths (installed by the vai package; the package is /usr/lib/vai).
: "\${VAI_MANIFESTS:=/etc/vai/manifests}" "\${VAI_STATE_DIR:=/var/lib/vai}" "\${VAI_MARKER_DIR:=/run/manual-stop}"
export VAI_MANIFESTS VAI_STATE_DIR VAI_MARKER_DIR
exec node /usr/lib/vai/bin/$tool.js "\$@"
WRAPPER
  chmod 0755 "$root/usr/bin/$tool"
done
sed -e 's#^ExecStart=.*#ExecStart=/usr/bin/vaid#' -e 's#file:///opt/vai/docs#file:///usr/lib/vai/docs#' "$repo/deploy/vaid.service" >"$root/lib/systemd/system/vaid.service"
cp "$repo/deploy/vai.tmpfiles" "$root/usr/lib/tmpfiles.d/vai.conf"
install -m 0600 "$repo/deploy/vaid.env" "$root/etc/vai/vaid.env"
chmod 0755 "$root/etc/vai" "$root/etc/vai/manifests"

size=$(du -sk "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: vai
Version: $version
Architecture: all
Maintainer: vai maintainers <vai@localhost>
Section: admin
Priority: optional
Installed-Size: $size
Depends: nodejs (>= 20.19)
Description: declarative service auto-recovery reconciler for one host
 vaid checks the services declared in /etc/vai/manifests and recovers them
 (dependencies first, crash-loop backoff, alerts); vaictl shows and controls it.
CONTROL
echo /etc/vai/vaid.env >"$root/DEBIAN/conffiles"
install -m 0755 "$repo/deploy/deb/postinst" "$repo/deploy/deb/prerm" "$repo/deploy/deb/postrm" "$root/DEBIAN/"

mkdir -p "$out"
dpkg-deb --root-owner-group --build "$root" "$out/vai_${version}_all.deb" >/dev/null
echo "$out/vai_${version}_all.deb"
