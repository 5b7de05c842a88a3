#!/usr/bin/env bash
# A private Docker engine for the Docker executor tests. scripts/test.sh sources this file and
# calls docker_engine_up / docker_engine_down; run it directly (`bash test/support/docker-engine.sh
# up|down DIR`) to start or stop one by hand. No registry is reachable here, so the test image is
# imported from a directory holding Debian's static busybox and its applet links.
# The engine runs without iptables, bridge or overlay, so containers use --network none.

VAI_TEST_DOCKER_IMAGE_NAME=${VAI_TEST_DOCKER_IMAGE_NAME:-vai-test-busybox:latest}

_vai_docker_log() { echo "docker-engine: $*" >&2; }

# Starts dockerd on a private socket, imports the test image and exports VAI_TEST_DOCKER_HOST,
# VAI_TEST_DOCKER_IMAGE and VAI_TEST_DOCKER_DIR. Returns non-zero (and says why) when it cannot.
docker_engine_up() {
  local dockerd_bin docker_bin busybox_bin dir sock i
  dockerd_bin=$(command -v dockerd) || { _vai_docker_log "dockerd is not installed (apt-get install docker.io)"; return 1; }
  docker_bin=$(command -v docker) || { _vai_docker_log "the docker client is not installed"; return 1; }
  busybox_bin=/bin/busybox
  [ -x "$busybox_bin" ] || { _vai_docker_log "$busybox_bin is missing (apt-get install busybox-static)"; return 1; }
  [ "$(id -u)" = 0 ] || { _vai_docker_log "dockerd needs root"; return 1; }

  # Short path: containerd's sockets live under the exec root and unix paths max out at 108 bytes.
  dir=$(mktemp -d /tmp/vaid-XXXXXX) || return 1
  sock=$dir/docker.sock
  setsid "$dockerd_bin" --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
    --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    -H "unix://$sock" >"$dir/dockerd.log" 2>&1 </dev/null &
  echo $! >"$dir/dockerd.launch.pid"

  for i in $(seq 1 300); do
    if "$docker_bin" -H "unix://$sock" version >/dev/null 2>&1; then break; fi
    if ! kill -0 "$(cat "$dir/dockerd.launch.pid")" 2>/dev/null; then
      _vai_docker_log "dockerd exited at start; last lines of its log:"
      tail -20 "$dir/dockerd.log" >&2
      rm -rf "$dir"
      return 1
    fi
    sleep 0.1
  done
  if ! "$docker_bin" -H "unix://$sock" version >/dev/null 2>&1; then
    _vai_docker_log "dockerd did not answer within 30 s; see $dir/dockerd.log"
    VAI_TEST_DOCKER_DIR=$dir docker_engine_down
    return 1
  fi

  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/tmp" "$dir/rootfs/etc"
  cp "$busybox_bin" "$dir/rootfs/bin/busybox"
  local applet
  for applet in $("$busybox_bin" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$dir/rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/rootfs/etc/passwd"
  if ! tar -C "$dir/rootfs" -c . | "$docker_bin" -H "unix://$sock" import \
      --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' - "$VAI_TEST_DOCKER_IMAGE_NAME" >/dev/null; then
    _vai_docker_log "docker import of the busybox image failed"
    VAI_TEST_DOCKER_DIR=$dir docker_engine_down
    return 1
  fi
  rm -rf "$dir/rootfs"

  export VAI_TEST_DOCKER_HOST="unix://$sock"
  export VAI_TEST_DOCKER_IMAGE="$VAI_TEST_DOCKER_IMAGE_NAME"
  export VAI_TEST_DOCKER_DIR="$dir"
  _vai_docker_log "engine up at $VAI_TEST_DOCKER_HOST (pid $(cat "$dir/dockerd.pid" 2>/dev/null))"
  return 0
}

# Removes the test containers, stops dockerd by its pid and deletes its directories.
docker_engine_down() {
  local dir=${VAI_TEST_DOCKER_DIR:-} pid i
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  local docker_bin
  docker_bin=$(command -v docker || true)
  if [ -n "$docker_bin" ] && [ -S "$dir/docker.sock" ]; then
    local ids
    ids=$("$docker_bin" -H "unix://$dir/docker.sock" ps -aq 2>/dev/null || true)
    # shellcheck disable=SC2086
    [ -z "$ids" ] || "$docker_bin" -H "unix://$dir/docker.sock" rm -f $ids >/dev/null 2>&1 || true
  fi
  pid=$(cat "$dir/dockerd.pid" 2>/dev/null || cat "$dir/dockerd.launch.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  # A container's leftover mounts would make rm fail; unmount whatever is still under the dir.
  local mounts m
  mounts=$(grep -o " $dir/[^ ]*" /proc/self/mounts 2>/dev/null | sort -r || true)
  for m in $mounts; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$dir"
  unset VAI_TEST_DOCKER_HOST VAI_TEST_DOCKER_IMAGE VAI_TEST_DOCKER_DIR
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    up)
      docker_engine_up || exit 1
      printf 'VAI_TEST_DOCKER_HOST=%s\nVAI_TEST_DOCKER_IMAGE=%s\nVAI_TEST_DOCKER_DIR=%s\n' \
        "$VAI_TEST_DOCKER_HOST" "$VAI_TEST_DOCKER_IMAGE" "$VAI_TEST_DOCKER_DIR"
      ;;
    down)
      VAI_TEST_DOCKER_DIR=${2:?usage: docker-engine.sh down DIR} docker_engine_down
      ;;
    *) echo "usage: $0 up | down DIR" >&2; exit 2 ;;
  esac
fi
