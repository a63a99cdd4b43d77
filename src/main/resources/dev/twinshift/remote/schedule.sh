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
#   schedule.sh idle CATALOG [--dry-run [--policy TEXT]]
#       idle clones: records when each clone last had a client, and decides by CATALOG/schedule/clones.conf
#       which are ACTIVE, IDLE, STOP_DUE, DESTROY_DUE, PROTECTED or STOPPED. --dry-run prints that as JSON
#       and changes nothing but the activity it saw; without it the due clones are stopped or destroyed
#       under the catalog lock, each action in CATALOG/schedule/clones.log and clones.status.json. run
#       does this after the snapshots of the catalog.
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
    # The idle-clone policy, not a volume's schedule.
    [ "${conf##*/}" != clones.conf ] || continue
    ( run_one "$cat" "$conf" ) || failed=1
  done
  # Then the idle clones: what it does and why is in clones.log and clones.status.json. Its failure (or a
  # lock held) is reported there and on stderr and never fails the snapshots' run.
  if [ -d "$cat/clones" ]; then
    irc=0
    ( cmd_idle "$cat" ) > /dev/null || irc=$?
    [ $irc -eq 0 ] || echo "schedule.sh: idle clones of $cat: exit $irc, see $cat/schedule/clones.status.json and clones.log" >&2
  fi
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

# ---- idle clones -----------------------------------------------------------------------------------

# A clone is active while a client is connected to it (client backends in pg_stat_activity other than
# the checker's own session); the last time one was seen is CATALOG/clones/NAME.activity (ISO UTC), which
# the console's start of a clone writes too, and a clone's creation counts as well. The policy is
# CATALOG/schedule/clones.conf (key=value lines, read, never run):
#   idle-mark=DURATION          when a clone is shown as idle (default 24h)
#   idle-action=off|stop|destroy what the hourly run does to an idle clone (default off: nothing)
#   idle-after=DURATION         after how long without a connection it does it (default 7d)
# Never acted on: a clone marked CATALOG/clones/NAME.protected, blue/green twins (bg<digits>-twin) and
# bisect probes (bisect-...), which belong to running operations, and a clone whose sidecar cannot be
# read. A clone that has snapshots of its own (parent clone:NAME) is only stopped, never destroyed.

IDLE_DEFAULT="idle-mark=24h idle-action=off idle-after=7d"

# A duration in seconds as text: whole days (more than one), else hours, minutes, seconds.
dur_text() {
  if [ $(($1 % 86400)) -eq 0 ] && [ "$1" -gt 86400 ]; then echo "$(($1 / 86400))d"
  elif [ $(($1 % 3600)) -eq 0 ]; then echo "$(($1 / 3600))h"
  elif [ $(($1 % 60)) -eq 0 ]; then echo "$(($1 / 60))m"
  else echo "${1}s"; fi
}
# The same for a person: "3 d", "24 h", "90 min".
dur_human() {
  if [ $(($1 % 86400)) -eq 0 ] && [ "$1" -gt 86400 ]; then echo "$(($1 / 86400)) d"
  elif [ $(($1 % 3600)) -eq 0 ]; then echo "$(($1 / 3600)) h"
  else echo "$(($1 / 60)) min"; fi
}
# How long a clone has been idle, rounded down: "40 min", "5 h", "4 d".
ago_human() {
  if [ "$1" -lt 7200 ]; then echo "$(($1 / 60)) min"
  elif [ "$1" -lt 172800 ]; then echo "$(($1 / 3600)) h"
  else echo "$(($1 / 86400)) d"; fi
}
when_human() { date -u -d "@$1" '+%Y-%m-%d %H:%M UTC'; }

# Sets I_MARK I_AFTER (seconds), I_ACTION (off|stop|destroy) and I_TEXT (the policy as the console writes
# it) from "$1", or sets ERR and fails. The console's IdleClonePolicy.parse refuses exactly the same.
parse_idle_policy() {
  I_MARK=86400 I_ACTION=off I_AFTER=604800
  seen=" "
  case $1 in *[!a-z0-9\ =,-]*) ERR="\"$1\" has characters an idle-clone policy never has"; return 1 ;; esac
  for part in $(printf '%s' "$1" | tr ',' ' '); do
    k=${part%%=*} val=${part#*=}
    [ "$k" != "$part" ] && [ -n "$k" ] && [ -n "$val" ] || { ERR="\"$part\" is not KEY=VALUE (idle-mark=24h idle-action=off|stop|destroy idle-after=7d)"; return 1; }
    case $seen in *" $k "*) ERR="$k is given twice"; return 1 ;; esac
    seen="$seen$k "
    case $k in
      idle-mark|idle-after)
        s=
        case $val in 0*) val=x ;; esac   # no leading zero: sh would read 010 as octal
        [ ${#val} -le 7 ] && s=$(seconds_of "$val") || { ERR="$k=${part#*=}: not a duration like 90m, 6h, 2d or 1w"; return 1; }
        [ "$s" -gt 0 ] || { ERR="$k=$val: must be longer than nothing"; return 1; }
        if [ "$k" = idle-mark ]; then I_MARK=$s; else I_AFTER=$s; fi ;;
      idle-action)
        case $val in off|stop|destroy) I_ACTION=$val ;; *) ERR="idle-action is off, stop or destroy, not $val"; return 1 ;; esac ;;
      *) ERR="unknown key \"$k\" (idle-mark, idle-action, idle-after)"; return 1 ;;
    esac
  done
  [ "$I_AFTER" -ge 3600 ] || { ERR="idle-after=$(dur_text "$I_AFTER"): at least 1h, so that a clone is never acted on while someone is still at work"; return 1; }
  [ "$I_AFTER" -ge "$I_MARK" ] || { ERR="idle-after=$(dur_text "$I_AFTER") is shorter than idle-mark=$(dur_text "$I_MARK"): a clone is marked idle before it is acted on"; return 1; }
  I_TEXT="idle-mark=$(dur_text "$I_MARK") idle-action=$I_ACTION idle-after=$(dur_text "$I_AFTER")"
  return 0
}

# Reads CATALOG/schedule/clones.conf as read_conf reads a schedule (never as shell; refused unless root's
# and written only by its owner) into the policy text POLICY_TEXT; the defaults when there is no file.
read_idle_conf() {
  f=$1
  POLICY_TEXT=$IDLE_DEFAULT
  [ -e "$f" ] || return 0
  [ -f "$f" ] && [ ! -L "$f" ] || { ERR="$f is not a regular file"; return 1; }
  perm=$(stat -c '%u %a' -- "$f") || return 1
  case ${perm#* } in *[2367]?|*[2367]) ERR="$f may be written by others than its owner (mode ${perm#* })"; return 1 ;; esac
  case ${perm%% *} in 0|"$MYUID") ;; *) ERR="$f is not owned by root"; return 1 ;; esac
  POLICY_TEXT=
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in ''|'#'*) continue ;; esac
    case $line in *=*) ;; *) ERR="line \"$line\" is not key=value"; return 1 ;; esac
    case $line in *[!a-z0-9=-]*) ERR="line \"$line\" has characters an idle-clone policy never has"; return 1 ;; esac
    POLICY_TEXT="${POLICY_TEXT:+$POLICY_TEXT }$line"
  done < "$f"
  [ -n "$POLICY_TEXT" ] || POLICY_TEXT=$IDLE_DEFAULT
  return 0
}

tab=$(printf '\t')
kv_get() { printf '%s\n' "$kv" | awk -F '\t' -v k="$1" '$1 == k { print $2; exit }'; }

# Exit 0 when a postmaster runs on data directory $1 (not merely a postmaster.pid left behind), as snapshot.sh.
runs() {
  [ -f "$1/postmaster.pid" ] || return 1
  pid=$(head -n 1 "$1/postmaster.pid")
  case "$pid" in ''|*[!0-9]*) return 1;; esac
  [ "$(readlink -f "/proc/$pid/cwd" 2>/dev/null)" = "$(readlink -f "$1")" ]
}

clone_name_ok() { case $1 in [A-Za-z0-9]*) only 'A-Za-z0-9._-' "$1" && [ ${#1} -le 63 ] ;; *) return 1 ;; esac; }

# Why the policy never acts on clone $1 because an operation owns it, or nothing.
operation_clone() {
  case $1 in
    bg*-twin) t=${1#bg}; t=${t%-twin}; only '0-9' "$t" && echo "the twin of a running blue/green upgrade (it belongs to the operation)" ;;
    bisect-*) echo "a bisect's probe clone (it belongs to the bisect)" ;;
  esac
}

# Counts the client connections of the clone that runs from data directory $data as $owner with version
# $version's psql, on the port and socket of its postmaster.pid, not counting its own session. Sets CONNS
# (a number) or, when it cannot, CONN_ERR. Tries the owner's own role, then the roles the clone's
# pg_ident.conf maps the owner to, then postgres, as snapshot.sh does.
count_connections() {
  CONNS= CONN_ERR=
  port=$(sed -n 4p "$data/postmaster.pid" 2>/dev/null); sock=$(sed -n 5p "$data/postmaster.pid" 2>/dev/null)
  case $port in ''|*[!0-9]*) CONN_ERR="$data/postmaster.pid names no port"; return 1 ;; esac
  [ -n "$sock" ] || sock=localhost
  q="SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_catalog.pg_backend_pid()"
  ident=$cat/clones/$name.run/conf/pg_ident.conf
  roles=
  [ -f "$ident" ] && roles=$(sed 's/#.*//' "$ident" | awk -v u="$owner" 'NF == 3 && $2 == u && $3 !~ /\\/ && $3 !~ /^\+/ { r = $3; gsub(/^"|"$/, "", r); if (!(r in seen)) { seen[r]; print r } }')
  for r in "" $roles postgres; do
    [ "$r" != "$owner" ] || continue
    if [ "$(id -un)" = "$owner" ]; then
      out=$(timeout 60 "/usr/lib/postgresql/$version/bin/psql" -X -q -A -t -h "$sock" -p "$port" ${r:+-U "$r"} -d postgres -c "$q" 2>&1)
    else
      out=$(runuser -u "$owner" -- timeout 60 "/usr/lib/postgresql/$version/bin/psql" -X -q -A -t -h "$sock" -p "$port" ${r:+-U "$r"} -d postgres -c "$q" 2>&1)
    fi
    case $out in ''|*[!0-9]*) CONN_ERR=$(printf '%s' "$out" | grep -v '^[[:space:]]*$' | head -n 1) ;; *) CONNS=$out; return 0 ;; esac
    case $CONN_ERR in *"does not exist"*|*"authentication failed"*) continue ;; *) break ;; esac
  done
  [ -n "$CONN_ERR" ] || CONN_ERR="psql gave no answer"
  return 1
}

# The decision for every clone of catalog $1 with the policy parsed into I_*, at epoch $2; records the
# activity it sees first. Writes one tab-separated line per clone to $3: name running connections
# lastActiveEpoch idleSeconds protected verdict reason owner version data method location sock parent.
idle_decide() {
  cat=$1 nowe=$2 plan=$3
  : > "$plan"
  [ -d "$cat/clones" ] || return 0
  own=$plan.own
  if [ -d "$cat/snapshots" ]; then
    find "$cat/snapshots" -mindepth 2 -maxdepth 2 -type f -name '*.json' -exec awk -v mode=snap "$JSON_AWK" {} + \
      | awk -F '\t' '$6 ~ /^clone:/ { print substr($6, 7) "\t" $3 }' > "$own"
  else
    : > "$own"
  fi
  for sc in "$cat"/clones/*.json; do
    [ -f "$sc" ] || continue
    name=${sc##*/}; name=${name%.json}
    clone_name_ok "$name" || continue
    kv=$(awk -v mode=kv "$JSON_AWK" "$sc" 2>/dev/null)
    owner=$(kv_get owner) version=$(kv_get pgVersion) data=$(kv_get dataDirectory) method=$(kv_get method) location=$(kv_get location)
    sock=$(kv_get socketDirectory) parent=$(kv_get parent) created=$(kv_get createdAt)
    running=false conns= lastact= idle= prot=false verdict= reason=
    bad=
    [ "$(kv_get name)" = "$name" ] || bad="its sidecar names another clone"
    case $owner in root|'') bad="its sidecar names no owner (or root)" ;; [a-z_]*) only 'a-z0-9_-' "$owner" || bad="owner $owner is not a user name" ;; *) bad="owner $owner is not a user name" ;; esac
    only '0-9.' "$version" || bad="version $version is not a PostgreSQL version"
    abs_path_ok "$data" || bad="data directory $data is not a plain absolute path"
    case $method in BTRFS_SUBVOLUME|ZFS_DATASET|REFLINK|PLAIN_COPY) ;; *) bad="method $method is unknown" ;; esac
    if [ -n "$bad" ]; then
      printf '%s\tfalse\t-\t-\t-\tfalse\tPROTECTED\t%s\t-\t-\t-\t-\t-\t-\t-\n' "$name" "never acted on: $bad" >> "$plan"
      continue
    fi
    if runs "$data"; then
      running=true
      if count_connections; then
        conns=$CONNS
        if [ "$conns" -gt 0 ]; then
          # Never backwards: a run with a later clock (TWINSHIFT_NOW) may have written a later time.
          prev=$(head -n 1 "$cat/clones/$name.activity" 2>/dev/null)
          prev_e=$(date -u -d "$prev" +%s 2>/dev/null || echo 0)
          if [ "$nowe" -gt "$prev_e" ]; then
            { date -u -d "@$nowe" +%Y-%m-%dT%H:%M:%SZ > "$cat/clones/$name.activity.tmp" \
              && mv -f -- "$cat/clones/$name.activity.tmp" "$cat/clones/$name.activity"; } 2>/dev/null \
              || echo "schedule.sh: could not record the activity of clone $name" >&2
          fi
        fi
      fi
    fi
    # The last activity: the newest of the recorded one and the clone's creation.
    lastact=$(date -u -d "$created" +%s 2>/dev/null || echo 0)
    act=$(head -n 1 "$cat/clones/$name.activity" 2>/dev/null)
    case $act in
      [0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]*Z)
        ae=$(date -u -d "$act" +%s 2>/dev/null || echo 0); [ "$ae" -le "$lastact" ] || lastact=$ae ;;
    esac
    idle=$((nowe - lastact)); [ "$idle" -ge 0 ] || idle=0
    since="no connection since $(when_human "$lastact") ($(ago_human "$idle"))"
    ownsnaps=$(awk -F '\t' -v n="$name" '$1 == n { printf "%s%s", (c++ ? ", " : ""), $2 }' "$own")
    opname=$(operation_clone "$name")
    if [ -f "$cat/clones/$name.protected" ]; then
      prot=true verdict=PROTECTED
      pk=$(awk -v mode=kv "$JSON_AWK" "$cat/clones/$name.protected" 2>/dev/null)
      pby=$(printf '%s\n' "$pk" | awk -F '\t' '$1 == "by" { print $2; exit }')
      pat=$(printf '%s\n' "$pk" | awk -F '\t' '$1 == "at" { print $2; exit }')
      reason="protected${pby:+ by $pby}${pat:+ since $pat}: never stopped or destroyed by the policy"
    elif [ -n "$opname" ]; then
      verdict=PROTECTED reason="$opname: never stopped or destroyed by the policy"
    elif [ "$running" = true ] && [ -z "$conns" ]; then
      verdict=ACTIVE reason="running, but its connections could not be counted ($CONN_ERR): treated as in use"
    elif [ "$running" = true ] && [ "$conns" -gt 0 ]; then
      verdict=ACTIVE reason="$conns client connection(s) now"
    else
      case $I_ACTION in
        stop) then_="policy stops after $(dur_human "$I_AFTER")" ;;
        destroy) then_="policy destroys after $(dur_human "$I_AFTER")" ;;
        *) then_="the policy (idle-action=off) neither stops nor destroys it" ;;
      esac
      due=
      [ "$I_ACTION" != off ] && [ "$idle" -ge "$I_AFTER" ] && due=1
      if [ "$running" = false ]; then
        verdict=STOPPED reason="not running; last active $(when_human "$lastact") ($(ago_human "$idle") ago)"
        if [ "$I_ACTION" = destroy ] && [ -n "$ownsnaps" ]; then
          reason="$reason; it has snapshots of its own ($ownsnaps), so the policy never destroys it"
        elif [ "$I_ACTION" = destroy ] && [ -n "$due" ]; then
          verdict=DESTROY_DUE reason="$since; $then_; it can be made again from snapshot $parent (losing only the writes made in the clone)"
        elif [ "$I_ACTION" = destroy ]; then
          reason="$reason; $then_"
        fi
      elif [ -n "$due" ] && [ "$I_ACTION" = destroy ] && [ -n "$ownsnaps" ]; then
        verdict=STOP_DUE reason="$since; $then_, but it has snapshots of its own ($ownsnaps): only stopped, never destroyed"
      elif [ -n "$due" ] && [ "$I_ACTION" = destroy ]; then
        verdict=DESTROY_DUE reason="$since; $then_; it can be made again from snapshot $parent (losing only the writes made in the clone)"
      elif [ -n "$due" ]; then
        verdict=STOP_DUE reason="$since; $then_"
      elif [ "$idle" -ge "$I_MARK" ]; then
        verdict=IDLE reason="$since; $then_"
      else
        verdict=ACTIVE reason="last active $(when_human "$lastact") ($(ago_human "$idle") ago); marked idle after $(dur_human "$I_MARK")"
      fi
    fi
    reason=$(printf '%s' "$reason" | tr '\t\n' '  ')
    # No field is empty ("-" instead): read with IFS=tab would take two tabs for one.
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$running" "${conns:--}" "$lastact" "$idle" \
      "$prot" "$verdict" "$reason" "$owner" "$version" "$data" "$method" "${location:--}" "${sock:--}" "${parent:--}" >> "$plan"
  done
  rm -f -- "$own"
}

# Stops the clone's server the way the console's CloneServer.stop does: pg_ctl stop -m fast as its owner.
idle_stop() {
  out=$(runuser -u "$owner" -- "/usr/lib/postgresql/$version/bin/pg_ctl" stop -D "$data" -m fast -w -t 300 2>&1) \
    || { ACT_ERR="pg_ctl stop failed: $(printf '%s' "$out" | grep -v '^[[:space:]]*$' | tail -n 1)"; return 1; }
  if runs "$data"; then ACT_ERR="pg_ctl stop returned but the server still runs"; return 1; fi
  return 0
}

# Destroys the clone as the console's CloneService.destroy does: stops it, removes its data (btrfs
# subvolume delete, zfs destroy of POOL/twinshift/clones/NAME, or rm -rf of a copy), its run directory,
# its private socket directory, the space watcher's files and its sidecar. Never anything that is not
# the clone's own place in the catalog.
idle_destroy() {
  c=$cat/clones/$name errf=$cat/schedule/.idle-err
  if [ "$running" = true ] || runs "$data"; then idle_stop || return 1; fi
  case $method in
    BTRFS_SUBVOLUME|REFLINK|PLAIN_COPY)
      [ "$location" = "$c" ] || { ACT_ERR="refusing to delete $location: it is not $c"; return 1; }
      [ "$(readlink -f -- "$cat/clones")" = "$cat/clones" ] || { ACT_ERR="refusing to delete in $cat/clones: it goes through a symbolic link"; return 1; }
      [ ! -L "$c" ] || { ACT_ERR="refusing to delete $c: it is a symbolic link"; return 1; }
      if [ -e "$c" ]; then
        if [ "$method" = BTRFS_SUBVOLUME ]; then
          btrfs subvolume delete "$c" >/dev/null 2>"$errf" || { ACT_ERR=$(cat "$errf"); rm -f -- "$errf"; return 1; }
        else
          rm -rf --one-file-system -- "$c" 2>"$errf" || { ACT_ERR=$(cat "$errf"); rm -f -- "$errf"; return 1; }
        fi
      fi ;;
    ZFS_DATASET)
      zfs_name_ok "$location" && [ "$location" = "${location%%/*}/twinshift/clones/$name" ] \
        || { ACT_ERR="refusing to destroy $location: it is not a clone Twinshift made"; return 1; }
      if zfs list -H -o name "$location" >/dev/null 2>&1; then
        tries=0
        until zfs destroy "$location" 2>"$errf"; do
          tries=$((tries + 1))
          grep -q busy "$errf" && [ $tries -lt 30 ] || { ACT_ERR=$(cat "$errf"); rm -f -- "$errf"; return 1; }
          sleep 1
        done
      fi ;;
  esac
  rm -f -- "$errf"
  rm -rf -- "$c.run"
  case $sock in /tmp/twinshift-*/*|*/..*) ;; /tmp/twinshift-?*) [ -d "$sock" ] && [ ! -L "$sock" ] && rm -rf -- "$sock" ;; esac
  rm -f -- "$c.space-watch" "$c.space-stop" "$c.activity" "$c.protected" "$c.json"
  return 0
}

# Writes CATALOG/schedule/clones.status.json: the last enforcement, what it did, its failure.
idle_status() {
  cat=$1 outcome=$2 failure=$3 actions=$4
  sfile=$cat/schedule/clones.status.json
  fail_json=null
  [ -z "$failure" ] || fail_json="{\"at\": \"$(now_iso)\", \"why\": $(jstr "$failure")}"
  acts=$(printf '%s' "$actions" | awk 'function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
      NF { printf "%s%s", (n++ ? ", " : ""), q($0) }')
  { printf '{\n  "lastRunAt": "%s",\n  "lastOutcome": "%s",\n  "lastFailure": %s,\n  "lastActions": [%s],\n  "policy": %s,\n  "scriptVersion": %s\n}\n' \
      "$(now_iso)" "$outcome" "$fail_json" "$acts" "$(jstr "$I_TEXT")" "$SCRIPT_VERSION" > "$sfile.tmp" \
    && mv -f -- "$sfile.tmp" "$sfile"; } 2>/dev/null || { rm -f -- "$sfile.tmp"; echo "schedule.sh: could not write $sfile" >&2; }
}

# idle CATALOG [--dry-run [--policy TEXT]]: the decision (as JSON with --dry-run), or its enforcement
# under the catalog lock. Exit 0, 1 (an action failed), 2 (error), 75 (the lock is held by another).
cmd_idle() {
  cat=${1:-}
  [ -n "$cat" ] || die "usage: schedule.sh idle CATALOG [--dry-run [--policy TEXT]]"
  shift
  d=$(cd -- "$cat" 2>/dev/null && pwd) || die "no catalog at $cat"; cat=$d
  dry= policy=
  while [ $# -gt 0 ]; do
    case $1 in
      --dry-run) dry=1 ;;
      --policy) [ $# -ge 2 ] || die "--policy needs the policy text"; policy=$2; shift ;;
      *) die "unknown option $1" ;;
    esac
    shift
  done
  [ -z "$policy" ] || [ -n "$dry" ] || die "--policy previews a policy not yet saved: only with --dry-run"
  [ -d "$cat/clones" ] || [ -d "$cat/snapshots" ] || [ -d "$cat/schedule" ] || die "$cat is not a Twinshift catalog"
  if [ -z "$policy" ]; then
    read_idle_conf "$cat/schedule/clones.conf" || die "$cat/schedule/clones.conf: $ERR"
    policy=$POLICY_TEXT
  fi
  parse_idle_policy "$policy" || die "idle-clone policy \"$policy\": $ERR"
  mkdir -p -- "$cat/schedule"
  work=$(mktemp -d "$cat/schedule/.idle.XXXXXX") || die "cannot make a work directory in $cat/schedule"
  trap 'rm -rf -- "$work"' EXIT
  now=$(now_iso); nowe=$(epoch_of "$now")
  idle_decide "$cat" "$nowe" "$work/plan"
  if [ -n "$dry" ]; then
    printf '{"catalog": %s, "now": "%s",\n "policy": {"text": "%s", "markAfterSeconds": %s, "action": "%s", "actAfterSeconds": %s},\n "clones": [' \
      "$(jstr "$cat")" "$now" "$I_TEXT" "$I_MARK" "$(echo "$I_ACTION" | tr a-z A-Z)" "$I_AFTER"
    awk -F '\t' '
      function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
      function iso(e,   c, r) { if (e == "-") return "null"; c = "date -u -d @" e " +%Y-%m-%dT%H:%M:%SZ"; c | getline r; close(c); return q(r) }
      { printf "%s\n  {\"name\": %s, \"running\": %s, \"connections\": %s, \"lastActiveAt\": %s, \"idleSeconds\": %s, \"protected\": %s, \"verdict\": \"%s\", \"reason\": %s}",
          (NR > 1 ? "," : ""), q($1), $2, ($3 == "-" ? "null" : $3), iso($4), ($5 == "-" ? "null" : $5), $6, $7, q($8) }' "$work/plan"
    printf '\n]}\n'
    return 0
  fi
  # Nothing due: the lock is not taken (an hourly run with idle-action=off only records activity).
  if ! awk -F '\t' '$7 == "STOP_DUE" || $7 == "DESTROY_DUE" { f = 1 } END { exit !f }' "$work/plan"; then
    idle_status "$cat" ok "" ""
    return 0
  fi
  rc=0
  take_lock "$cat" "stop idle clones" || rc=$?
  if [ $rc -ne 0 ]; then
    why="the catalog lock could not be taken: $LOCK_OUT"
    [ $rc -eq 1 ] && why="skipped: lock $LOCK_OUT"
    log "$cat/schedule/clones.log" "idle clones $why"
    idle_status "$cat" "$([ $rc -eq 1 ] && echo skipped || echo failed)" "$why" ""
    echo "$why"
    [ $rc -eq 1 ] && return 75
    return 2
  fi
  trap 'lock_release; rm -rf -- "$work"' EXIT
  trap 'exit 130' INT TERM
  # Decided again under the lock: a console may have started, protected or destroyed a clone meanwhile.
  now=$(now_iso); nowe=$(epoch_of "$now")
  idle_decide "$cat" "$nowe" "$work/plan"
  logf=$cat/schedule/clones.log
  if [ -f "$logf" ] && [ "$(stat -c %s -- "$logf")" -gt 1048576 ]; then mv -f -- "$logf" "$logf.1"; fi
  done_= failed_=
  while IFS=$tab read -r name running conns lastact idle prot verdict reason owner version data method location sock parent; do
    ACT_ERR=
    case $verdict in
      STOP_DUE)
        if idle_stop </dev/null; then msg="stopped clone $name: $reason"; else msg="failed to stop clone $name: $ACT_ERR"; failed_=1; fi ;;
      DESTROY_DUE)
        by=$(awk -v mode=kv "$JSON_AWK" "$cat/clones/$name.json" 2>/dev/null | awk -F '\t' '$1 ~ /^createdBy\./ { v[$1] = $2 }
            END { if (v["createdBy.sshUser"] != "") printf "%s (%s@%s)", v["createdBy.sshUser"], v["createdBy.workstationUser"], v["createdBy.workstationHost"] }')
        log "$logf" "destroying clone $name (made from snapshot $parent${by:+ by $by}, data $location, $method); it can be made again from $parent, losing only the writes made in the clone"
        if idle_destroy </dev/null; then msg="destroyed clone $name: $reason"; else msg="failed to destroy clone $name: $ACT_ERR"; failed_=1; fi ;;
      *) continue ;;
    esac
    log "$logf" "$msg"
    echo "$msg"
    done_="$done_$msg
"
  done < "$work/plan"
  lock_release
  if [ -n "$failed_" ]; then
    idle_status "$cat" failed "$(printf '%s' "$done_" | grep '^failed' | tr '\n' ' ')" "$done_"
    return 1
  fi
  idle_status "$cat" ok "" "$done_"
  return 0
}

# ---- main ------------------------------------------------------------------------------------------

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
  run) cmd_run "$@" ;;
  prune) cmd_prune "$@" ;;
  check) cmd_check "$@" ;;
  idle) cmd_idle "$@" ;;
  version) echo "$SCRIPT_VERSION" ;;
  *) die "usage: schedule.sh run CATALOG | prune CATALOG KEY [--dry-run [--policy TEXT] [--create]] | check CATALOG KEY --warn D --crit D | idle CATALOG [--dry-run [--policy TEXT]]" ;;
esac
