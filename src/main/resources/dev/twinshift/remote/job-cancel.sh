# Stops a remote process and everything it started, and waits until they are gone. It is the one way
# Twinshift stops anything on a server: a detached job, and an SSH command on cancel, timeout or close.
# Usage: job-cancel.sh JOBDIR        a detached job (see job-start.sh); its pid file names its group
#        job-cancel.sh --pid PID     one process, e.g. an SSH command (sshd makes it a group leader)
# What it stops: the process group PID leads (a job's always leads one), and every descendant of PID,
# also those that left the group (sudo's command under use_pty, a daemon that called setsid). TERM
# first; KILL after 5 seconds for whatever is still there; then up to 5 more seconds for them to go.
# For a job it first leaves a "cancelled" mark, so that a job whose start is still under way (its
# console killed mid-start) never runs its command.
# Prints "stopped" when it ended a running process, "not running" otherwise; exits 1 when it may not
# signal the process, or when something is still alive after SIGKILL.
if [ "${1-}" = --pid ]; then
  pid=${2-}
  case $pid in '' | *[!0-9]*) echo "job-cancel.sh: not a process id: $pid" >&2; exit 2 ;; esac
  what="process $pid"
  group=
  [ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$pid" ] && group=$pid
else
  d=$1
  mkdir -p "$d" && : > "$d/cancelled" || exit 1
  if [ ! -s "$d/pid" ]; then
    # A start in flight writes its pid within moments; give it the chance, then it sees the mark.
    i=0
    while [ ! -s "$d/pid" ] && [ $i -lt 20 ]; do i=$((i + 1)); sleep 0.1; done
    [ -s "$d/pid" ] || { echo "not running"; exit 0; }
  fi
  pid=$(cat "$d/pid")
  group=$pid
  what="job $d (process group $pid)"
fi

# Every descendant of $1, found before signalling: once their parent is gone they are nobody's.
tree() { for c in $(pgrep -P "$1" 2>/dev/null); do echo "$c"; tree "$c"; done; }
# A zombie counts as gone: it has ended, only its parent has not collected it yet.
up() { case $(ps -o stat= -p "$1" 2>/dev/null | tr -d ' ') in '' | Z*) return 1 ;; esac; }
group_up() {
  ps -e -o pgid=,stat= 2>/dev/null | awk -v g="$group" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'
}
# Whether anything to stop is still there, whoever owns it.
alive() {
  if [ -n "$group" ] && group_up; then return 0; fi
  for x in $pid $kids; do up "$x" && return 0; done
  return 1
}
# The same, asking ps only about what still takes signals: cheap enough to ask every 50 ms.
# (dash needs "-s 0 --" before a negative pid.)
still() {
  if [ -n "$group" ] && kill -s 0 -- "-$group" 2>/dev/null && group_up; then return 0; fi
  for x in $pid $kids; do kill -s 0 "$x" 2>/dev/null && up "$x" && return 0; done
  return 1
}
signal() {
  sent=
  if [ -n "$group" ]; then kill -s "$1" -- "-$group" 2>/dev/null && sent=1; fi
  for x in $pid $kids; do kill -s "$1" "$x" 2>/dev/null && sent=1; done
}
nap() { sleep 0.05 2>/dev/null || sleep 1; }

kids=$(tree "$pid")
alive || { echo "not running"; exit 0; }
signal TERM
if [ -z "$sent" ] && alive; then
  echo "not allowed to signal $what as $(id -un)" >&2
  exit 1
fi
i=0
while still; do
  i=$((i + 1))
  if [ $i -eq 100 ]; then
    # What was started while TERM was ignored, below what is still there.
    more=
    for x in $pid $kids; do more="$more $(tree "$x")"; done
    kids="$kids $more"
    signal KILL
  fi
  if [ $i -gt 200 ]; then echo "$what is still alive after SIGKILL" >&2; exit 1; fi
  nap
done
echo stopped
exit 0
