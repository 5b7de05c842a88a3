#!/usr/bin/env bash
# Installs vai on a Debian/Ubuntu host from this repository (see docs/operations.md).
#   sudo deploy/install.sh            build here, install to /opt/vai, enable and start vaid.service
#   sudo deploy/install.sh --cron     one-shot mode every 5 minutes instead of the daemon
# Options: --prefix DIR (default /opt/vai), --no-build (use the dist/ already built),
# --no-start (install, do not enable or start). DESTDIR=/some/root installs into that tree
# (for packaging and tests); then nothing is enabled or started.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
prefix=/opt/vai
build=1
start=1
mode=daemon
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$(realpath -m "$2"); shift 2 ;;
    --no-build) build=0; shift ;;
    --no-start) start=0; shift ;;
    --cron) mode=cron; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
dest=${DESTDIR:-}
[ -n "$dest" ] && start=0

say() { printf 'vai install: %s\n' "$*"; }
die() { printf 'vai install: %s\n' "$*" >&2; exit 1; }

if [ -z "$dest" ] && [ "$(id -u)" != 0 ]; then die "run as root (sudo $0), or set DESTDIR to install into a tree"; fi

node_version=$(node -p 'process.versions.node' 2>/dev/null) || die "Node.js 20.19 or newer is needed: Debian 13 / Ubuntu 25.04 have it (apt-get install nodejs npm); on Debian 12 / Ubuntu 24.04 install Node 20 from NodeSource or nvm first"
IFS=. read -r major minor _ <<<"$node_version"
if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }; then
  die "Node.js $node_version is too old; vai needs 20.19 or newer"
fi

# In place (a clone at --prefix, the way upgrades work: git pull && deploy/install.sh) or a copy.
target=$repo
if [ "$repo" != "$prefix" ]; then
  target=$dest$prefix
  say "copying $repo to $target"
  mkdir -p "$target"
  tar -C "$repo" --exclude=./node_modules --exclude=./.vai --exclude=./.git --exclude=./test-artifacts -cf - . | tar -C "$target" -xf -
fi
if [ "$build" = 1 ]; then
  say "building in $target (npm ci, tsc)"
  (cd "$target" && npm ci --no-audit --no-fund --loglevel=error && npx tsc -p tsconfig.build.json)
fi
[ -f "$target/dist/src/cli/vaid.js" ] || die "$target/dist/src/cli/vaid.js is missing: run without --no-build, or make build"
chmod +x "$target/dist/src/cli/vaid.js" "$target/dist/src/cli/vaictl.js"

# Manifests must not be writable by other users: vaid runs their commands as root.
install -d -m 0755 "$dest/etc/vai" "$dest/etc/vai/manifests" "$dest/var/log/vai" "$dest/usr/local/bin" "$dest/etc/systemd/system" "$dest/etc/tmpfiles.d"
install -d -m 0700 "$dest/var/lib/vai"
[ -e "$dest/etc/vai/vaid.env" ] || install -m 0600 "$repo/deploy/vaid.env" "$dest/etc/vai/vaid.env"

for tool in vaid vaictl; do
  cat >"$dest/usr/local/bin/$tool" <<WRAPPER
#!/bin/sh
# $tool with the paths of this host (installed by vai's deploy/install.sh).
: "\${VAI_MANIFESTS:=/etc/vai/manifests}" "\${VAI_STATE_DIR:=/var/lib/vai}" "\${VAI_MARKER_DIR:=/run/manual-stop}"
export VAI_MANIFESTS VAI_STATE_DIR VAI_MARKER_DIR
exec node $prefix/dist/src/cli/$tool.js "\$@"
WRAPPER
  chmod 0755 "$dest/usr/local/bin/$tool"
done

sed "s#/opt/vai/#$prefix/#g" "$repo/deploy/vaid.service" >"$dest/etc/systemd/system/vaid.service"
install -m 0644 "$repo/deploy/vai.tmpfiles" "$dest/etc/tmpfiles.d/vai.conf"
if [ "$mode" = cron ]; then
  install -d -m 0755 "$dest/etc/cron.d"
  install -m 0644 "$repo/deploy/vai.cron" "$dest/etc/cron.d/vai"
fi

if [ "$start" = 1 ]; then
  systemd-tmpfiles --create /etc/tmpfiles.d/vai.conf || install -d -m 0755 /run/manual-stop
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    if [ "$mode" = daemon ]; then
      # restart, not just start: an upgrade must run the new build (KillMode=process keeps the services up)
      systemctl enable vaid.service
      systemctl restart vaid.service
      say "vaid is running: systemctl status vaid; vaictl get; curl -s http://127.0.0.1:9753/healthz"
    else
      systemctl disable --now vaid.service 2>/dev/null || true
      say "cron mode: /etc/cron.d/vai runs vaictl reconcile --once every 5 minutes"
    fi
  else
    say "systemd is not running here: start vaid yourself (vaid &), or use --cron"
  fi
fi
say "done. Put manifests in /etc/vai/manifests (chmod go-w), then: vaictl validate && vaictl get"
