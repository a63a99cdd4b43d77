# A client's view of a cluster's availability: tries a new connection and SELECT 1 every INTERVAL
# seconds and prints "ok MILLIS" or "down MILLIS" (epoch milliseconds) per try. Ends by itself after
# LIMIT seconds, so that a console that died never leaves it running.
# Usage: probe.sh PSQL SOCKETDIR PORT INTERVAL LIMIT
psql=$1; sock=$2; port=$3; every=$4; limit=$5
end=$(( $(date +%s) + limit ))
while [ "$(date +%s)" -lt "$end" ]; do
  if "$psql" -X -q -At -h "$sock" -p "$port" -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
    echo "ok $(date +%s%3N)"
  else
    echo "down $(date +%s%3N)"
  fi
  sleep "$every"
done
