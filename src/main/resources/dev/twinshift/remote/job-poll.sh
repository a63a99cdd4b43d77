# What a detached job is doing, and the log bytes from OFFSET up to what was written when asked.
# Usage: job-poll.sh JOBDIR OFFSET. First line: "exit N", "running" or "lost" (no exit status and no
# live process: the server rebooted or the job was killed), then " SIZE"; then the new log bytes.
d=$1; off=$2
# Alive as job-cancel.sh counts it: a zombie has ended, only its parent has not collected it yet.
up() { case $(ps -o stat= -p "$1" 2>/dev/null | tr -d ' ') in '' | Z*) return 1 ;; esac; }
[ -d "$d" ] || { echo "missing 0"; exit 0; }
size=$(stat -c %s "$d/log" 2>/dev/null || echo 0)
if [ -e "$d/exit" ]; then
  state="exit $(cat "$d/exit")"
  size=$(stat -c %s "$d/log" 2>/dev/null || echo 0)
elif [ -s "$d/pid" ] && up "$(cat "$d/pid")"; then
  state=running
elif [ -e "$d/exit" ]; then
  state="exit $(cat "$d/exit")"
  size=$(stat -c %s "$d/log" 2>/dev/null || echo 0)
else
  state=lost
fi
echo "$state $size"
if [ "$size" -gt "$off" ]; then
  tail -c +"$((off + 1))" "$d/log" | head -c "$((size - off))"
fi
exit 0
