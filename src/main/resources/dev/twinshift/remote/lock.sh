# The catalog lock, for what runs on the server without a console: the same protocol as the
# console's CatalogLock, so that a console and a scheduled job never drive a catalog at once and
# each sees who holds it. Installed as CATALOG/bin/lock.sh; sourced, not run:
#
#   . CATALOG/bin/lock.sh
#   lock_acquire CATALOG OPERATION WAIT_SECONDS   0: held (LOCK_TOKEN set, a renewer runs)
#                                                 1: held by another, "held by ..." on stdout
#                                                 2: error, on stderr
#   lock_release                                  releases it if still ours, stops the renewer
#   lock_check CATALOG TOKEN                      0 when the lock is held with TOKEN
#   lock_holder CATALOG                           "held by WHO for OPERATION since TIME", 1 if free
#   json_str TEXT                                 TEXT as the inside of a JSON string
#
# CATALOG/lock is made with mkdir (exactly one holder succeeds); lock/owner.json names the holder
# and carries a lease (host, pid and start time of the process that called lock_acquire, boot id,
# renewed, validUntil) that a background renewer extends every 10 s by 30 s for as long as that
# process lives. Renewal, release and take-over change the owner file only under
# flock CATALOG/lock.guard and only when it is still the one expected. A holder proven gone (its
# lease ran out, or on this host and boot its process ended) is taken over only for the very
# operation it held, as the console's adopt does: another operation's state is left for its resume
# or rollback.
#
# The holder is recorded as SSH user LOCK_ACTOR_SSH (root), workstation user LOCK_ACTOR_USER
# (schedule) on LOCK_ACTOR_HOST (this host's name). TWINSHIFT_LOCK_LEASE and TWINSHIFT_LOCK_RENEW
# (seconds) shorten the lease for tests. Names of this file's own variables start with _lk_.

LOCK_TOKEN=
LOCK_RENEWER=

_lk_now() { date -u +%Y-%m-%dT%H:%M:%SZ; }

_lk_ms() { date -u +%s%3N; }

_lk_iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# Seconds since the epoch of an ISO-8601 time, empty when it cannot be read.
_lk_epoch() { date -u -d "$1" +%s 2>/dev/null || :; }

# The inside of a JSON string holding $1: backslash, quote and every control character escaped as Jackson does.
json_str() {
  printf '%s' "$1" | LC_ALL=C awk '
    BEGIN { for (i = 1; i < 32; i++) e[sprintf("%c", i)] = sprintf("\\u%04X", i)
            e["\t"] = "\\t"; e["\r"] = "\\r"; e["\b"] = "\\b"; e["\f"] = "\\f"; e["\\"] = "\\\\"; e["\""] = "\\\"" }
    { if (NR > 1) printf "\\n"; n = length($0)
      for (i = 1; i <= n; i++) { c = substr($0, i, 1); if (c in e) printf "%s", e[c]; else printf "%s", c } }'
}

# The value of field $1 in the owner file text $2 (Jackson writes one field a line), unquoted.
_lk_field() {
  printf '%s\n' "$2" | sed -n "s/^[[:space:]]*\"$1\"[[:space:]]*:[[:space:]]*//p" | head -n 1 \
    | sed -e 's/,[[:space:]]*$//' -e 's/^"//' -e 's/"$//' -e 's/\\"/"/g' -e 's/\\\\/\\/g'
}

# When process $1 started, as an ISO time with milliseconds; empty when it does not run.
_lk_start() {
  _lk_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 20)
  _lk_bt=$(sed -n 's/^btime //p' /proc/stat 2>/dev/null)
  _lk_hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
  case "$_lk_st$_lk_bt$_lk_hz" in ''|*[!0-9]*) return 0;; esac
  printf '%s.%03dZ\n' "$(date -u -d "@$((_lk_bt + _lk_st / _lk_hz))" +%Y-%m-%dT%H:%M:%S)" \
    $(( (_lk_st % _lk_hz) * 1000 / _lk_hz ))
}

# Whether process $1 runs and, when $2 (its start time, ISO) is given, started then (within 2 s):
# a recycled pid is not the holder.
_lk_runs() {
  [ -d "/proc/$1" ] || return 1
  # Killed, not yet reaped by its parent: it will never renew again.
  [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 1)" != Z ] || return 1
  [ -n "${2:-}" ] || return 0
  _lk_a=$(_lk_epoch "$2"); _lk_b=$(_lk_epoch "$(_lk_start "$1")")
  [ -n "$_lk_a" ] && [ -n "$_lk_b" ] || return 0
  [ $((_lk_a - _lk_b)) -lt 2 ] && [ $((_lk_b - _lk_a)) -lt 2 ]
}

_lk_boot() { cat /proc/sys/kernel/random/boot_id 2>/dev/null || :; }

_lk_lower() { printf '%s' "$1" | tr '[:upper:]' '[:lower:]'; }

# The owner file of this holder, with the lease renewed at $1 (epoch seconds).
_lk_owner() {
  printf '{\n  "token" : "%s",\n  "who" : {\n    "sshUser" : "%s",\n    "workstationUser" : "%s",\n' \
    "$LOCK_TOKEN" "$(json_str "$_lk_ssh")" "$(json_str "$_lk_user")"
  printf '    "workstationHost" : "%s"\n  },\n  "operation" : "%s",\n  "since" : "%s",\n  "lease" : {\n' \
    "$(json_str "$_lk_host")" "$(json_str "$_lk_op")" "$_lk_since"
  printf '    "host" : "%s",\n    "pid" : %s,\n    "processStart" : %s,\n    "bootId" : %s,\n' \
    "$(json_str "$_lk_host")" "$_lk_pid" "$( [ -n "$_lk_pstart" ] && printf '"%s"' "$_lk_pstart" || printf null)" \
    "$( [ -n "$_lk_bootid" ] && printf '"%s"' "$_lk_bootid" || printf null)"
  printf '    "renewed" : "%s",\n    "validUntil" : "%s"\n  }\n}\n' "$(_lk_iso "$1")" "$(_lk_iso $(($1 + _lk_lease)))"
}

# Changes the lock under the guard: $1 the lock directory, $2 renew | release | break, $3 the token
# (renew, release) or the owner file's text as judged (break: removed only if unchanged).
# Exit 3: the lock is not (or no longer) the expected one.
_lk_guarded() {
  (
    exec 9>>"$1.guard" || exit 4
    if command -v flock >/dev/null 2>&1; then
      flock -w 20 9 || { echo "cannot lock $1.guard within 20 s" >&2; exit 5; }
    fi
    case $2 in
      renew)
        grep -q -F -e "$3" -- "$1/owner.json" 2>/dev/null || exit 3
        _lk_owner "$(date -u +%s)" > "$1/owner.json.renew" || exit 1
        mv -f -- "$1/owner.json.renew" "$1/owner.json" ;;
      release)
        grep -q -F -e "$3" -- "$1/owner.json" 2>/dev/null || exit 3
        rm -rf -- "$1" ;;
      break)
        [ "$(cat -- "$1/owner.json" 2>/dev/null)" = "$3" ] || exit 3
        rm -rf -- "$1" ;;
      *) exit 2 ;;
    esac
  )
}

# Judges the owner file text $1 as the console's LockLiveness does: sets _lk_alive (yes/no) and _lk_why.
_lk_judge() {
  _lk_now_s=$(date -u +%s)
  _lk_h=$(_lk_field host "$1"); _lk_p=$(_lk_field pid "$1"); _lk_ps=$(_lk_field processStart "$1")
  _lk_b=$(_lk_field bootId "$1"); _lk_u=$(_lk_field validUntil "$1"); _lk_r=$(_lk_field renewed "$1")
  [ "$_lk_ps" != null ] || _lk_ps=
  [ "$_lk_b" != null ] || _lk_b=
  if [ -z "$_lk_h$_lk_p$_lk_u" ]; then
    _lk_s=$(_lk_epoch "$(_lk_field since "$1")")
    if [ -z "$_lk_s" ]; then
      _lk_alive=yes; _lk_why="its owner file has neither a lease nor a time, so nothing proves it gone"
    elif [ $((_lk_now_s - _lk_s)) -gt "$_lk_lease" ]; then
      _lk_alive=no; _lk_why="it was taken $((_lk_now_s - _lk_s)) s ago by a console that renews no lease"
    else
      _lk_alive=yes; _lk_why="it was taken $((_lk_now_s - _lk_s)) s ago by a console that renews no lease"
    fi
    return 0
  fi
  _lk_here=$(uname -n); _lk_myboot=$(_lk_boot)
  if [ -n "$_lk_h" ] && [ "$(_lk_lower "$_lk_h")" = "$(_lk_lower "$_lk_here")" ] && [ -n "$_lk_b" ] && [ -n "$_lk_myboot" ]; then
    if [ "$_lk_b" != "$_lk_myboot" ]; then
      _lk_alive=no; _lk_why="its host $_lk_h has rebooted since (boot id $_lk_b, now $_lk_myboot)"; return 0
    fi
    case "$_lk_p" in
      ''|null|*[!0-9]*) ;;
      *) if ! _lk_runs "$_lk_p" "$_lk_ps"; then
           _lk_alive=no; _lk_why="its process $_lk_p no longer runs on $_lk_h; lease renewed at $_lk_r"; return 0
         fi ;;
    esac
  fi
  _lk_until=$(_lk_epoch "$_lk_u")
  if [ -z "$_lk_until" ] || [ "$_lk_now_s" -ge "$_lk_until" ]; then
    _lk_alive=no; _lk_why="lease renewed at $_lk_r, expired at $_lk_u"
  else
    _lk_alive=yes; _lk_why="pid $_lk_p on $_lk_h, lease renewed at $_lk_r, valid until $_lk_u"
  fi
}

# "held by WHO for OPERATION since TIME" for the owner file text $1 (WHO as the console's Actor.display).
_lk_held() {
  if [ -z "$1" ]; then
    echo "held by an unknown holder (it wrote no owner file yet, or died before it could) for an unknown operation since $(date -u -r "$2" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null)"
    return 0
  fi
  _lk_wu=$(_lk_field workstationUser "$1"); _lk_wh=$(_lk_field workstationHost "$1"); _lk_su=$(_lk_field sshUser "$1")
  if [ "$_lk_su" = root ] && [ "$_lk_wu" = schedule ]; then
    _lk_who="the scheduled snapshot job on $_lk_wh"
  else
    _lk_who="$_lk_su ($_lk_wu@$_lk_wh)"
  fi
  echo "held by $_lk_who for $(_lk_field operation "$1") since $(_lk_field since "$1")"
}

lock_holder() {
  [ -d "$1/lock" ] || return 1
  _lk_held "$(cat -- "$1/lock/owner.json" 2>/dev/null || :)" "$1/lock"
}

lock_check() {
  [ -n "${2:-}" ] && grep -q -F -e "\"token\" : \"$2\"" -- "$1/lock/owner.json" 2>/dev/null
}

lock_acquire() {
  if [ $# -ne 3 ]; then echo "usage: lock_acquire CATALOG OPERATION WAIT_SECONDS" >&2; return 2; fi
  _lk_cat=$1; _lk_op=$2; _lk_wait=$3
  case "$_lk_wait" in ''|*[!0-9]*) echo "lock_acquire: WAIT_SECONDS must be a whole number, not '$_lk_wait'" >&2; return 2;; esac
  if [ -n "${LOCK_TOKEN:-}" ]; then echo "lock_acquire: this process holds the lock of $_lk_dir already" >&2; return 2; fi
  if [ ! -d "$_lk_cat" ]; then echo "lock_acquire: no catalog at $_lk_cat" >&2; return 2; fi
  _lk_dir=$_lk_cat/lock
  _lk_lease=${TWINSHIFT_LOCK_LEASE:-30}; _lk_renew=${TWINSHIFT_LOCK_RENEW:-10}
  # A renewal period as long as the lease would let it lapse between two renewals.
  [ "$_lk_renew" -lt "$_lk_lease" ] || _lk_renew=$((_lk_lease / 3)); [ "$_lk_renew" -gt 0 ] || _lk_renew=1
  _lk_ssh=${LOCK_ACTOR_SSH:-root}; _lk_user=${LOCK_ACTOR_USER:-schedule}; _lk_host=${LOCK_ACTOR_HOST:-$(uname -n)}
  _lk_begin=$(_lk_ms); _lk_said=; _lk_fails=0
  while :; do
    if _lk_err=$(mkdir -- "$_lk_dir" 2>&1); then
      LOCK_TOKEN=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
      _lk_pid=$$; _lk_pstart=$(_lk_start $$); _lk_bootid=$(_lk_boot)
      _lk_t=$(date -u +%s); _lk_since=$(_lk_iso "$_lk_t")
      if ! { _lk_owner "$_lk_t" > "$_lk_dir/owner.json.tmp" && mv -f -- "$_lk_dir/owner.json.tmp" "$_lk_dir/owner.json"; }; then
        rm -rf -- "$_lk_dir"; LOCK_TOKEN=
        echo "lock_acquire: cannot write $_lk_dir/owner.json" >&2
        return 2
      fi
      _lk_renewer
      return 0
    fi
    if [ ! -d "$_lk_dir" ]; then
      # Not "held": released between the mkdir and the look (then try again), or mkdir cannot work here.
      _lk_fails=$((_lk_fails + 1))
      if [ "$_lk_fails" -ge 5 ]; then echo "lock_acquire: cannot make $_lk_dir: $_lk_err" >&2; return 2; fi
      continue
    fi
    _lk_text=$(cat -- "$_lk_dir/owner.json" 2>/dev/null || :)
    if [ -n "$_lk_text" ]; then
      _lk_judge "$_lk_text"
      if [ "$_lk_alive" = no ]; then
        if [ "$(_lk_field operation "$_lk_text")" = "$_lk_op" ]; then
          echo "taking over the lock of $_lk_cat from the holder of the same operation: $_lk_why" >&2
          _lk_rc=0; _lk_guarded "$_lk_dir" break "$_lk_text" || _lk_rc=$?
          if [ "$_lk_rc" -ne 0 ] && [ "$_lk_rc" -ne 3 ]; then return 2; fi
          continue
        fi
        # A dead holder never releases: waiting would only delay the answer.
        echo "its holder is gone ($_lk_why); its operation was left unfinished: resume or roll it back, or remove its lock with lock break --yes" >&2
        _lk_held "$_lk_text" "$_lk_dir"
        return 1
      fi
    fi
    _lk_waited_ms=$(( $(_lk_ms) - _lk_begin )); _lk_waited=$((_lk_waited_ms / 1000))
    if [ "$_lk_waited_ms" -ge $((_lk_wait * 1000)) ]; then
      _lk_held "$_lk_text" "$_lk_dir"
      return 1
    fi
    if [ -z "$_lk_said" ] || [ $((_lk_waited - _lk_said)) -ge 5 ]; then
      echo "waiting for the lock ($_lk_waited s of $_lk_wait s): $(_lk_held "$_lk_text" "$_lk_dir")" >&2
      _lk_said=$_lk_waited
    fi
    sleep 0.25 2>/dev/null || sleep 1
  done
}

# Renews the lease while the process that took the lock lives (pid and start time: not a recycled
# pid). Its output goes nowhere: a descendant holding the caller's stdout open would keep an SSH
# session waiting for it to end.
_lk_renewer() {
  (
    _lk_n=0
    while _lk_runs "$_lk_pid" "$_lk_pstart"; do
      sleep 1
      _lk_n=$((_lk_n + 1))
      if [ "$_lk_n" -ge "$_lk_renew" ]; then
        _lk_n=0
        _lk_rc=0; _lk_guarded "$_lk_dir" renew "$LOCK_TOKEN" || _lk_rc=$?
        [ "$_lk_rc" -ne 3 ] || exit 0
      fi
    done
  ) < /dev/null > /dev/null 2>&1 &
  LOCK_RENEWER=$!
}

lock_release() {
  [ -n "${LOCK_TOKEN:-}" ] || return 0
  if [ -n "${LOCK_RENEWER:-}" ]; then
    kill "$LOCK_RENEWER" 2>/dev/null || :
    wait "$LOCK_RENEWER" 2>/dev/null || :
    LOCK_RENEWER=
  fi
  _lk_rc=0; _lk_guarded "$_lk_dir" release "$LOCK_TOKEN" || _lk_rc=$?
  LOCK_TOKEN=
  # 3: taken over meanwhile (our lease had run out): the new holder's lock stays.
  [ "$_lk_rc" -eq 0 ] || [ "$_lk_rc" -eq 3 ] || return 2
  return 0
}
