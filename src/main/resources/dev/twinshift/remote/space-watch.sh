# Keeps clones from taking the space the live cluster needs, without a console: polls the free
# space of the catalog's filesystem and, when it falls below the floor, fast-stops every clone of
# this catalog that runs (never anything else), writing why into the clone's run directory.
# Installed as CATALOG/space-watch.sh. Usage:
#        space-watch.sh start CATALOG   (as root) starts the watcher detached unless one runs;
#        space-watch.sh loop CATALOG    the watcher itself.
# A clone takes part once CATALOG/clones/NAME.space-watch names it: three lines, its data
# directory, its OS owner and its bin directory. Root writes it beside the clone's sidecar, never in
# the clone's run directory, which its owner may change: the watcher runs pg_ctl from it as root.
# Why a clone was stopped goes to CATALOG/clones/NAME.space-stop. The watcher ends by itself when none
# of the clones runs.
# The floor is read from CATALOG/space.json at every poll (the same rule as the console's):
# max(floorPercent % of the filesystem, floorMinBytes); pollSeconds between looks.
set -u
mode=$1; cat=$2
life=$cat/space-watch.lock   # held by the running watcher for its whole life
gate=$cat/space-watch.gate   # held by a starter, and by the watcher while it decides to end
log=$cat/space-watch.log

num() {
  v=$(sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\([0-9][0-9]*\).*/\1/p" "$cat/space.json" 2>/dev/null | head -n 1)
  if [ -n "$v" ]; then echo "$v"; else echo "$2"; fi
}

# Exit 0 when a postmaster runs on data directory $1 (not merely a postmaster.pid left behind).
runs() {
  [ -f "$1/postmaster.pid" ] || return 1
  pid=$(head -n 1 "$1/postmaster.pid")
  case "$pid" in ''|*[!0-9]*) return 1;; esac
  [ "$(readlink -f "/proc/$pid/cwd" 2>/dev/null)" = "$(readlink -f "$1")" ]
}

say() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $*" >> "$log"; }

# One look. Sets $any when some clone runs; stops them all when below the floor (and $1 = act).
look() {
  any=
  # Written data waits in the page cache before the filesystem allocates it, and df counts only what
  # is allocated (on btrfs hundreds of MB behind a fast writer): write it back first, so that the
  # figure is true. The kernel would write the same data within seconds anyway.
  sync -f "$cat" 2>/dev/null
  set -- "$1" $(df -B1 --output=avail,size,target -- "$cat" 2>/dev/null | tail -n 1)
  act=$1; avail=${2:-}; size=${3:-}; fs=${4:-$cat}
  case "$avail$size" in ''|*[!0-9]*) say "cannot measure the free space of $cat"; avail=; size=0;; esac
  pct=$(num floorPercent 5); min=$(num floorMinBytes 536870912)
  floor=$((size / 100 * pct)); [ "$floor" -gt "$min" ] || floor=$min
  # Act before the floor is crossed: when the next poll, at the pace of the last one, would be under it.
  drop=0
  if [ -n "$avail" ] && [ -n "${last:-}" ] && [ "$last" -gt "$avail" ]; then drop=$((last - avail)); fi
  last=$avail
  if [ -n "$avail" ] && [ "$avail" -lt "$floor" ]; then
    why="free space $avail bytes below floor $floor bytes on $fs"
  elif [ -n "$avail" ] && [ $((avail - drop)) -lt "$floor" ]; then
    why="free space $avail bytes falling by $drop bytes per poll, about to cross floor $floor bytes on $fs"
  else
    why=
  fi
  for w in "$cat"/clones/*.space-watch; do
    [ -f "$w" ] || continue
    name=${w##*/}; name=${name%.space-watch}
    { read -r data; read -r owner; read -r bin; } < "$w" || continue
    case "$data" in /*) ;; *) continue;; esac
    case "$bin" in /usr/lib/postgresql/*/bin) ;; *) say "clone $name: unexpected bin directory $bin, skipped"; continue;; esac
    [ "$owner" != root ] || continue
    runs "$data" || continue
    any=1
    if [ "$act" = act ] && [ -n "$why" ]; then
      stop=$cat/clones/$name.space-stop
      printf 'stopped at %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$why" > "$stop.tmp" && mv -f "$stop.tmp" "$stop"
      say "clone $name stopped: $why"
      # Children get neither lock: a stray one must not keep the watcher's lock (or the filesystem) busy.
      if ! runuser -u "$owner" -- "$bin/pg_ctl" stop -D "$data" -m fast -w -t 60 >> "$log" 2>&1 8>&- 9>&-; then
        # SIGINT is the fast shutdown pg_ctl would have asked for.
        kill -INT "$(head -n 1 "$data/postmaster.pid")" 2>/dev/null
      fi
    fi
  done
}

case "$mode" in
start)
  exec 8> "$gate"
  flock -w 60 8 || { echo "another start of the space watcher of $cat did not finish" >&2; exit 1; }
  exec 9> "$life"
  if ! flock -n 9; then
    echo "running"
    exit 0
  fi
  # The watcher inherits descriptor 9 and with it the lock: no second one can start meanwhile.
  setsid sh "$0" loop "$cat" 8>&- > /dev/null 2>&1 < /dev/null &
  echo "started $!"
  ;;
loop)
  say "watching $cat (pid $$)"
  while :; do
    look act
    if [ -z "$any" ]; then
      # Decide to end under the gate, so a clone started meanwhile is either seen here or given a new watcher.
      exec 8> "$gate"
      flock 8
      look act
      if [ -z "$any" ]; then
        say "no clone of $cat runs any more: the watcher ends"
        exec 9>&-
        exit 0
      fi
      exec 8>&-
    fi
    sleep "$(num pollSeconds 2)" 8>&- 9>&-
  done
  ;;
*)
  echo "usage: space-watch.sh start|loop CATALOG" >&2
  exit 2
  ;;
esac
