// Shell text run inside containers through `docker exec sh -c SCRIPT`. Every value (the user's
// command, URLs, patterns, paths) reaches these scripts as an environment variable, never spliced
// into the text. They use only what a plain container has: POSIX sh, and curl, wget, bash or nc
// for network probes, whichever exists (busybox has wget and nc).

/**
 * Runs $VAI_CMD with bash (or sh) in its own session when setsid exists, its output to $VAI_OUT
 * (a log file in the container) or to a temp file printed afterwards, bounded by $VAI_TIMEOUT:
 * then SIGTERM to the group, SIGKILL after $VAI_GRACE. The user's output never holds the exec's
 * stdout, so a `... &` daemon does not keep `docker exec` waiting. The last stderr line is
 * `vai-exec rc=N timeout=0|1 shell=NAME tmp=0|1`.
 */
export const WRAPPER = `
if [ "$VAI_SH" = sh ] || ! command -v bash >/dev/null 2>&1; then s=sh; else s=bash; fi
t=
if [ -n "$VAI_OUT" ]; then
  mkdir -p "\${VAI_OUT%/*}" 2>/dev/null
  o=$VAI_OUT; e=$VAI_OUT
else
  t=$(mktemp -d 2>/dev/null) || t=
  if [ -n "$t" ]; then o=$t/out; e=$t/err; else o=/dev/null; e=/dev/null; fi
fi
if command -v setsid >/dev/null 2>&1; then
  setsid "$s" -c "$VAI_CMD" >>"$o" 2>>"$e" </dev/null &
else
  "$s" -c "$VAI_CMD" >>"$o" 2>>"$e" </dev/null &
fi
p=$!
(
  trap 'kill $z 2>/dev/null; exit 0' TERM
  sleep "$VAI_TIMEOUT" & z=$!; wait $z
  trap 'kill $z 2>/dev/null; exit 124' TERM
  kill -TERM -$p 2>/dev/null || kill -TERM $p 2>/dev/null
  sleep "$VAI_GRACE" & z=$!; wait $z
  kill -KILL -$p 2>/dev/null || kill -KILL $p 2>/dev/null
  exit 124
) >/dev/null 2>&1 </dev/null &
w=$!
wait $p 2>/dev/null; rc=$?
# The watchdog can get the TERM before its trap is set: the shell's "Terminated" is not the user's stderr.
kill -TERM $w 2>/dev/null; wait $w 2>/dev/null; wr=$?; to=0; [ "$wr" = 124 ] && to=1
if [ "$VAI_KILL_ON_EXIT" = 1 ] || [ $to = 1 ]; then kill -KILL -$p 2>/dev/null; fi
if [ -n "$t" ]; then
  if [ "$VAI_PRINT" = head ]; then head -c 65536 "$o"; else tail -c 65536 "$o"; fi
  tail -c 16384 "$e" >&2
  rm -rf "$t"
fi
tmp=1; [ "$o" = /dev/null ] && tmp=0
echo "vai-exec rc=$rc timeout=$to shell=$s tmp=$tmp" >&2
exit $rc
`;

/**
 * http GET of $VAI_HTTP_URL. curl -i and bash/nc print the raw response; wget prints the body and
 * its status line on stderr (-S). The executor parses either shape.
 */
export const HTTP_PROBE = `
if command -v curl >/dev/null 2>&1; then
  exec curl -sS -i -A vai-health-check "$VAI_HTTP_URL"
fi
if command -v wget >/dev/null 2>&1; then
  exec wget -S -q -O - -U vai-health-check "$VAI_HTTP_URL"
fi
if [ "$VAI_HTTP_TLS" = 1 ]; then echo "vai: no curl or wget in the container for an https check" >&2; exit 69; fi
if command -v bash >/dev/null 2>&1; then
  exec bash -c 'exec 3<>"/dev/tcp/$VAI_HTTP_HOST/$VAI_HTTP_PORT" || exit 7
printf "GET %s HTTP/1.1\\r\\nHost: %s\\r\\nUser-Agent: vai-health-check\\r\\nConnection: close\\r\\n\\r\\n" "$VAI_HTTP_PATH" "$VAI_HTTP_HOSTHDR" >&3
cat <&3'
fi
if command -v nc >/dev/null 2>&1; then
  printf "GET %s HTTP/1.1\\r\\nHost: %s\\r\\nUser-Agent: vai-health-check\\r\\nConnection: close\\r\\n\\r\\n" "$VAI_HTTP_PATH" "$VAI_HTTP_HOSTHDR" | exec nc "$VAI_HTTP_HOST" "$VAI_HTTP_PORT"
fi
echo "vai: no curl, wget, bash or nc in the container to run an http check" >&2
exit 69
`;

/** tcp connect to $VAI_TCP_HOST:$VAI_TCP_PORT, as the seed's bash /dev/tcp. */
export const TCP_PROBE = `
if command -v bash >/dev/null 2>&1; then
  exec bash -c 'exec 3<>"/dev/tcp/$VAI_TCP_HOST/$VAI_TCP_PORT"'
fi
if command -v nc >/dev/null 2>&1; then
  if nc -h 2>&1 | grep -q -- ' -z'; then exec nc -z "$VAI_TCP_HOST" "$VAI_TCP_PORT"; fi
  exec nc "$VAI_TCP_HOST" "$VAI_TCP_PORT" </dev/null
fi
echo "vai: no bash or nc in the container to run a tcp check" >&2
exit 69
`;

/**
 * pgrep -f $VAI_PATTERN, ignoring vai's own wrapper and everything under it (whose command
 * lines may contain the pattern). Prints the first match as "PID CMDLINE".
 */
export const PROCESS_PROBE = `
W=$PPID
ours() {
  a=$1
  while [ "$a" -gt 1 ] 2>/dev/null; do
    [ "$a" = "$W" ] && return 0
    st=$(cat /proc/$a/stat 2>/dev/null) || return 1
    st=\${st##*) }
    set -- $st
    a=$2
  done
  return 1
}
if command -v pgrep >/dev/null 2>&1; then
  pids=$(pgrep -f -- "$VAI_PATTERN" 2>/dev/null)
else
  pids=
  for d in /proc/[0-9]*; do
    [ -r "$d/cmdline" ] || continue
    if tr '\\000' ' ' <"$d/cmdline" 2>/dev/null | grep -E -q -- "$VAI_PATTERN"; then pids="$pids \${d#/proc/}"; fi
  done
fi
for q in $pids; do
  [ "$q" = $$ ] && continue
  ours "$q" && continue
  printf '%s ' "$q"; tr '\\000' ' ' <"/proc/$q/cmdline" 2>/dev/null; echo
  exit 0
done
exit 1
`;

/** Liveness of the pid in $VAI_PID_FILE: prints alive, dead or unknown. */
export const PID_PROBE = `
read -r pid <"$VAI_PID_FILE" 2>/dev/null || { echo unknown; exit 0; }
case "$pid" in ''|*[!0-9]*) echo unknown; exit 0 ;; esac
st=$(cat /proc/$pid/stat 2>/dev/null) || { echo dead; exit 0; }
st=\${st##*) }
case "$st" in Z*|X*) echo dead ;; *) echo alive ;; esac
`;

/**
 * statfs of $VAI_PATH inside the container, as the host's disk check reads it: fundamental block
 * size, blocks, blocks free to an unprivileged writer, inodes, free inodes (busybox and GNU stat).
 */
export const DISK_PROBE = `
command -v stat >/dev/null 2>&1 || { echo "vai: no stat in the container to run a disk check" >&2; exit 69; }
exec stat -f -c '%S %b %a %c %d' -- "$VAI_PATH"
`;

/**
 * Type, size and mtime of $VAI_PATH inside the container without following a final symlink
 * (exit 3: missing; 4: not a regular file), then with $VAI_HASH set its SHA-256, refused above
 * $VAI_MAX_HASH bytes (exit 5). Only a regular file is read, so a FIFO never holds the exec.
 */
export const FILE_PROBE = `
command -v stat >/dev/null 2>&1 || { echo "vai: no stat in the container to run a file check" >&2; exit 69; }
t=$(stat -c '%F|%s|%Y' -- "$VAI_PATH" 2>&1) || { case "$t" in *"No such file"*) exit 3 ;; esac; echo "$t" >&2; exit 1; }
case "$t" in "regular file|"*|"regular empty file|"*) ;; *) echo "\${t%%|*}" >&2; exit 4 ;; esac
echo "$t"
[ -n "$VAI_HASH" ] || exit 0
s=\${t#*|}; s=\${s%%|*}
[ "$s" -le "$VAI_MAX_HASH" ] || exit 5
command -v sha256sum >/dev/null 2>&1 || { echo "vai: no sha256sum in the container to check sha256" >&2; exit 69; }
h=$(sha256sum < "$VAI_PATH") || exit 1
echo "\${h%% *}"
`;
