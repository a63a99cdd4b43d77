#!/bin/sh
# Scheduled snapshots and retention, run by the server itself (cron or a systemd timer) with no
# console connected. Installed as CATALOG/bin/schedule.sh beside lock.sh and snapshot.sh. This
# script is the one implementation of the retention decision: the console only runs it with
# --dry-run and shows what it prints.
#
#   schedule.sh run CATALOG
#       for every enabled CATALOG/schedule/KEY.conf: take the catalog lock (bounded wait), take a
#       SCHEDULED snapshot through snapshot.sh, prune by the policy, release; the outcome goes to
#       CATALOG/schedule/KEY.status.json and KEY.log. A failed run deletes nothing.
#   schedule.sh prune CATALOG KEY [--dry-run [--policy TEXT] [--create]]
#       the retention decision for the volume KEY. --dry-run prints it as JSON (every snapshot with
#       KEEP or PRUNE and every reason) and changes nothing; --policy previews a policy not yet
#       saved; --create counts the snapshot the next run would take.
#   schedule.sh check CATALOG KEY --warn DURATION --crit DURATION
#       Nagios-style: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, and one line.
#
# CATALOG is the .twinshift directory. Durations: 90s, 90m, 6h, 2d, 1w. The clock is TWINSHIFT_NOW
# (ISO UTC, e.g. 2026-01-31T13:00:00Z) when set, so that tests can simulate a year in seconds.
# Policy: "hourly=36 daily=30 weekly=8 monthly=12 yearly=3 [upgrade-safety=keep|prune] [floor=10%]";
# a period's representative is its first snapshot, the newest N periods that hold a snapshot are kept
# (periods are counted, not wall-clock age), and pinned snapshots, those a clone depends on, the
# PRE_UPGRADE and PRE_ROLLBACK ones (unless upgrade-safety=prune) and the newest are never pruned.
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
umask 022
SCRIPT_VERSION=1
DEFAULT_POLICY="hourly=36 daily=30 weekly=8 monthly=12 yearly=3"
LOCK_WAIT=${TWINSHIFT_LOCK_WAIT:-120}
here=$(cd "$(dirname "$0")" && pwd)

die() { echo "schedule.sh: $*" >&2; exit 2; }

# ---- the clock ------------------------------------------------------------------------------------

now_iso() {
  if [ -n "${TWINSHIFT_NOW:-}" ]; then
    case $TWINSHIFT_NOW in
      [0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z) echo "$TWINSHIFT_NOW" ;;
      *) die "TWINSHIFT_NOW=$TWINSHIFT_NOW is not an ISO UTC time like 2026-01-31T13:00:00Z" ;;
    esac
  else
    date -u +%Y-%m-%dT%H:%M:%SZ
  fi
}
epoch_of() { date -u -d "$1" +%s; }
millis() { date +%s%3N; }

# ---- JSON -------------------------------------------------------------------------------------------

# Reads JSON files. mode=snap: one tab-separated line per snapshot sidecar (createdAt name id reason
# pinned parent method location volume file); mode=kv: "path<TAB>value" per scalar, nested keys
# joined with "." and array elements numbered. Strings stay as JSON wrote them (escapes included).
JSON_AWK='
function out(p, v) { if (mode == "kv") printf "%s\t%s\n", p, v; else F[p] = v }
function path(d,   i, p) { p = ""; for (i = 1; i <= d; i++) p = p (i > 1 ? "." : "") k[i]; return p }
function scalar(v) {
  if (typ[d] == "o" && st[d] == 2) { out(path(d), v); st[d] = 3 }
  else if (typ[d] == "a") { k[d] = idx[d]; out(path(d), v) }
}
function parse(s,   c, tok) {
  d = 0; split("", F)
  while (1) {
    sub(/^[ \t\r\n]+/, "", s)
    if (s == "") break
    c = substr(s, 1, 1)
    if (c == "\"") {
      if (!match(s, /^"([^"\\]|\\.)*"/)) break
      tok = substr(s, 2, RLENGTH - 2); s = substr(s, RLENGTH + 1)
      if (d > 0 && typ[d] == "o" && st[d] == 0) { k[d] = tok; st[d] = 1 } else scalar(tok)
    } else if (c == "{" || c == "[") {
      if (d > 0 && typ[d] == "a") k[d] = idx[d]
      d++; typ[d] = (c == "{") ? "o" : "a"; st[d] = (c == "{") ? 0 : 2; idx[d] = 0
      s = substr(s, 2)
    } else if (c == "}" || c == "]") {
      d--; if (d > 0 && typ[d] == "o") st[d] = 3
      s = substr(s, 2)
    } else if (c == ":") { st[d] = 2; s = substr(s, 2)
    } else if (c == ",") { if (typ[d] == "o") st[d] = 0; else idx[d]++; s = substr(s, 2)
    } else {
      if (!match(s, /^[^ \t\r\n,:}{\[\]"]+/)) break
      tok = substr(s, 1, RLENGTH); s = substr(s, RLENGTH + 1)
      scalar(tok == "null" ? "" : tok)
    }
  }
}
function v(key) { return (key in F) ? F[key] : "" }
function done(   f) {
  if (buf == "") return
  parse(buf)
  if (mode == "clone" && v("parent") != "") printf "%s\tclone base: %s\n", v("parent"), v("name")
  if (mode == "snap") printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v("createdAt"), v("name"), v("id"),
      v("reason"), v("pinned"), v("parent"), v("method"), v("location"), v("volume"), file
  buf = ""
}
FNR == 1 { done(); file = FILENAME }
{ buf = buf $0 "\n" }
END { done() }
'

# Escapes stdin as the inside of a JSON string (one line; control characters become spaces).
json_escape() { awk 'BEGIN { ORS = "" } { if (NR > 1) printf " "; gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/[[:cntrl:]]/, " "); print }'; }
jstr() { if [ -z "$1" ]; then printf 'null'; else printf '"%s"' "$(printf '%s' "$1" | json_escape)"; fi; }

# Sidecars of the volume's own snapshots (not those taken of clones), oldest first, as JSON_AWK's snap lines.
own_snapshots() {
  dir=$1/snapshots/$2
  [ -d "$dir" ] || return 0
  find "$dir" -mindepth 1 -maxdepth 1 -type f -name '*.json' -exec awk -v mode=snap "$JSON_AWK" {} + \
    | awk -F '\t' -v key="$2" '$9 == key && $6 == "" && $2 != ""' | LC_ALL=C sort -t "$(printf '\t')" -k1,1 -k2,2
}

# ---- the policy -------------------------------------------------------------------------------------

# Sets P_H P_D P_W P_M P_Y P_SAFETY (1 keep, 0 prune) P_FLOOR from "$1", or prints why not and fails.
parse_policy() {
  P_H=0 P_D=0 P_W=0 P_M=0 P_Y=0 P_SAFETY=1 P_FLOOR=0
  seen=" "
  case $1 in *[!a-z\ =,%0-9-]*) ERR="\"$1\" has characters a policy never has"; return 1 ;; esac
  for part in $(printf '%s' "$1" | tr ',' ' '); do
    k=${part%%=*} val=${part#*=}
    [ "$k" != "$part" ] && [ -n "$k" ] && [ -n "$val" ] || { ERR="\"$part\" is not LEVEL=COUNT"; return 1; }
    case $seen in *" $k "*) ERR="$k is given twice"; return 1 ;; esac
    seen="$seen$k "
    case $k in
      hourly|daily|weekly|monthly|yearly)
        case $val in ''|*[!0-9]*) ERR="$k=$val: the count must be a whole number"; return 1 ;; esac
        [ ${#val} -le 6 ] || { ERR="$k=$val: too large"; return 1; }
        val=$(nozeros "$val")
        case $k in hourly) P_H=$val ;; daily) P_D=$val ;; weekly) P_W=$val ;; monthly) P_M=$val ;; yearly) P_Y=$val ;; esac ;;
      upgrade-safety)
        case $val in keep) P_SAFETY=1 ;; prune) P_SAFETY=0 ;; *) ERR="upgrade-safety is keep or prune, not $val"; return 1 ;; esac ;;
      floor)
        val=${val%\%}
        case $val in ''|*[!0-9]*) ERR="floor=$val: a whole percentage, e.g. floor=10%"; return 1 ;; esac
        val=$(nozeros "$val")
        [ "$val" -le 90 ] || { ERR="floor=$val%: at most 90%"; return 1; }
        P_FLOOR=$val ;;
      *) ERR="unknown level \"$k\""; return 1 ;;
    esac
  done
  [ $((P_H + P_D + P_W + P_M + P_Y)) -gt 0 ] || { ERR="the policy keeps no level"; return 1; }
  return 0
}

# ---- the per-cluster configuration -------------------------------------------------------------------

# Reads CATALOG/schedule/KEY.conf as key=value lines, never as shell: every value is checked against
# what it may be, and a file that is not root's or that others may write is refused. Sets C_*.
read_conf() {
  f=$1
  C_cluster= C_pgdata= C_source= C_volumeKey= C_method= C_dataSubpath= C_owner= C_bindir= C_enabled= C_policy=
  [ -f "$f" ] && [ ! -L "$f" ] || { ERR="$f is not a regular file"; return 1; }
  perm=$(stat -c '%u %a' -- "$f") || return 1
  case ${perm#* } in *[2367]?|*[2367]) ERR="$f may be written by others than its owner (mode ${perm#* })"; return 1 ;; esac
  case ${perm%% *} in 0|"$MYUID") ;; *) ERR="$f is not owned by root"; return 1 ;; esac
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in ''|'#'*) continue ;; esac
    k=${line%%=*} val=${line#*=}
    [ "$k" != "$line" ] || { ERR="line \"$line\" is not key=value"; return 1; }
    case $k in
      cluster) cluster_ok "$val" || { ERR="cluster=$val is not VERSION/NAME"; return 1; }
        C_cluster=$val ;;
      pgdata|bindir) abs_path_ok "$val" || { ERR="$k=$val is not a plain absolute path"; return 1; }
        eval "C_$k=\$val" ;;
      source) { abs_path_ok "$val" || zfs_name_ok "$val"; } || { ERR="source=$val is neither a plain absolute path nor a ZFS dataset"; return 1; }
        C_source=$val ;;
      volumeKey) key_ok "$val" || { ERR="volumeKey=$val is not a catalog key"; return 1; }
        C_volumeKey=$val ;;
      method) case $val in BTRFS|ZFS|REFLINK|COPY) C_method=$val ;; *) ERR="method=$val is not BTRFS, ZFS, REFLINK or COPY"; return 1 ;; esac ;;
      dataSubpath) [ -z "$val" ] || { only 'A-Za-z0-9._/-' "$val" && case /$val/ in */../*|*/./*|*//*) false ;; esac; } \
          || { ERR="dataSubpath=$val is not a plain relative path"; return 1; }
        C_dataSubpath=$val ;;
      owner) case $val in [a-z_]*) only 'a-z0-9_-' "$val" ;; *) false ;; esac || { ERR="owner=$val is not a user name"; return 1; }
        C_owner=$val ;;
      enabled) case $val in true|false) C_enabled=$val ;; *) ERR="enabled=$val is not true or false"; return 1 ;; esac ;;
      policy) only 'a-z =,%0-9-' "$val" || { ERR="policy=$val has characters a policy never has"; return 1; }
        C_policy=$val ;;
      *) ERR="unknown key \"$k\""; return 1 ;;
    esac
  done < "$f"
  for need in cluster pgdata source volumeKey method owner bindir enabled; do
    eval "got=\$C_$need"
    [ -n "$got" ] || { ERR="$f has no $need="; return 1; }
  done
  [ -n "$C_policy" ] || C_policy=$DEFAULT_POLICY
  parse_policy "$C_policy" || { ERR="policy: $ERR"; return 1; }
  return 0
}

# 0 when $2 is not empty and made only of the characters of bracket expression $1 (no process started:
# a run checks many values).
only() { case $2 in ''|*[!$1]*) return 1 ;; esac; return 0; }
abs_path_ok() {
  case $1 in /*) ;; *) return 1 ;; esac
  only 'A-Za-z0-9._/@+-' "$1" || return 1
  case $1/ in */../*|*/./*|*//*) return 1 ;; esac
  return 0
}
zfs_name_ok() {
  case $1 in [A-Za-z0-9]*) ;; *) return 1 ;; esac
  only 'A-Za-z0-9._:/-' "$1" || return 1
  case /$1/ in */../*|*/./*|*//*) return 1 ;; esac
  return 0
}
key_ok() { case $1 in [A-Za-z0-9]*) only 'A-Za-z0-9._-' "$1" ;; *) return 1 ;; esac; }
cluster_ok() {
  case $1 in [0-9]*/[A-Za-z0-9]*) ;; *) return 1 ;; esac
  case ${1#*/} in */*) return 1 ;; esac
  only '0-9.' "${1%%/*}" && only 'A-Za-z0-9._-' "${1#*/}"
}
nozeros() { n=$1; while :; do case $n in 0?*) n=${n#0} ;; *) break ;; esac; done; echo "$n"; }
MYUID=$(id -u)

# ---- the retention decision -----------------------------------------------------------------------

# Input: snapshot lines (own_snapshots), then with FILENAME == prot the protections ("id<TAB>why").
# Output, per snapshot, oldest first: fate id name createdAt reason method location floorable why1|why2...
# floorable is 1 when only a level keeps it (so the free-space floor may take it).
DECIDE_AWK='
function dfc(y, m, d,   era, yoe, doy, doe) {
  y -= (m <= 2); era = int((y >= 0 ? y : y - 399) / 400); yoe = y - era * 400
  doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
  return era * 146097 + doe - 719468
}
function isoweek(y, m, d,   z, wd, t, iy) {
  z = dfc(y, m, d); wd = (z + 3) % 7; if (wd < 0) wd += 7
  t = z - wd + 3; iy = y
  if (t < dfc(y, 1, 1)) iy = y - 1; else if (t >= dfc(y + 1, 1, 1)) iy = y + 1
  return sprintf("%04d-W%02d", iy, int((t - dfc(iy, 1, 1)) / 7) + 1)
}
function period(l, t,   y, m, d) {
  if (l == 1) return substr(t, 1, 13)
  if (l == 2) return substr(t, 1, 10)
  if (l == 4) return substr(t, 1, 7)
  if (l == 5) return substr(t, 1, 4)
  y = substr(t, 1, 4) + 0; m = substr(t, 6, 2) + 0; d = substr(t, 9, 2) + 0
  return isoweek(y, m, d)
}
function plural(n, u) { return n == 1 ? u : u "s" }
BEGIN {
  FS = "\t"; OFS = "\t"
  split("hourly daily weekly monthly yearly", LN, " "); split("hour day week month year", UN, " ")
  split(counts, N, " ")
}
FILENAME == prot { had = ($1 in P); P[$1] = (had ? P[$1] "|" : "") $2; next }
{ n++; T[n] = $1; NAME[n] = $2; ID[n] = $3; R[n] = $4; PIN[n] = $5; METH[n] = $7; LOC[n] = $8 }
END {
  if (createName != "") { n++; T[n] = createAt; NAME[n] = createName; ID[n] = ""; virtual = n }
  for (l = 1; l <= 5; l++) {
    if (N[l] <= 0) continue
    np = 0; last = ""
    for (i = 1; i <= n; i++) { p = period(l, T[i]); if (p != last) { np++; REP[l, i] = np; last = p } }
    NP[l] = np
  }
  for (i = 1; i <= n; i++) {
    if (i == virtual) continue
    keep = ""; gone = ""; prot_ = ""
    for (l = 1; l <= 5; l++) {
      if (N[l] <= 0) continue
      if ((l, i) in REP) {
        rank = NP[l] - REP[l, i] + 1
        if (rank <= N[l]) keep = keep "|" LN[l] " " rank "/" N[l]
        else gone = gone "|beyond the newest " N[l] " " plural(N[l], UN[l])
      } else gone = gone "|not first of its " UN[l]
    }
    if (PIN[i] == "true") prot_ = prot_ "|pinned"
    if (ID[i] in P) prot_ = prot_ "|" P[ID[i]]
    if (safety == 1 && R[i] == "PRE_UPGRADE") prot_ = prot_ "|pre-upgrade"
    if (safety == 1 && R[i] == "PRE_ROLLBACK") prot_ = prot_ "|pre-rollback"
    if (i == n && virtual == 0) prot_ = prot_ "|newest"
    if (keep != "" || prot_ != "") { fate = "KEEP"; why = substr(keep prot_, 2) } else { fate = "PRUNE"; why = substr(gone, 2) }
    said = why; gsub(/\|/, "; ", said)
    print fate, ID[i], NAME[i], T[i], R[i], METH[i], LOC[i], (fate == "KEEP" && prot_ == "") ? 1 : 0, why, said
  }
}
'

# The protections of the volume's snapshots: "id<TAB>why" lines for the clones made from them (their
# sidecars) and, on ZFS, for any dataset whose origin is the snapshot (what a rollback set aside).
protections() {
  cat=$1 snaps=$2
  if [ -d "$cat/clones" ]; then
    find "$cat/clones" -mindepth 1 -maxdepth 1 -type f -name '*.json' -exec awk -v mode=clone "$JSON_AWK" {} +
  fi
  pools=$(awk -F '\t' '$7 == "ZFS_DATASET" { l = $8; sub(/\/.*/, "", l); sub(/@.*/, "", l); print l }' "$snaps" | sort -u)
  for pool in $pools; do
    zfs list -H -o name,origin -t filesystem -r "$pool" 2>/dev/null \
      | awk -F '\t' -v snaps="$snaps" 'FILENAME == snaps { if ($7 == "ZFS_DATASET") ID[$8] = $3; next }
          ($2 in ID) { print ID[$2] "\tclone base: dataset " $1 }' "$snaps" -
  done
}

# "size avail" in bytes of the filesystem that holds the catalog.
free_space() { df -P -B1 -- "$1" | awk 'NR == 2 { print $2, $4 }'; }

# Deletes one snapshot the way SnapshotService.delete does, never anything outside the catalog: a path
# snapshot must be CATALOG/snapshots/KEY/NAME itself, not a symbolic link (that directory is checked once
# per prune). Sets DEL_ERR and returns 1 when it does not delete. Few processes: a prune may delete a thousand.
delete_snapshot() {
  cat=$1 key=$2 name=$3 method=$4 loc=$5 errf=$1/schedule/.err
  DEL_ERR=
  case $name in ''|*/*|.*) DEL_ERR="refusing to delete a snapshot named \"$name\""; return 1 ;; esac
  case $method in
    BTRFS_SUBVOLUME|REFLINK|PLAIN_COPY)
      if [ "$loc" != "$cat/snapshots/$key/$name" ]; then
        DEL_ERR="refusing to delete $loc: it is not inside $cat/snapshots (not $cat/snapshots/$key/$name)"; return 1
      fi
      [ -n "$SNAPDIR_OK" ] || { DEL_ERR="refusing to delete in $cat/snapshots/$key: it goes through a symbolic link"; return 1; }
      if [ -L "$loc" ]; then DEL_ERR="refusing to delete $loc: it is a symbolic link"; return 1; fi
      if [ -e "$loc" ]; then
        if [ "$method" = BTRFS_SUBVOLUME ]; then
          btrfs subvolume delete "$loc" >/dev/null 2>"$errf" || { DEL_ERR=$(cat "$errf"); return 1; }
        else
          rm -rf --one-file-system -- "$loc" 2>"$errf" || { DEL_ERR=$(cat "$errf"); return 1; }
        fi
      fi ;;
    ZFS_DATASET)
      case $loc in *@"$name") ;; *) DEL_ERR="refusing to destroy $loc: it is not the ZFS snapshot $name"; return 1 ;; esac
      zfs_name_ok "${loc%@*}" || { DEL_ERR="refusing to destroy $loc: not a dataset name"; return 1; }
      if ! zfs list -H -o name "$loc" >/dev/null 2>&1; then
        # A promotion moves snapshots to the promoted dataset: find it there by its name.
        found=$(zfs list -H -o name -t snapshot -r "${loc%%/*}" 2>/dev/null | awk -v n="@$name" 'substr($0, length($0) - length(n) + 1) == n')
        case $found in *"
"*) DEL_ERR="several ZFS snapshots are named $name; delete it from the console"; return 1 ;; esac
        loc=$found
      fi
      if [ -n "$loc" ]; then
        tries=0
        until zfs destroy "$loc" 2>"$errf"; do
          tries=$((tries + 1))
          grep -q busy "$errf" && [ $tries -lt 30 ] || { DEL_ERR=$(cat "$errf"); return 1; }
          sleep 1
        done
      fi ;;
    *) DEL_ERR="unknown method $method of $name"; return 1 ;;
  esac
  rm -f -- "$cat/snapshots/$key/$name.json"
  return 0
}

# A full btrfs refuses even a few bytes of data (metadata still fits: names, renames, deletes), so a run
# that finds the disk full could not record why. A megabyte is kept aside in CATALOG/schedule/.reserve
# and given back only to record such a failure; the next run with room takes it again.
reserve_ensure() {
  r=$1/schedule/.reserve
  [ -f "$r" ] && [ "$(stat -c %s -- "$r")" -ge 1048576 ] && return 0
  { fallocate -l 1048576 -- "$r" 2>/dev/null || head -c 1048576 /dev/zero > "$r"; } 2>/dev/null || rm -f -- "$r"
  return 0
}
reserve_release() {
  [ -f "$1/.reserve" ] || return 1
  rm -f -- "$1/.reserve"
  sync -f "$1" 2>/dev/null
  return 0
}

log() { log_at "$1" "$(now_iso)" "$2"; }
log_at() {
  line="$2 $3"
  { printf '%s\n' "$line" >> "$1"; } 2>/dev/null && return 0
  reserve_release "${1%/*}" && printf '%s\n' "$line" >> "$1"
}

# Takes the catalog lock as lock.sh does for every console (bounded wait). Not in a command
# substitution: the lock's token and renewer belong to this process. Sets LOCK_OUT to the holder
# line (return 1) or the error (return 2).
take_lock() {
  LOCK_ACTOR_SSH=root LOCK_ACTOR_USER=schedule LOCK_ACTOR_HOST=$(uname -n)
  export LOCK_ACTOR_SSH LOCK_ACTOR_USER LOCK_ACTOR_HOST
  . "$here/lock.sh"
  mkdir -p -- "$1/schedule"
  lk=$1/schedule/.lock-out.$$
  rc=0
  lock_acquire "$1" "$2" "$LOCK_WAIT" > "$lk" 2> "$lk.err" || rc=$?
  LOCK_OUT=$(head -n 1 "$lk")
  [ $rc -eq 2 ] && LOCK_OUT=$(grep -v '^waiting' "$lk.err" | tail -n 1)
  [ -n "$LOCK_OUT" ] || LOCK_OUT="lock error (exit $rc)"
  rm -f -- "$lk" "$lk.err"
  return $rc
}

# prune CATALOG KEY [--dry-run] [--policy TEXT] [--create]: the decision, then (not in dry-run) the deletes.
# A real prune takes the catalog lock for its deletes (run prunes under the lock it took for the snapshot).
cmd_prune() {
  cat=${1:-} key=${2:-}
  [ -n "$cat" ] && [ -n "$key" ] || die "usage: schedule.sh prune CATALOG KEY [--dry-run [--policy TEXT] [--create]]"
  shift 2
  d=$(cd -- "$cat" 2>/dev/null && pwd) || die "no catalog at $cat"; cat=$d
  dry= policy= create=
  while [ $# -gt 0 ]; do
    case $1 in
      --dry-run) dry=1 ;;
      --policy) [ $# -ge 2 ] || die "--policy needs the policy text"; policy=$2; shift ;;
      --create) create=1 ;;
      *) die "unknown option $1" ;;
    esac
    shift
  done
  key_ok "$key" || die "\"$key\" is not a catalog key"
  [ -d "$cat/snapshots" ] || [ -d "$cat/schedule" ] || die "$cat is not a Twinshift catalog"
  cluster=
  if [ -f "$cat/schedule/$key.conf" ]; then
    read_conf "$cat/schedule/$key.conf" || die "$cat/schedule/$key.conf: $ERR"
    cluster=$C_cluster
    [ -n "$policy" ] || policy=$C_policy
  fi
  [ -z "$policy" ] && [ -z "$dry" ] && die "$key has no schedule ($cat/schedule/$key.conf): nothing says what to keep"
  [ -n "$policy" ] || policy=$DEFAULT_POLICY
  parse_policy "$policy" || die "policy \"$policy\": $ERR"
  if [ -z "$dry" ]; then
    take_lock "$cat" "prune $key" || die "the catalog lock is not free: $LOCK_OUT"
    trap 'lock_release' EXIT
  fi
  prune_now "$cat" "$key" "$policy" "$dry" "$create"
}

# The decision and, unless $4 (dry run), the deletes. Sets DELETED (names, one a line) and PRUNE_FAIL.
prune_now() {
  cat=$1 key=$2 policy=$3 dry=$4 create=$5
  now=$(now_iso)
  mkdir -p -- "$cat/schedule"
  work=$(mktemp -d "$cat/schedule/.prune.XXXXXX") || die "cannot make a work directory in $cat/schedule"
  own_snapshots "$cat" "$key" > "$work/snaps"
  protections "$cat" "$work/snaps" > "$work/prot"
  cname=
  [ -z "$create" ] || cname=$(echo "$now" | tr -d ':-')
  awk -v counts="$P_H $P_D $P_W $P_M $P_Y" -v safety="$P_SAFETY" -v prot="$work/prot" -v createName="$cname" \
      -v createAt="$now" "$DECIDE_AWK" "$work/snaps" "$work/prot" > "$work/plan"
  floor_json=null below=
  DELETED= PRUNE_FAIL=
  if [ "$P_FLOOR" -gt 0 ]; then
    set -- $(free_space "$cat")
    size=$1 avail=$2 floorb=$(( $1 / 100 * P_FLOOR ))
    [ "$avail" -lt "$floorb" ] && below=1
  fi
  if [ -n "$dry" ]; then
    if [ -n "$below" ]; then
      # A run deletes the oldest snapshot only a level keeps first, then measures again: this one goes at least.
      awk -F '\t' -v OFS='\t' '!d && $1 == "KEEP" && $8 == 1 { $1 = "PRUNE"; $9 = "free space below floor (oldest prunable first; more may follow)"; $10 = $9; d = 1 } 1' \
        "$work/plan" > "$work/plan2" && mv "$work/plan2" "$work/plan"
    fi
  else
    logf=$cat/schedule/$key.log
    SNAPDIR_OK=
    [ "$(readlink -f -- "$cat/snapshots/$key" 2>/dev/null)" = "$cat/snapshots/$key" ] && SNAPDIR_OK=1
    tab=$(printf '\t')
    while IFS=$tab read -r fate id name at reason method loc floorable why said; do
      [ "$fate" = PRUNE ] || continue
      if delete_snapshot "$cat" "$key" "$name" "$method" "$loc" </dev/null; then
        DELETED="$DELETED$name
"
        log_at "$logf" "$now" "deleted $id ($reason, taken $at): $said"
      else
        PRUNE_FAIL="${PRUNE_FAIL:+$PRUNE_FAIL; }could not delete $id: $DEL_ERR"
        log_at "$logf" "$now" "failed to delete $id: $DEL_ERR"
      fi
    done < "$work/plan"
    rm -f -- "$cat/schedule/.err"
    if [ -n "$below" ]; then
      log "$logf" "free space $avail of $size bytes is below the floor of $P_FLOOR% ($floorb bytes): pruning the oldest prunable snapshots first"
      while [ -n "$below" ]; do
        line=$(awk -F '\t' '$1 == "KEEP" && $8 == 1 { print; exit }' "$work/plan")
        if [ -z "$line" ]; then
          log "$logf" "still below the floor, and every snapshot left is protected or the newest: nothing more is pruned"
          break
        fi
        IFS=$tab read -r fate id name at reason method loc floorable why said <<EOF
$line
EOF
        awk -F '\t' -v OFS='\t' -v id="$id" '$2 == id { $1 = "PRUNE"; $8 = 0; $9 = "free space below floor"; $10 = $9 } 1' "$work/plan" > "$work/plan2" \
          && mv "$work/plan2" "$work/plan"
        if delete_snapshot "$cat" "$key" "$name" "$method" "$loc" </dev/null; then
          DELETED="$DELETED$name
"
          # btrfs gives a deleted subvolume's space back in the background: wait for it, or the floor would
          # still look crossed and take the next snapshot for nothing.
          [ "$method" = BTRFS_SUBVOLUME ] && btrfs subvolume sync "$cat/snapshots/$key" >/dev/null 2>&1
          sync -f "$cat" 2>/dev/null
          set -- $(free_space "$cat")
          avail=$2
          log "$logf" "deleted $id ($reason, taken $at): free space below floor; now $avail bytes free"
          [ "$avail" -lt "$floorb" ] || below=
        else
          PRUNE_FAIL="${PRUNE_FAIL:+$PRUNE_FAIL; }could not delete $id: $DEL_ERR"
          log "$logf" "failed to delete $id: $DEL_ERR"
          break
        fi
      done
    fi
  fi
  if [ "$P_FLOOR" -gt 0 ]; then
    floor_json="{\"availableBytes\": $avail, \"floorBytes\": $floorb, \"below\": $([ -n "$below" ] && echo true || echo false)}"
  fi
  if [ -n "$dry" ]; then
    create_json=null
    [ -z "$cname" ] || create_json="{\"name\": \"$cname\", \"reason\": \"SCHEDULED\"}"
    printf '{"cluster": %s, "volume": %s, "now": "%s", "policy": %s, "create": %s, "floor": %s,\n "snapshots": [' \
      "$(jstr "$cluster")" "$(jstr "$key")" "$now" "$(jstr "$policy")" "$create_json" "$floor_json"
    awk -F '\t' '
      function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
      { n = split($9, w, "|"); why = ""; for (i = 1; i <= n; i++) why = why (i > 1 ? ", " : "") q(w[i])
        printf "%s\n  {\"id\": %s, \"name\": %s, \"createdAt\": %s, \"reason\": %s, \"fate\": \"%s\", \"why\": [%s]}",
          (NR > 1 ? "," : ""), q($2), q($3), q($4), q($5), $1, why }' "$work/plan"
    printf '\n]}\n'
  fi
  rm -rf -- "$work"
}

# ---- run -------------------------------------------------------------------------------------------

# Writes KEY.status.json (to a temporary file, then renamed) and appends the outcome to KEY.log.
write_status() {
  cat=$1 key=$2 outcome=$3 failure=$4 created=$5 started=$6 policy=$7 cluster=$8
  sfile=$cat/schedule/$key.status.json
  now=$(now_iso)
  last_ok=
  if [ -f "$sfile" ]; then
    last_ok=$(awk -v mode=kv "$JSON_AWK" "$sfile" | awk -F '\t' '$1 == "lastSuccessAt" { print $2 }')
  fi
  [ "$outcome" = ok ] && last_ok=$now
  newest=$(own_snapshots "$cat" "$key" | tail -n 1 | cut -f 1)
  deleted_json=$(printf '%s' "$DELETED" | awk 'function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
      NF { printf "%s%s", (n++ ? ", " : ""), q($0) }')
  fail_json=null
  [ -z "$failure" ] || fail_json="{\"at\": \"$now\", \"why\": $(jstr "$failure")}"
  content=$(
    printf '{\n'
    printf '  "cluster": %s,\n' "$(jstr "$cluster")"
    printf '  "volume": %s,\n' "$(jstr "$key")"
    printf '  "lastRunAt": "%s",\n' "$now"
    printf '  "lastOutcome": "%s",\n' "$outcome"
    printf '  "lastSuccessAt": %s,\n' "$(jstr "$last_ok")"
    printf '  "lastFailure": %s,\n' "$fail_json"
    printf '  "lastCreated": %s,\n' "$(jstr "$created")"
    printf '  "lastDeleted": [%s],\n' "$deleted_json"
    printf '  "durationMs": %s,\n' "$(( $(millis) - started ))"
    printf '  "newestSnapshotAt": %s,\n' "$(jstr "$newest")"
    printf '  "policy": %s,\n' "$(jstr "$policy")"
    printf '  "scriptVersion": %s\n' "$SCRIPT_VERSION"
    printf '}'
  )
  if ! { printf '%s\n' "$content" > "$sfile.tmp" && mv -f -- "$sfile.tmp" "$sfile"; } 2>/dev/null; then
    rm -f -- "$sfile.tmp"
    if ! { reserve_release "$cat/schedule" && printf '%s\n' "$content" > "$sfile.tmp" && mv -f -- "$sfile.tmp" "$sfile"; }; then
      rm -f -- "$sfile.tmp"
      echo "schedule.sh: could not write $sfile" >&2
    fi
  fi
  logf=$cat/schedule/$key.log
  if [ -f "$logf" ] && [ "$(stat -c %s -- "$logf")" -gt 1048576 ]; then mv -f -- "$logf" "$logf.1"; fi
  case $outcome in
    ok) log "$logf" "run ok: created ${created:-nothing}, deleted $(printf '%s' "$DELETED" | grep -c .) ($(( $(millis) - started )) ms)" ;;
    *) log "$logf" "run $outcome: $failure" ;;
  esac
}

# One cluster's scheduled run. Returns 0 when it succeeded.
run_one() {
  cat=$1 conf=$2
  started=$(millis)
  DELETED= created= key=${conf##*/}; key=${key%.conf}
  if ! key_ok "$key"; then echo "schedule.sh: ignoring $conf: not a catalog key" >&2; return 1; fi
  if ! read_conf "$conf"; then
    write_status "$cat" "$key" failed "configuration: $ERR" "" "$started" "" ""
    return 1
  fi
  [ "$C_enabled" = true ] || return 0
  if [ "$C_volumeKey" != "$key" ]; then
    write_status "$cat" "$key" failed "configuration: volumeKey=$C_volumeKey in $key.conf" "" "$started" "$C_policy" "$C_cluster"
    return 1
  fi
  if [ ! -f "$C_pgdata/PG_VERSION" ]; then
    write_status "$cat" "$key" failed "cluster gone: $C_cluster has no PGDATA at $C_pgdata" "" "$started" "$C_policy" "$C_cluster"
    return 1
  fi
  reserve_ensure "$cat"
  # A full filesystem would fail the snapshot half-way (and a CHECKPOINT there helps nobody): say so first.
  set -- $(free_space "$cat")
  if [ "${2:-0}" -lt 16777216 ]; then
    write_status "$cat" "$key" failed "no space left on the filesystem of $cat (${2:-?} bytes free): nothing was taken or deleted" \
      "" "$started" "$C_policy" "$C_cluster"
    return 1
  fi
  rc=0
  take_lock "$cat" "scheduled snapshot of $C_cluster" || rc=$?
  if [ $rc -eq 1 ]; then
    write_status "$cat" "$key" skipped "skipped: lock $LOCK_OUT" "" "$started" "$C_policy" "$C_cluster"
    return 1
  elif [ $rc -ne 0 ]; then
    write_status "$cat" "$key" failed "the catalog lock could not be taken: $LOCK_OUT" "" "$started" "$C_policy" "$C_cluster"
    return 1
  fi
  token=$LOCK_TOKEN
  trap 'lock_release' EXIT
  trap 'exit 130' INT TERM
  version=${C_cluster%%/*}
  set -- --catalog "$cat" --volume-key "$key" --source "$C_source" --method "$C_method" --cluster "$C_cluster" \
    --version "$version" --pgdata "$C_pgdata" --owner "$C_owner" --bindir "$C_bindir" --reason SCHEDULED \
    --actor-ssh root --actor-user schedule --actor-host "$(uname -n)" --lock-held "$token"
  [ -z "$C_dataSubpath" ] || set -- "$@" --data-subpath "$C_dataSubpath"
  out=$(sh "$here/snapshot.sh" take "$@" 2>&1)
  rc=$?
  if [ $rc -ne 0 ]; then
    lock_release
    last=$(printf '%s\n' "$out" | grep -v '^[[:space:]]*$' | tail -n 1)
    case $rc in
      65) why="snapshot refused: $last" ;;
      75) why="skipped: lock $last" ;;
      *) why="snapshot failed (exit $rc): $last" ;;
    esac
    write_status "$cat" "$key" failed "$why" "" "$started" "$C_policy" "$C_cluster"
    return 1
  fi
  sidecar=$(printf '%s\n' "$out" | sed -n 's/^sidecar //p' | tail -n 1)
  created=${sidecar##*/}; created=${created%.json}
  log "$cat/schedule/$key.log" "created $key/$created (SCHEDULED)"
  prune_now "$cat" "$key" "$C_policy" "" ""
  lock_release
  if [ -n "$PRUNE_FAIL" ]; then
    write_status "$cat" "$key" failed "prune: $PRUNE_FAIL" "$created" "$started" "$C_policy" "$C_cluster"
    return 1
  fi
  write_status "$cat" "$key" ok "" "$created" "$started" "$C_policy" "$C_cluster"
  return 0
}

cmd_run() {
  cat=${1:-}
  [ -n "$cat" ] || die "usage: schedule.sh run CATALOG"
  d=$(cd -- "$cat" 2>/dev/null && pwd) || die "no catalog at $cat"; cat=$d
  [ -d "$cat/schedule" ] || die "$cat has no schedule directory: no cluster is scheduled there"
  failed=0
  for conf in "$cat"/schedule/*.conf; do
    [ -e "$conf" ] || continue
    ( run_one "$cat" "$conf" ) || failed=1
  done
  return $failed
}

# ---- check -----------------------------------------------------------------------------------------

seconds_of() {
  case $1 in
    *[!0-9smhdw]*|''|[smhdw]*) return 1 ;;
    *s) n=${1%s}; m=1 ;; *m) n=${1%m}; m=60 ;; *h) n=${1%h}; m=3600 ;; *d) n=${1%d}; m=86400 ;; *w) n=${1%w}; m=604800 ;;
    *) return 1 ;;
  esac
  case $n in ''|*[!0-9]*) return 1 ;; esac
  echo $(( n * m ))
}

ago() {
  s=$1
  if [ "$s" -lt 0 ]; then s=0; fi
  if [ "$s" -lt 90 ]; then echo "${s}s"
  elif [ "$s" -lt 5400 ]; then echo "$(( (s + 30) / 60 ))m"
  elif [ "$s" -lt 172800 ]; then echo "$(( (s + 1800) / 3600 ))h"
  else echo "$(( (s + 43200) / 86400 ))d"; fi
}

cmd_check() {
  cat=${1:-} key=${2:-}
  unknown() { echo "UNKNOWN: $*"; exit 3; }
  [ -n "$cat" ] && [ -n "$key" ] || unknown "usage: schedule.sh check CATALOG KEY --warn DURATION --crit DURATION"
  shift 2
  warn= crit=
  while [ $# -gt 0 ]; do
    case $1 in
      --warn) [ $# -ge 2 ] || unknown "--warn needs a duration, e.g. 90m"; warn=$(seconds_of "$2") || unknown "--warn $2 is not a duration like 90m, 6h or 2d"; shift ;;
      --crit) [ $# -ge 2 ] || unknown "--crit needs a duration, e.g. 6h"; crit=$(seconds_of "$2") || unknown "--crit $2 is not a duration like 90m, 6h or 2d"; shift ;;
      *) unknown "unknown option $1" ;;
    esac
    shift
  done
  [ -n "$warn" ] && [ -n "$crit" ] || unknown "give --warn and --crit, e.g. --warn 90m --crit 6h"
  [ "$warn" -lt "$crit" ] || unknown "--warn must be shorter than --crit"
  key_ok "$key" || unknown "\"$key\" is not a catalog key"
  [ -d "$cat" ] || unknown "no catalog at $cat"
  now=$(epoch_of "$(now_iso)")
  sfile=$cat/schedule/$key.status.json
  who=$key
  run_at= ok_at= fail_at= fail_why=
  if [ -f "$sfile" ]; then
    kv=$(awk -v mode=kv "$JSON_AWK" "$sfile") || unknown "cannot read $sfile"
    get() { printf '%s\n' "$kv" | awk -F '\t' -v k="$1" '$1 == k { print $2; exit }'; }
    c=$(get cluster); [ -z "$c" ] || who=$c
    run_at=$(get lastRunAt) ok_at=$(get lastSuccessAt) fail_at=$(get lastFailure.at) fail_why=$(get lastFailure.why)
  fi
  newest=$(own_snapshots "$cat" "$key" | tail -n 1 | cut -f 1)
  if [ -z "$newest" ] && [ -z "$run_at" ]; then
    unknown "$who has no snapshot and no scheduled run is recorded (is it scheduled? see \`twinshift schedule status\`)"
  fi
  code=0
  parts=
  perf=
  if [ -n "$newest" ]; then
    age=$(( now - $(epoch_of "$newest") ))
    [ "$age" -ge "$warn" ] && code=1
    [ "$age" -ge "$crit" ] && code=2
    parts="$who newest snapshot $(ago "$age") old"
    perf=" | newest_age=${age}s;$warn;$crit"
  else
    code=2
    parts="$who has no snapshot"
  fi
  if [ -n "$run_at" ]; then
    rage=$(( now - $(epoch_of "$run_at") ))
    [ "$rage" -ge "$warn" ] && [ $code -lt 1 ] && code=1
    [ "$rage" -ge "$crit" ] && code=2
    if [ -n "$fail_at" ]; then
      [ $code -lt 1 ] && code=1
      parts="last run failed $(ago $(( now - $(epoch_of "$fail_at") ))) ago: $fail_why ($parts)"
    else
      parts="$parts, last run $(ago "$rage") ago"
    fi
  else
    parts="$parts, no scheduled run recorded"
  fi
  case $code in 0) state=OK ;; 1) state=WARNING ;; *) state=CRITICAL ;; esac
  echo "$state: $parts$perf"
  exit $code
}

# ---- main ------------------------------------------------------------------------------------------

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
  run) cmd_run "$@" ;;
  prune) cmd_prune "$@" ;;
  check) cmd_check "$@" ;;
  version) echo "$SCRIPT_VERSION" ;;
  *) die "usage: schedule.sh run CATALOG | prune CATALOG KEY [--dry-run [--policy TEXT] [--create]] | check CATALOG KEY --warn D --crit D" ;;
esac
