# Starts a command detached from the SSH session that asked for it, so that a lost connection or a
# closed console never kills it half-way. Usage: job-start.sh JOBDIR USER COMMAND [ARG...]
# JOBDIR/log collects its output, JOBDIR/pid names its process group, JOBDIR/exit appears (written
# atomically) with its exit status when it ends. Any console can follow or reattach to the log.
set -eu
d=$1; user=$2; shift 2
if [ -e "$d/pid" ]; then
  echo "job directory $d is already used" >&2
  exit 90
fi
if [ -e "$d/cancelled" ]; then
  echo "job $d was cancelled before it started" >&2
  exit 92
fi
mkdir -p "$d"
: > "$d/log"
if [ "$user" != root ]; then chown "$user" "$d"; fi
# setsid: its own session and process group, no controlling terminal, so no SIGHUP when SSH goes.
setsid sh -c '
  d=$1; user=$2; shift 2
  echo $$ > "$d/pid.tmp" && mv "$d/pid.tmp" "$d/pid"
  cd "$d"
  # A cancel that came between the check above and the pid file: it may not have seen the pid.
  if [ -e "$d/cancelled" ]; then echo 92 > "$d/exit.tmp"; mv "$d/exit.tmp" "$d/exit"; exit 92; fi
  if [ "$user" = root ]; then "$@"; else runuser -u "$user" -- "$@"; fi >> "$d/log" 2>&1 < /dev/null
  echo $? > "$d/exit.tmp"
  mv "$d/exit.tmp" "$d/exit"
' job "$d" "$user" "$@" > /dev/null 2>&1 < /dev/null &
i=0
while [ ! -s "$d/pid" ]; do
  i=$((i + 1))
  if [ $i -gt 100 ]; then echo "job did not start" >&2; exit 91; fi
  sleep 0.05
done
cat "$d/pid"
