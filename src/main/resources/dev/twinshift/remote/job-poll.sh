# What a detached job is doing, and the log bytes from OFFSET up to what was written when asked.
# Usage: job-poll.sh JOBDIR OFFSET. First line: "exit N", "running" or "lost" (no exit status and no
# live process: the server rebooted or the job was killed), then " SIZE"; then the new log bytes.
d=$1; off=$2
[ -d "$d" ] || { echo "missing 0"; exit 0; }
size=$(stat -c %s "$d/log" 2>/dev/null || echo 0)
if [ -e "$d/exit" ]; then
  state="exit $(cat "$d/exit")"
  size=$(stat -c %s "$d/log" 2>/dev/null || echo 0)
elif [ -s "$d/pid" ] && kill -0 "$(cat "$d/pid")" 2>/dev/null; then
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
