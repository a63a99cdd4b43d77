# Stops a detached job and everything it started (its process group). Usage: job-cancel.sh JOBDIR
d=$1
[ -s "$d/pid" ] || exit 0
pid=$(cat "$d/pid")
kill -TERM -- "-$pid" 2>/dev/null || exit 0
i=0
while kill -0 "$pid" 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 100 ]; then kill -KILL -- "-$pid" 2>/dev/null; break; fi
  sleep 0.1
done
exit 0
