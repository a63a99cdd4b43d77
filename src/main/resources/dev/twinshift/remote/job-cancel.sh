# Stops a detached job and everything in its process group, and waits until they are gone.
# Usage: job-cancel.sh JOBDIR. First it leaves a "cancelled" mark, so that a job whose start is still
# under way (its console killed mid-start) never runs its command. Prints "stopped" when it ended a
# running job, "not running" otherwise; exits 1 if the job is still alive after SIGKILL.
d=$1
mkdir -p "$d" && : > "$d/cancelled" || exit 1
if [ ! -s "$d/pid" ]; then
  # A start in flight writes its pid within moments; give it the chance, then it sees the mark.
  i=0
  while [ ! -s "$d/pid" ] && [ $i -lt 20 ]; do i=$((i + 1)); sleep 0.1; done
  [ -s "$d/pid" ] || { echo "not running"; exit 0; }
fi
pid=$(cat "$d/pid")
alive() { kill -0 -- "-$pid" 2>/dev/null; }
alive || { echo "not running"; exit 0; }
kill -TERM -- "-$pid" 2>/dev/null
i=0
while alive; do
  i=$((i + 1))
  if [ $i -eq 100 ]; then kill -KILL -- "-$pid" 2>/dev/null; fi
  if [ $i -gt 150 ]; then echo "job $d (process group $pid) is still alive after SIGKILL" >&2; exit 1; fi
  sleep 0.1
done
echo stopped
exit 0
