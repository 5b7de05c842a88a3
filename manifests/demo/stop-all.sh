#!/usr/bin/env bash
# Stops the `make run` demo services (vaid leaves them running when it exits, as the seed's
# daemons outlive cron). Kills by the pids in their pid files, never by name.
for f in /tmp/vai-demo/*.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && echo "stopped $(basename "$f" .pid) (pid $pid)"
  rm -f "$f"
done
exit 0
