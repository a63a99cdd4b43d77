# Takes a consistent snapshot of a cluster's volume and records it in the catalog: the one
# implementation, run by the console (manual, pre-upgrade, pre-rollback snapshots) and by the
# server's scheduled job alike. Installed as CATALOG/bin/snapshot.sh beside lock.sh. Usage:
#
#   sh CATALOG/bin/snapshot.sh take --catalog CATALOG --volume-key KEY --source SRC
#      --method BTRFS|ZFS|REFLINK|COPY --cluster ID --version V --pgdata DIR --owner OSUSER
#      --bindir DIR --reason MANUAL|SCHEDULED|PRE_UPGRADE|PRE_ROLLBACK|REHEARSAL [--label L]
#      [--parent P] [--data-subpath S] [--pinned] [--ident-file FILE]
#      --actor-ssh U --actor-user U --actor-host H [--lock-held TOKEN]
#
# A running cluster (postmaster.pid naming a postmaster whose working directory is PGDATA) gets a
# CHECKPOINT first, so that a clone's crash recovery is short, then its WAL position is read and
# the volume is captured in one atomic snapshot; a stopped one is read with pg_controldata. A copy
# (COPY, REFLINK) of a running cluster is refused: file by file, it would not be consistent.
# The sidecar CATALOG/snapshots/KEY/NAME.json has the fields of the console's SnapshotRecord.
#
# Without --lock-held it takes the catalog lock itself (lock.sh, waiting up to TWINSHIFT_LOCK_WAIT
# seconds, 20 by default); with it, the caller holds the lock with that token. The name comes from
# TWINSHIFT_NOW (ISO-8601 UTC) when set, else from the clock.
#
# stdout: one line "sidecar PATH" at the end; stderr: progress, and why it failed.
# Exit: 0 taken; 64 bad arguments; 65 refused (stderr says why and what to do); 75 the lock is held
# by another ("held by ..." on stdout); anything else: a command failed (its stderr is above).
set -u
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export LC_ALL=C
# The owner runs psql and pg_controldata: from a directory it may not read, they complain.
cd / || exit 70

here=$(dirname -- "$0")
# shellcheck source=lock.sh
. "$here/lock.sh" || { echo "snapshot.sh: cannot read $here/lock.sh" >&2; exit 70; }

say() { echo "$*" >&2; }
usage() { say "snapshot.sh: $*"; say "usage: snapshot.sh take --catalog DIR --volume-key KEY --source SRC --method BTRFS|ZFS|REFLINK|COPY --cluster ID --version V --pgdata DIR --owner OSUSER --bindir DIR --reason REASON [--label L] [--parent P] [--data-subpath S] [--pinned] [--ident-file FILE] --actor-ssh U --actor-user U --actor-host H [--lock-held TOKEN]"; exit 64; }
refuse() { say "$*"; exit 65; }
# Exits with the failing command's status, never with one of the codes that mean something else here.
fail() { rc=$1; shift; say "$*"; case $rc in 0|64|65|75) rc=1;; esac; exit "$rc"; }

[ "${1:-}" = take ] || usage "the only command is take"
shift
catalog= key= source= method= cluster= version= pgdata= owner= bindir= reason= label= parent= subpath=
pinned=false ident= actor_ssh= actor_user= actor_host= held=
while [ $# -gt 0 ]; do
  case $1 in
    --pinned) pinned=true; shift; continue ;;
    --catalog|--volume-key|--source|--method|--cluster|--version|--pgdata|--owner|--bindir|--reason|--label|--parent|--data-subpath|--ident-file|--actor-ssh|--actor-user|--actor-host|--lock-held)
      [ $# -ge 2 ] || usage "$1 needs a value" ;;
    *) usage "unknown argument '$1'" ;;
  esac
  case $1 in
    --catalog) catalog=$2 ;; --volume-key) key=$2 ;; --source) source=$2 ;; --method) method=$2 ;;
    --cluster) cluster=$2 ;; --version) version=$2 ;; --pgdata) pgdata=$2 ;; --owner) owner=$2 ;;
    --bindir) bindir=$2 ;; --reason) reason=$2 ;; --label) label=$2 ;; --parent) parent=$2 ;;
    --data-subpath) subpath=$2 ;; --ident-file) ident=$2 ;; --actor-ssh) actor_ssh=$2 ;;
    --actor-user) actor_user=$2 ;; --actor-host) actor_host=$2 ;; --lock-held) held=$2 ;;
  esac
  shift 2
done
for v in catalog key source method cluster version pgdata owner bindir reason actor_ssh actor_user actor_host; do
  eval "[ -n \"\$$v\" ]" || usage "--$(echo "$v" | tr _ -) is missing"
done
case $method in
  BTRFS) enum=BTRFS_SUBVOLUME; label_of="btrfs subvolume snapshot" ;;
  ZFS) enum=ZFS_DATASET; label_of="ZFS snapshot and clone" ;;
  REFLINK) enum=REFLINK; label_of="reflink copy (cp --reflink=always)" ;;
  COPY) enum=PLAIN_COPY; label_of="plain copy (cp -a), the slow baseline" ;;
  *) usage "--method must be BTRFS, ZFS, REFLINK or COPY, not '$method'" ;;
esac
case $reason in
  MANUAL|SCHEDULED|PRE_ROLLBACK|REHEARSAL) ;;
  PRE_UPGRADE) pinned=true ;; # the way back from an upgrade is pinned from the start
  *) usage "--reason must be MANUAL, SCHEDULED, PRE_UPGRADE, PRE_ROLLBACK or REHEARSAL, not '$reason'" ;;
esac
# The same rule as the console's Names: the label becomes part of a path.
if [ -n "$label" ]; then
  case $label in
    *.json|*.tmp|*.run) usage "\"$label\" is not a valid snapshot label: it may not end in .json, .tmp, .run" ;;
  esac
  if [ "${#label}" -gt 63 ] || ! printf '%s' "$label" | grep -q -x -E '[A-Za-z0-9][A-Za-z0-9._-]*'; then
    usage "\"$label\" is not a valid snapshot label: use 1 to 63 characters: letters, digits, '.', '_' or '-', starting with a letter or digit"
  fi
fi
case $key in ''|*/*|.|..) usage "--volume-key '$key' is not a catalog key" ;; esac
case $catalog in /*/.twinshift|/.twinshift) ;; *) usage "--catalog '$catalog' is not a .twinshift catalog directory" ;; esac
[ -d "$catalog" ] || refuse "there is no catalog at $catalog: the console makes it with the first snapshot"
case $pgdata in /*) ;; *) usage "--pgdata must be an absolute path, not '$pgdata'" ;; esac

# ---- the lock ---------------------------------------------------------------------------------

made= recorded= sidecar=
cleanup() {
  if [ -n "$made" ] && [ -z "$recorded" ]; then
    # A snapshot without its sidecar is invisible to every console: do not leave one behind.
    say "removing $location, which has no sidecar"
    remove_snapshot "$location" || say "could not remove $location: remove it by hand"
    rm -f -- "$sidecar.tmp" 2>/dev/null
  fi
  [ -n "$held" ] || lock_release || :
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if [ -n "$held" ]; then
  if ! lock_check "$catalog" "$held"; then
    lock_holder "$catalog" || echo "held by nobody: the lock of $catalog is free"
    say "the lock of $catalog is not held with the token given (its holder's lease ran out, or it was broken): the snapshot is not taken"
    held=; LOCK_TOKEN=; exit 75
  fi
else
  rc=0
  LOCK_ACTOR_SSH=$actor_ssh LOCK_ACTOR_USER=$actor_user LOCK_ACTOR_HOST=$actor_host \
    lock_acquire "$catalog" "snapshot of $cluster" "${TWINSHIFT_LOCK_WAIT:-20}" || rc=$?
  case $rc in
    0) ;;
    1) say "the lock of $catalog is held by another operation: the snapshot is not taken; try again once it is done"; exit 75 ;;
    *) fail 1 "cannot take the lock of $catalog" ;;
  esac
fi

# ---- the name -----------------------------------------------------------------------------------

if [ -n "${TWINSHIFT_NOW:-}" ]; then
  epoch=$(date -u -d "$TWINSHIFT_NOW" +%s 2>/dev/null) \
    || usage "TWINSHIFT_NOW='$TWINSHIFT_NOW' is not a time: give ISO-8601 UTC such as 2026-12-02T01:00:00Z"
else
  epoch=$(date -u +%s)
fi

exists() {
  if [ "$method" = ZFS ]; then zfs list -H -o name "$1" > /dev/null 2>&1; else [ -e "$1" ]; fi
}

name_at() {
  created=$(date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ)
  name=$(date -u -d "@$1" +%Y%m%dT%H%M%SZ)${label:+-$label}
  if [ "$method" = ZFS ]; then location=$source@$name; else location=$catalog/snapshots/$key/$name; fi
  sidecar=$catalog/snapshots/$key/$name.json
}

mkdir -p -- "$catalog/snapshots/$key" || fail $? "cannot make $catalog/snapshots/$key"
name_at "$epoch"
tries=0
# Names have one-second resolution: a second snapshot within the same second waits for the next.
while exists "$location" || [ -e "$sidecar" ]; do
  [ -z "${TWINSHIFT_NOW:-}" ] || refuse "a snapshot $location already exists for TWINSHIFT_NOW=$TWINSHIFT_NOW: give another time, or another label"
  tries=$((tries + 1))
  [ "$tries" -le 3 ] || fail 1 "a snapshot $location already exists"
  sleep 1
  epoch=$(date -u +%s)
  name_at "$epoch"
done

# ---- the cluster --------------------------------------------------------------------------------

# Exit 0 when a postmaster runs on data directory $1 (not merely a postmaster.pid left behind).
runs() {
  [ -f "$1/postmaster.pid" ] || return 1
  pid=$(head -n 1 "$1/postmaster.pid")
  case "$pid" in ''|*[!0-9]*) return 1;; esac
  [ "$(readlink -f "/proc/$pid/cwd" 2>/dev/null)" = "$(readlink -f "$1")" ]
}

as_owner() {
  if [ "$(id -un)" = "$owner" ]; then "$@"; else runuser -u "$owner" -- "$@"; fi
}

sep=$(printf '\037')
role=
# Runs SQL $1 on the running cluster as the OS owner; on a refused login, tries the roles
# pg_ident.conf maps the owner to, then "postgres" (as the console does).
sql() {
  out=$(as_owner timeout 1800 "$bindir/psql" -X -q -A -t -v ON_ERROR_STOP=1 -F "$sep" -h "$sock" -p "$port" \
    ${role:+-U "$role"} -d postgres -c "$1" 2> "$errf") && return 0
  rc=$?
  login=${role:-$owner}
  if [ -z "$role" ] && grep -q 'FATAL:' "$errf" && { grep -q "role \"$login\" does not exist" "$errf" \
      || grep -q "Peer authentication failed for user \"$login\"" "$errf"; }; then
    for r in $(mapped_roles) postgres; do
      [ "$r" != "$login" ] || continue
      if as_owner "$bindir/psql" -X -q -A -t -h "$sock" -p "$port" -U "$r" -d postgres -c 'SELECT 1' > /dev/null 2>&1; then
        role=$r
        sql "$1"
        return
      fi
    done
  fi
  cat "$errf" >&2
  return "$rc"
}

# Plain pg_ident.conf entries for the owner (regular expressions and groups are skipped).
mapped_roles() {
  f=$ident
  if [ -z "$f" ]; then
    f=/etc/postgresql/$cluster/pg_ident.conf
    [ -f "$f" ] || f=$pgdata/pg_ident.conf
  fi
  [ -f "$f" ] || return 0
  sed 's/#.*//' "$f" | awk -v u="$owner" 'NF == 3 && $2 == u && $3 !~ /\\/ && $3 !~ /^\+/ { r = $3; gsub(/^"|"$/, "", r); if (!(r in seen)) { seen[r]; print r } }'
}

errf=$(mktemp "$catalog/.snapshot-err.XXXXXX") || fail 1 "cannot make a temporary file in $catalog"
trap 'rm -f -- "$errf"; cleanup' EXIT

if runs "$pgdata"; then
  online=true
  if [ "$method" = COPY ] || [ "$method" = REFLINK ]; then
    refuse "cannot snapshot $cluster: $cluster is running and $label_of is not an atomic snapshot, so the copy would not be consistent: stop the cluster first"
  fi
  port=$(sed -n 4p "$pgdata/postmaster.pid"); sock=$(sed -n 5p "$pgdata/postmaster.pid")
  case $port in ''|*[!0-9]*) fail 1 "$pgdata/postmaster.pid names no port on its 4th line" ;; esac
  [ -n "$sock" ] || sock=localhost
  say "CHECKPOINT on $cluster (port $port)"
  sql CHECKPOINT || fail $? "CHECKPOINT on $cluster failed"
  sql "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, (SELECT timeline_id FROM pg_control_checkpoint())" \
    || fail $? "reading the WAL position of $cluster failed"
  lsn=${out%%"$sep"*}; tli=${out#*"$sep"}
else
  online=false
  out=$(as_owner "$bindir/pg_controldata" -D "$pgdata" 2> "$errf") || { rc=$?; cat "$errf" >&2; fail "$rc" "pg_controldata -D $pgdata failed"; }
  lsn=$(printf '%s\n' "$out" | sed -n 's/^Latest checkpoint location:[[:space:]]*//p')
  tli=$(printf '%s\n' "$out" | sed -n "s/^Latest checkpoint's TimeLineID:[[:space:]]*//p")
fi
printf '%s' "$lsn" | grep -q -x -E '[0-9A-F]+/[0-9A-F]+' || fail 1 "no WAL position could be read for $cluster (got '$lsn')"
case $tli in ''|*[!0-9]*) fail 1 "no timeline could be read for $cluster (got '$tli')" ;; esac

# ---- the snapshot -------------------------------------------------------------------------------

remove_snapshot() {
  case $method in
    BTRFS) case $1 in */.twinshift/*) btrfs subvolume delete "$1" > /dev/null ;; *) return 1 ;; esac ;;
    ZFS) case $1 in "$source"@*) zfs destroy "$1" ;; *) return 1 ;; esac ;;
    *) case $1 in */.twinshift/*) rm -rf --one-file-system -- "$1" ;; *) return 1 ;; esac ;;
  esac
}

say "snapshot $source -> $location ($label_of)"
case $method in
  BTRFS)
    btrfs subvolume snapshot -r "$source" "$location" > /dev/null 2> "$errf" \
      || { rc=$?; cat "$errf" >&2; fail "$rc" "btrfs subvolume snapshot -r $source $location failed"; } ;;
  ZFS)
    zfs snapshot "$location" 2> "$errf" || { rc=$?; cat "$errf" >&2; fail "$rc" "zfs snapshot $location failed"; } ;;
  REFLINK|COPY)
    [ "$method" = REFLINK ] && how=--reflink=always || how=--reflink=never
    if ! cp -a "$how" -- "$source" "$location" 2> "$errf"; then
      rc=$?; cat "$errf" >&2
      # A half-made copy is removed.
      rm -rf --one-file-system -- "$location" 2>/dev/null
      fail "$rc" "cp -a $how $source $location failed"
    fi ;;
esac
made=1

# ---- the sidecar --------------------------------------------------------------------------------

str() { if [ -n "$1" ]; then printf '"%s"' "$(json_str "$1")"; else printf null; fi; }
{
  printf '{\n'
  printf '  "id" : %s,\n' "$(str "$key/$name")"
  printf '  "name" : %s,\n' "$(str "$name")"
  printf '  "volume" : %s,\n' "$(str "$key")"
  printf '  "createdAt" : "%s",\n' "$created"
  printf '  "createdBy" : {\n    "sshUser" : %s,\n    "workstationUser" : %s,\n    "workstationHost" : %s\n  },\n' \
    "$(str "$actor_ssh")" "$(str "$actor_user")" "$(str "$actor_host")"
  printf '  "reason" : "%s",\n' "$reason"
  printf '  "label" : %s,\n' "$(str "$label")"
  printf '  "cluster" : %s,\n' "$(str "$cluster")"
  printf '  "pgVersion" : %s,\n' "$(str "$version")"
  printf '  "walLsn" : "%s",\n' "$lsn"
  printf '  "timeline" : %s,\n' "$tli"
  printf '  "sourcePath" : %s,\n' "$(str "$source")"
  printf '  "parent" : %s,\n' "$(str "$parent")"
  printf '  "pinned" : %s,\n' "$pinned"
  printf '  "method" : "%s",\n' "$enum"
  printf '  "location" : %s,\n' "$(str "$location")"
  printf '  "online" : %s,\n' "$online"
  printf '  "dataSubpath" : %s\n' "$(str "$subpath")"
  printf '}\n'
} > "$sidecar.tmp" || fail 1 "cannot write $sidecar.tmp"
sync -- "$sidecar.tmp" 2>/dev/null || sync
mv -f -- "$sidecar.tmp" "$sidecar" || fail 1 "cannot rename $sidecar.tmp"
sync -- "$catalog/snapshots/$key" 2>/dev/null || :
recorded=1
say "snapshot $key/$name taken at WAL $lsn timeline $tli"
echo "sidecar $sidecar"
