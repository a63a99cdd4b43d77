# The blue/green switchover, run detached on the server as root so that a lost console can never
# leave clients paused: clients wait in PgBouncer while the target cluster catches up, the way back
# is set up, and the pooler is pointed at the target; past the deadline everything is put back and
# the clients go on with the cluster they had. One run switches in one direction; the rollback after
# a switchover is the same run the other way.
#
# Usage: bluegreen-switch.sh OPTIONS -- DATABASE...
#   --os-user U        the clusters' OS user (psql runs as it, over the Unix sockets)
#   --role R           the role psql connects as (the bootstrap superuser)
#   --from-port P --from-socket DIR   the cluster clients use now
#   --to-port P --to-socket DIR       the cluster clients are moved to
#   --sub-on-to NAME   the subscription on the target that pulls from the source (disabled here)
#   --sub-on-from NAME the subscription made on the source to pull from the target (the way back)
#   --slot-prefix S    slot names on the target for that subscription: S<index of the database>
#   --publication P    the publication FOR ALL TABLES on both sides
#   --pooler-port P --pooler-socket DIR --pooler-user U   PgBouncer's admin console
#   --pooler-ini FILE  the PgBouncer configuration whose [databases] entries name --from-port
#   --deadline-ms N    the longest the clients may stay paused before everything is put back
#   --sequence-margin N  added to every sequence's value on the target
# Output: "step NAME MILLIS" lines, then "switched pause=MILLIS" or "reverted: REASON".
# Exit 0 switched, 3 reverted (nothing changed for clients), 4 reverted but the undo was incomplete.
set -u
deadline_ms=3000
margin=1000
while [ $# -gt 0 ]; do
  case $1 in
    --os-user) os_user=$2 ;;
    --role) role=$2 ;;
    --from-port) from_port=$2 ;;
    --from-socket) from_sock=$2 ;;
    --to-port) to_port=$2 ;;
    --to-socket) to_sock=$2 ;;
    --sub-on-to) sub_on_to=$2 ;;
    --sub-on-from) sub_on_from=$2 ;;
    --slot-prefix) slot_prefix=$2 ;;
    --publication) publication=$2 ;;
    --pooler-port) pooler_port=$2 ;;
    --pooler-socket) pooler_sock=$2 ;;
    --pooler-user) pooler_user=$2 ;;
    --pooler-ini) ini=$2 ;;
    --deadline-ms) deadline_ms=$2 ;;
    --sequence-margin) margin=$2 ;;
    --) shift; break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
[ $# -gt 0 ] || { echo "no databases given" >&2; exit 2; }

now_ms() { date +%s%3N; }
t0=$(now_ms)
last=$t0
left_s() { # seconds left before the deadline, as timeout(1) takes them; 0.05 at least
  awk -v d="$deadline_ms" -v t0="$t0" -v n="$(now_ms)" 'BEGIN { l = (d - (n - t0)) / 1000; if (l < 0.05) l = 0.05; printf "%.3f", l }'
}
over() { [ $(( $(now_ms) - t0 )) -ge "$deadline_ms" ]; }
mark() { n=$(now_ms); echo "step $1 $((n - last))"; last=$n; }

# psql on one side: bound|free SIDE(from|to) DB SQL...; each SQL is its own -c (its own transaction),
# all on one connection: a new psql per statement costs more than most statements here.
q() {
  bound=$1; side=$2; db=$3; shift 3
  if [ "$side" = from ]; then port=$from_port; sock=$from_sock; else port=$to_port; sock=$to_sock; fi
  set -- "$@" ''
  n=$#
  while [ "$n" -gt 1 ]; do set -- "$@" -c "$1"; shift; n=$((n - 1)); done
  shift
  if [ "$bound" = bound ]; then t=$(left_s); k=1; else t=60; k=5; fi
  # The server gives up too, so that nothing the deadline cut short stays running there.
  ms=$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 }')
  timeout -k "$k" "$t" runuser -u "$os_user" -- env PGOPTIONS="-c statement_timeout=$ms" \
    psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U "$role" -d "$db" "$@"
}
admin() { # bound|free COMMAND...: PgBouncer's admin console, every command on one connection
  if [ "$1" = bound ]; then t=$(left_s); k=1; else t=30; k=5; fi
  shift
  set -- "$@" ''
  n=$#
  while [ "$n" -gt 1 ]; do set -- "$@" -c "$1"; shift; n=$((n - 1)); done
  shift
  timeout -k "$k" "$t" runuser -u "$os_user" -- psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$pooler_sock" -p "$pooler_port" \
    -U "$pooler_user" -d pgbouncer "$@"
}

paused=""
ini_changed=0
made_slots=0
made_sub=0
disabled_sub=0

# Puts everything back in the reverse order; the clients are resumed on the source first of all,
# and the way back is removed before the forward subscription runs again (both at once would loop).
revert() {
  reason=$1
  shift
  echo "reverting: $reason"
  ok=0
  if [ $ini_changed -eq 1 ]; then
    if mv -f -- "$ini.twinshift-before" "$ini" && admin free RELOAD >/dev/null; then :; else ok=1; echo "could not restore $ini"; fi
  fi
  for p in $paused; do admin free "RESUME $p" >/dev/null 2>&1 || true; done
  if [ -n "$paused" ]; then
    still=$(admin free "SHOW DATABASES" | awk -F'|' -v p=" $paused " '$12 == 1 && index(p, " " $1 " ") { print $1 }')
    if [ -n "$still" ]; then ok=1; echo "still paused: $still"; fi
  fi
  if [ $made_sub -eq 1 ]; then
    for db in "$@"; do
      q free from "$db" "DROP SUBSCRIPTION IF EXISTS $sub_on_from" >/dev/null || { ok=1; echo "could not drop $sub_on_from in $db"; }
    done
  fi
  if [ $made_slots -eq 1 ]; then
    i=0
    for db in "$@"; do
      q free to postgres "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$slot_prefix$i' AND NOT active" >/dev/null \
        || { ok=1; echo "could not drop the slot $slot_prefix$i on port $to_port"; }
      i=$((i + 1))
    done
  fi
  if [ $disabled_sub -eq 1 ]; then
    for db in "$@"; do
      q free to "$db" "ALTER SUBSCRIPTION $sub_on_to ENABLE" >/dev/null || { ok=1; echo "could not re-enable $sub_on_to in $db"; }
    done
  fi
  if [ $ok -eq 0 ]; then echo "reverted: $reason"; exit 3; fi
  echo "reverted incompletely: $reason"
  exit 4
}

# The pooler's databases that lead to the source: those are the clients to pause. Looked up before
# the clock starts: nobody waits yet.
shown=$(admin free "SHOW DATABASES") || revert "PgBouncer's admin console on port $pooler_port did not answer" "$@"
names=$(printf '%s\n' "$shown" | awk -F'|' -v port="$from_port" '$3 == port && $1 != "pgbouncer" { print $1 }')
[ -n "$names" ] || revert "no PgBouncer database points at port $from_port" "$@"
mark lookup
t0=$(now_ms)
last=$t0

# Every database of the pooler at once, on one admin connection (a function's own "$@").
all() { verb=$1; bound=$2; set --; for n in $names; do set -- "$@" "$verb $n"; done; admin "$bound" "$@" >/dev/null; }
paused=$(echo $names)
all PAUSE bound || revert "PAUSE of $(echo $names) did not finish within the deadline (a long transaction?)" "$@"
mark pause

# Per database: a marker written on the source after the pause, read back with the sequences; once
# the target shows the marker it has applied every transaction the source committed before (a
# subscription applies in commit order). Then the sequences, the forward subscription off, and the
# slot for the way back, on one connection to the target.
i=0
for db in "$@"; do
  got=$(q bound from "$db" "UPDATE twinshift.bluegreen_marker SET n = n + 1 WHERE id = 1 RETURNING n" \
    "SELECT coalesce(string_agg(format('SELECT setval(%L, %s, true);', format('%I.%I', schemaname, sequencename), coalesce(last_value, 0) + $margin), ' '), '') FROM pg_sequences") \
    || revert "could not write the marker or read the sequences in $db within the deadline" "$@"
  want=$(printf '%s\n' "$got" | sed -n 1p)
  sets=$(printf '%s\n' "$got" | sed -n '2,$p')
  case $want in ''|*[!0-9]*) revert "the marker in $db reads '$want'" "$@" ;; esac
  disabled_sub=1
  made_slots=1
  q bound to "$db" "DO \$w\$ BEGIN WHILE coalesce((SELECT n FROM twinshift.bluegreen_marker WHERE id = 1), -1) < $want LOOP PERFORM pg_sleep(0.005); END LOOP; END \$w\$" \
    ${sets:+"$sets"} "ALTER SUBSCRIPTION $sub_on_to DISABLE" \
    "SELECT 1 FROM pg_create_logical_replication_slot('$slot_prefix$i', 'pgoutput')" >/dev/null \
    || revert "the target had not applied everything in $db within the deadline" "$@"
  i=$((i + 1))
done
mark catch-up

made_sub=1
i=0
for db in "$@"; do
  # conninfo values in single quotes, backslash-escaped; then the whole string as an SQL literal.
  dbq=$(printf %s "$db" | sed "s/[\\\\']/\\\\&/g")
  conn="host=$to_sock port=$to_port dbname='$dbq' user=$role application_name=$sub_on_from"
  q bound from "$db" "CREATE SUBSCRIPTION $sub_on_from CONNECTION '$(printf %s "$conn" | sed "s/'/''/g")' PUBLICATION $publication WITH (copy_data = false, create_slot = false, slot_name = '$slot_prefix$i', enabled = true)" >/dev/null \
    || revert "could not start the replication back in $db" "$@"
  i=$((i + 1))
done
mark way-back

cp -p -- "$ini" "$ini.twinshift-before" || revert "could not copy $ini" "$@"
awk -v from="$from_port" -v to="$to_port" '
  /^[ \t]*\[/ { section = $0; gsub(/[ \t\[\]]/, "", section) }
  section == "databases" && $0 !~ /^[ \t]*[;#]/ { gsub("port[ \t]*=[ \t]*" from "([^0-9]|$)", "port=" to " ") }
  { print }' "$ini.twinshift-before" > "$ini.twinshift-new" && cat "$ini.twinshift-new" > "$ini.twinshift-tmp" \
  && chown --reference="$ini.twinshift-before" "$ini.twinshift-tmp" && chmod --reference="$ini.twinshift-before" "$ini.twinshift-tmp" \
  && mv -f -- "$ini.twinshift-tmp" "$ini" || revert "could not write $ini" "$@"
rm -f -- "$ini.twinshift-new"
ini_changed=1
over && revert "the deadline passed before the pooler was pointed at the target" "$@"
shown=$(admin bound RELOAD "SHOW DATABASES") || revert "RELOAD of PgBouncer failed" "$@"
moved=$(printf '%s\n' "$shown" | awk -F'|' -v port="$to_port" -v p=" $paused " '$3 == port && index(p, " " $1 " ") { c++ } END { print c + 0 }')
[ "$moved" -eq "$(echo $names | wc -w)" ] || revert "PgBouncer does not point every database at port $to_port after RELOAD" "$@"
mark repoint

# The point of no return: the clients go on on the target.
all RESUME free || for n in $names; do admin free "RESUME $n" >/dev/null || echo "warning: RESUME $n failed"; done
mark resume
rm -f -- "$ini.twinshift-before"
echo "switched pause=$(( $(now_ms) - t0 ))"

# Outside the pause: the old direction's subscription goes, and with it its slot on the source.
for db in "$@"; do
  q free to "$db" "DROP SUBSCRIPTION IF EXISTS $sub_on_to" >/dev/null || echo "warning: could not drop $sub_on_to in $db; its slot on port $from_port keeps WAL"
done
mark cleanup
exit 0
