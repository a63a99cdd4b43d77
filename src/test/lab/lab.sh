#!/usr/bin/env bash
# The local lab for Twinshift's integration tests: a PostgreSQL server reached over SSH, with its
# data on copy-on-write storage, all on loop files so that it can be made and thrown away on any
# Debian 12 machine where root can mount.
#
#   lab.sh up       make whatever is missing (idempotent; fast when everything is already up)
#   lab.sh status   what is up
#   lab.sh check    quiet: exit 0 only when the lab is fully up (needs no root)
#   lab.sh down     remove everything `up` made (installed packages stay)
#
# The descriptor ($LAB_DESCRIPTOR) is written last by `up` and removed first by `down`: its presence
# is the signal that the lab can be used.
set -euo pipefail

LAB_PGBENCH_SCALE=${LAB_PGBENCH_SCALE:-5}
LAB_BTRFS_SIZE=${LAB_BTRFS_SIZE:-8G}
LAB_XFS=${LAB_XFS:-1}
LAB_XFS_SIZE=${LAB_XFS_SIZE:-4G}
LAB_ZFS=${LAB_ZFS:-1}
LAB_ZFS_SIZE=${LAB_ZFS_SIZE:-2G}
LAB_SSH_PORT=${LAB_SSH_PORT:-2222}
LAB_PG13_PORT=${LAB_PG13_PORT:-5433}
LAB_ZFS_PG_PORT=${LAB_ZFS_PG_PORT:-5434}
LAB_XFS_PG_PORT=${LAB_XFS_PG_PORT:-5435}

# Fixed: the tests and the console find the lab through these paths.
STATE=/var/lib/twinshift-lab
MNT=/srv/twinshift-lab
BTRFS_IMG=$STATE/btrfs.img
BTRFS_MNT=$MNT/btrfs
PG13_DATA=$BTRFS_MNT/pg13-main
XFS_IMG=$STATE/xfs.img
XFS_MNT=$MNT/xfs
XFS_PG_DATA=$XFS_MNT/pg15-reflink
ZFS_IMG=$STATE/zfs.img
ZFS_POOL=twinshift-lab
ZFS_DATASET=$ZFS_POOL/pg15
ZFS_MNT=$MNT/zfs
ZFS_PG_DATA=$ZFS_MNT/pg15-main
ZFS_FUSE_PID=$STATE/zfs-fuse.pid
# Set when the lab started cron itself (then 'lab.sh down' stops it); a cron already running is left alone.
CRON_STARTED=$STATE/cron.started
SSH_DIR=$STATE/ssh
HOST_KEY=$SSH_DIR/ssh_host_ed25519_key
SSHD_CONFIG=$SSH_DIR/sshd_config
SSHD_PID=$SSH_DIR/sshd.pid
SSHD_LOG=$SSH_DIR/sshd.log
CLIENT_DIR=$STATE/client
CLIENT_KEY=$CLIENT_DIR/id_ed25519
DESCRIPTOR=$STATE/console.json
ADMIN_USER=tsadmin
LIMITED_USER=tslimited
USER_GECOS="Twinshift lab"
SUDOERS=/etc/sudoers.d/twinshift-lab
APT_SOURCE=/etc/apt/sources.list.d/twinshift-lab-bullseye.sources
CREATECLUSTER_CONF=/etc/postgresql-common/createcluster.d/twinshift-lab.conf
MARK="# Made by the Twinshift lab (src/test/lab/lab.sh); removed by 'lab.sh down'."

PACKAGES=(postgresql-13 postgresql-15 postgresql-contrib btrfs-progs xfsprogs zfs-fuse
          openssh-server openssh-client sudo util-linux procps cron pgbouncer)

log() { printf '[lab] %s\n' "$*"; }
warn() { printf '[lab] WARNING: %s\n' "$*" >&2; }
die() { printf '[lab] ERROR: %s\n' "$*" >&2; exit 1; }

need_root() {
    [[ $(id -u) -eq 0 ]] || die "'lab.sh $1' must run as root (try: sudo bash $0 $1)"
}

# Runs a phase and prints how long it took.
phase() {
    local name=$1 start=$EPOCHREALTIME
    shift
    "$@"
    local end=$EPOCHREALTIME
    log "$(printf '%-10s %6.2f s' "$name" "$(bc_sub "$end" "$start")")"
}
bc_sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

as_postgres() { runuser -u postgres -- "$@"; }

# ---------------------------------------------------------------------------------------------
# apt

# The machine's own main Debian archive stanza (URIs and Signed-By), so no mirror is hard-coded.
debian_stanza_field() {
    local field=$1 src=/etc/apt/sources.list.d/debian.sources
    [[ -r $src ]] || die "$src not found: cannot derive the Debian mirror for bullseye"
    awk -v want="$field" '
        BEGIN { RS = ""; FS = "\n" }
        {
            uris = ""; signed = ""; suites = ""
            for (i = 1; i <= NF; i++) {
                if ($i ~ /^URIs:/)      { uris = $i;   sub(/^URIs:[ \t]*/, "", uris) }
                if ($i ~ /^Signed-By:/) { signed = $i; sub(/^Signed-By:[ \t]*/, "", signed) }
                if ($i ~ /^Suites:/)    { suites = $i }
            }
            # The main archive, not the security one.
            if (uris != "" && uris !~ /security/ && suites !~ /security/) {
                print (want == "URIs" ? uris : signed); exit
            }
        }' "$src"
}

write_apt_source() {
    local uris signed tmp
    uris=$(debian_stanza_field URIs)
    signed=$(debian_stanza_field Signed-By)
    [[ -n $uris ]] || die "no main Debian stanza with URIs in /etc/apt/sources.list.d/debian.sources"
    tmp=$(mktemp)
    {
        echo "$MARK"
        echo "# PostgreSQL 13 comes from Debian's previous stable suite."
        echo "Types: deb"
        echo "URIs: $uris"
        echo "Suites: bullseye"
        echo "Components: main"
        [[ -n $signed ]] && echo "Signed-By: $signed"
    } >"$tmp"
    if [[ -f $APT_SOURCE ]] && cmp -s "$tmp" "$APT_SOURCE"; then
        rm -f "$tmp"
        return 1
    fi
    install -m 0644 "$tmp" "$APT_SOURCE"
    rm -f "$tmp"
    return 0
}

write_createcluster_conf() {
    mkdir -p "$(dirname "$CREATECLUSTER_CONF")"
    local want
    # wal_level = logical: the blue/green upgrade replicates logically, and wal_level takes effect
    # only at a start; every cluster the lab or a test makes has it from the first.
    want=$(printf '%s\n# The lab makes its own clusters; none in /var/lib/postgresql.\ncreate_main_cluster = false\nwal_level = logical\n' "$MARK")
    if [[ ! -f $CREATECLUSTER_CONF ]] || [[ $(cat "$CREATECLUSTER_CONF") != "$want" ]]; then
        printf '%s\n' "$want" >"$CREATECLUSTER_CONF"
    fi
}

do_apt() {
    write_createcluster_conf
    local source_changed=0
    if write_apt_source; then source_changed=1; fi
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        installed "$p" || missing+=("$p")
    done
    if ((${#missing[@]} == 0)); then
        log "packages present"
        return
    fi
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Package scripts must not start services (sshd on port 22, clusters, zfs-fuse): the lab starts
    # exactly what it needs. Docker images already carry such a policy; otherwise add one briefly.
    local policy_added=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 0755 /usr/sbin/policy-rc.d
        policy_added=1
    fi
    local rc=0
    {
        # Stale lists would name package versions the mirror no longer has.
        apt-get -q update -o Dpkg::Use-Pty=0 >/dev/null &&
            apt-get -q -y install --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" \
                >"$STATE/apt.log" 2>&1
    } || rc=$?
    ((policy_added)) && rm -f /usr/sbin/policy-rc.d
    if ((rc != 0)); then
        tail -n 30 "$STATE/apt.log" >&2 || true
        die "apt-get failed (source changed: $source_changed; full log in $STATE/apt.log)"
    fi
}

# ---------------------------------------------------------------------------------------------
# storage

# Mounts a loop file, making the file system first if the file is new.
mount_loop() {
    local img=$1 mnt=$2 size=$3 mkfs=$4
    mkdir -p "$mnt"
    if mountpoint -q "$mnt"; then
        return
    fi
    if [[ ! -f $img ]]; then
        truncate -s "$size" "$img"
        # shellcheck disable=SC2086
        $mkfs "$img" >/dev/null
    fi
    mount -o loop "$img" "$mnt"
}

do_btrfs() {
    mount_loop "$BTRFS_IMG" "$BTRFS_MNT" "$LAB_BTRFS_SIZE" "mkfs.btrfs -q"
    # Quotas make btrfs report exclusive sizes of snapshots and clones.
    if ! btrfs qgroup show "$BTRFS_MNT" >/dev/null 2>&1; then
        btrfs quota enable "$BTRFS_MNT"
    fi
}

do_xfs() {
    mount_loop "$XFS_IMG" "$XFS_MNT" "$LAB_XFS_SIZE" "mkfs.xfs -q -m reflink=1"
}

zfs_fuse_running() { # the pid may have been given to another process since a reboot
    local pid
    pid=$(cat "$ZFS_FUSE_PID" 2>/dev/null) && [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == zfs-fuse ]]
}

do_zfs() {
    [[ -e /dev/fuse ]] || die "zfs-fuse needs /dev/fuse (set LAB_ZFS=0 to go without ZFS)"
    if ! zfs_fuse_running; then
        # After a reboot or a killed daemon the pid file is stale (zfs-fuse then refuses to start,
        # silently) and its FUSE mounts are left "not connected" (the pool would not mount over them).
        rm -f "$ZFS_FUSE_PID"
        # A server whose data directory lives on the dead mounts can neither read nor stop cleanly.
        local m i
        pkill -KILL -f -- "postgres -D $ZFS_MNT/" 2>/dev/null || true
        for i in $(seq 50); do
            pgrep -f -- "postgres -D $ZFS_MNT/" >/dev/null || break
            sleep 0.1
        done
        for m in $(findmnt -rn -t fuse.zfs -o TARGET | awk -v m="$ZFS_MNT" 'index($1, m) == 1' | sort -r); do
            umount -l "$m" || true
        done
        /usr/sbin/zfs-fuse --no-kstat-mount --pidfile "$ZFS_FUSE_PID" </dev/null >>"$STATE/zfs-fuse.log" 2>&1 ||
            die "zfs-fuse did not start (exit $?; see $STATE/zfs-fuse.log); set LAB_ZFS=0 to go without ZFS"
        for i in $(seq 50); do
            zpool list >/dev/null 2>&1 && break
            sleep 0.1
        done
        zpool list >/dev/null 2>&1 || die "zfs-fuse started but does not answer 'zpool list' after 5 s"
    fi
    if ! zpool list -H -o name "$ZFS_POOL" >/dev/null 2>&1; then
        if [[ -f $ZFS_IMG ]]; then
            zpool import -d "$STATE" "$ZFS_POOL"
        else
            truncate -s "$LAB_ZFS_SIZE" "$ZFS_IMG"
            zpool create -m "$ZFS_MNT" "$ZFS_POOL" "$ZFS_IMG" >/dev/null
        fi
    fi
    if ! zfs list -H -o name "$ZFS_DATASET" >/dev/null 2>&1; then
        zfs create -o mountpoint="$ZFS_PG_DATA" "$ZFS_DATASET"
    fi
    mountpoint -q "$ZFS_PG_DATA" || zfs mount -a
    mountpoint -q "$ZFS_PG_DATA" || die "$ZFS_DATASET is not mounted at $ZFS_PG_DATA"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

cluster_status() { # version name -> online|down|absent
    local line
    line=$(pg_lsclusters -h "$1" "$2" 2>/dev/null) || { echo absent; return; }
    [[ -n $line ]] || { echo absent; return; }
    awk '{ print $4 }' <<<"$line"
}

# Creates (if needed) and starts a cluster whose data directory is $data; $prepare_dir makes the
# empty directory on the right storage.
ensure_cluster() {
    local ver=$1 name=$2 port=$3 data=$4 prepare_dir=$5
    if [[ -d /etc/postgresql/$ver/$name ]] && [[ ! -f $data/PG_VERSION ]]; then
        # Config left over from a lab whose storage is gone: start again.
        pg_dropcluster "$ver" "$name" >/dev/null 2>&1 || rm -rf "/etc/postgresql/$ver/$name"
    fi
    if [[ ! -d /etc/postgresql/$ver/$name ]]; then
        if [[ -e $data ]] && [[ -n $(ls -A "$data") ]]; then
            die "$data is not empty but no cluster $ver/$name uses it; remove it or run 'lab.sh down'"
        fi
        $prepare_dir "$data"
        chown postgres:postgres "$data"
        chmod 0700 "$data"
        pg_createcluster --quiet "$ver" "$name" -d "$data" -p "$port" >/dev/null
    fi
    if [[ $(cluster_status "$ver" "$name") != online ]]; then
        pg_ctlcluster "$ver" "$name" start
    fi
    [[ $(cluster_status "$ver" "$name") == online ]] || die "cluster $ver/$name did not come online"
    # A cluster made by an older lab: logical replication needs wal_level = logical, read at start only.
    if [[ $(psql_at "$port" postgres "SHOW wal_level") != logical ]]; then
        psql_at "$port" postgres "ALTER SYSTEM SET wal_level = logical"
        pg_ctlcluster "$ver" "$name" restart
    fi
}

btrfs_subvolume() { [[ -d $1 ]] || btrfs subvolume create "$1" >/dev/null; }
plain_dir() { mkdir -p "$1"; }

psql_at() { # port db sql
    as_postgres psql -X -q -At -p "$1" -d "$2" -c "$3"
}

do_pg13() {
    mkdir -p /run/postgresql && chown postgres:postgres /run/postgresql
    ensure_cluster 13 main "$LAB_PG13_PORT" "$PG13_DATA" btrfs_subvolume
    if [[ -z $(psql_at "$LAB_PG13_PORT" postgres "SELECT 1 FROM pg_database WHERE datname = 'bench'") ]]; then
        as_postgres createdb -p "$LAB_PG13_PORT" bench
    fi
    # A complete initialisation ends with the primary keys; anything less is redone.
    local ok
    ok=$(psql_at "$LAB_PG13_PORT" bench "SELECT to_regclass('pgbench_accounts_pkey') IS NOT NULL
            AND (SELECT count(*) FROM pgbench_branches) = $LAB_PGBENCH_SCALE" 2>/dev/null || true)
    if [[ $ok != t ]]; then
        log "pgbench -i -s $LAB_PGBENCH_SCALE"
        as_postgres /usr/lib/postgresql/13/bin/pgbench -i -q -s "$LAB_PGBENCH_SCALE" -p "$LAB_PG13_PORT" bench \
            >"$STATE/pgbench-init.log" 2>&1 || { cat "$STATE/pgbench-init.log" >&2; die "pgbench -i failed"; }
    fi
}

do_pg_xfs() {
    ensure_cluster 15 reflink "$LAB_XFS_PG_PORT" "$XFS_PG_DATA" plain_dir
}

do_pg_zfs() {
    # The dataset's mount point is the data directory itself.
    ensure_cluster 15 zfs "$LAB_ZFS_PG_PORT" "$ZFS_PG_DATA" plain_dir
}

# ---------------------------------------------------------------------------------------------
# users, keys, sshd

ensure_user() {
    local user=$1
    if ! getent passwd "$user" >/dev/null; then
        useradd --create-home --shell /bin/bash --comment "$USER_GECOS" "$user"
    fi
    # sshd without PAM refuses locked accounts (a '!' password): give it a random one nobody knows.
    local state
    state=$(passwd -S "$user" | awk '{ print $2 }')
    if [[ $state != P ]]; then
        printf '%s:%s\n' "$user" "$(head -c 32 /dev/urandom | base64 | tr -d '\n=+/')" | chpasswd
    fi
    local home
    home=$(getent passwd "$user" | cut -d: -f6)
    install -d -m 0700 -o "$user" -g "$user" "$home/.ssh"
    install -m 0600 -o "$user" -g "$user" "$CLIENT_KEY.pub" "$home/.ssh/authorized_keys"
}

do_users() {
    install -d -m 0755 "$CLIENT_DIR"
    if [[ ! -f $CLIENT_KEY ]]; then
        ssh-keygen -q -t ed25519 -N '' -C twinshift-lab-client -f "$CLIENT_KEY"
    fi
    chmod 0700 "$CLIENT_DIR"
    # The console runs as the user who asked for the lab, and must read the key.
    if [[ -n ${SUDO_USER:-} && ${SUDO_USER} != root ]] && getent passwd "$SUDO_USER" >/dev/null; then
        chown -R "$SUDO_USER:" "$CLIENT_DIR"
    fi
    ensure_user "$ADMIN_USER"
    ensure_user "$LIMITED_USER"
    local tmp
    tmp=$(mktemp)
    cat >"$tmp" <<EOF
$MARK
$ADMIN_USER ALL=(ALL) NOPASSWD: ALL
$LIMITED_USER ALL=(ALL) ALL
EOF
    visudo -q -c -f "$tmp" >/dev/null || { rm -f "$tmp"; die "sudoers file does not validate"; }
    if [[ -f $SUDOERS ]] && cmp -s "$tmp" "$SUDOERS"; then
        rm -f "$tmp"
    else
        install -m 0440 "$tmp" "$SUDOERS"
        rm -f "$tmp"
    fi
}

sshd_pid() { # prints the pid of the lab's sshd if it runs
    [[ -f $SSHD_PID ]] || return 1
    local pid
    pid=$(cat "$SSHD_PID" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$SSHD_CONFIG" || return 1
    echo "$pid"
}

stop_sshd() {
    local pid i
    pid=$(sshd_pid) || return 0
    kill "$pid"
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    rm -f "$SSHD_PID"
}

do_sshd() {
    mkdir -p /run/sshd
    install -d -m 0755 "$SSH_DIR"
    if [[ ! -f $HOST_KEY ]]; then
        ssh-keygen -q -t ed25519 -N '' -C twinshift-lab-host -f "$HOST_KEY"
    fi
    local tmp
    tmp=$(mktemp)
    cat >"$tmp" <<EOF
$MARK
ListenAddress 127.0.0.1
Port $LAB_SSH_PORT
HostKey $HOST_KEY
PidFile $SSHD_PID
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
UsePAM no
PermitRootLogin no
AllowUsers $ADMIN_USER $LIMITED_USER
# The console opens many channels at once, and the benchmark many clients.
MaxSessions 64
MaxStartups 64:30:128
LogLevel INFO
PrintMotd no
X11Forwarding no
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
EOF
    /usr/sbin/sshd -t -f "$tmp" || { rm -f "$tmp"; die "sshd rejects its configuration"; }
    local changed=1
    if [[ -f $SSHD_CONFIG ]] && cmp -s "$tmp" "$SSHD_CONFIG"; then changed=0; fi
    install -m 0644 "$tmp" "$SSHD_CONFIG"
    rm -f "$tmp"
    if ((changed)); then stop_sshd; fi
    if ! sshd_pid >/dev/null; then
        /usr/sbin/sshd -f "$SSHD_CONFIG" -E "$SSHD_LOG"
        local i
        for i in $(seq 50); do
            sshd_pid >/dev/null && break
            sleep 0.1
        done
        sshd_pid >/dev/null || { tail -n 20 "$SSHD_LOG" >&2 || true; die "sshd did not start"; }
    fi
}

# ---------------------------------------------------------------------------------------------
# cron: what runs scheduled snapshots on a server without systemd as PID 1 (as here)

cron_pid() { # the running cron daemon's pid, if any
    local pid
    pid=$(pgrep -x -o cron 2>/dev/null) || return 1
    echo "$pid"
}

do_cron() {
    if cron_pid >/dev/null; then
        return
    fi
    /usr/sbin/cron || die "cron did not start"
    local i pid
    for i in $(seq 50); do
        pid=$(cron_pid) && break
        sleep 0.1
    done
    [[ -n ${pid:-} ]] || die "cron did not start"
    echo "$pid" >"$CRON_STARTED"
    log "cron started (pid $pid)"
}

stop_cron() {
    [[ -f $CRON_STARTED ]] || return 0
    local pid
    pid=$(cat "$CRON_STARTED")
    if [[ $pid =~ ^[0-9]+$ ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == cron ]]; then
        kill "$pid" 2>/dev/null || true
    fi
    rm -f "$CRON_STARTED"
}

# ---------------------------------------------------------------------------------------------
# descriptor

host_key_fingerprint() { ssh-keygen -lf "$HOST_KEY.pub" | awk '{ print $2 }'; }

cluster_json() { # version name port data [extra json members]
    printf '{"version":"%s","name":"%s","port":%s,"dataDirectory":"%s"%s}' "$1" "$2" "$3" "$4" "${5:-}"
}

do_descriptor() {
    local clusters
    clusters=$(cluster_json 13 main "$LAB_PG13_PORT" "$PG13_DATA" ',"storage":"btrfs"')
    local extra=""
    if zfs_enabled; then
        extra+=",\"zfsPool\":\"$ZFS_POOL\""
        clusters+=",$(cluster_json 15 zfs "$LAB_ZFS_PG_PORT" "$ZFS_PG_DATA" ",\"storage\":\"zfs\",\"zfsDataset\":\"$ZFS_DATASET\"")"
    fi
    if xfs_enabled; then
        extra+=",\"xfsMount\":\"$XFS_MNT\""
        clusters+=",$(cluster_json 15 reflink "$LAB_XFS_PG_PORT" "$XFS_PG_DATA" ',"storage":"xfs-reflink"')"
    fi
    local tmp
    tmp=$(mktemp "$STATE/console.json.XXXXXX")
    printf '{"name":"Twinshift lab","host":"127.0.0.1","port":%s,"user":"%s","limitedUser":"%s","identityFile":"%s","hostKeyFingerprint":"%s","hostKeyType":"ssh-ed25519","btrfsMount":"%s"%s,"clusters":[%s]}\n' \
        "$LAB_SSH_PORT" "$ADMIN_USER" "$LIMITED_USER" "$CLIENT_KEY" "$(host_key_fingerprint)" \
        "$BTRFS_MNT" "$extra" "$clusters" >"$tmp"
    if command -v python3 >/dev/null; then
        python3 -m json.tool "$tmp" >/dev/null || { rm -f "$tmp"; die "descriptor is not valid JSON"; }
    fi
    chmod 0644 "$tmp"
    if [[ -f $DESCRIPTOR ]] && cmp -s "$tmp" "$DESCRIPTOR"; then
        rm -f "$tmp"
    else
        mv -f "$tmp" "$DESCRIPTOR"
    fi
}

xfs_enabled() { [[ $LAB_XFS == 1 ]]; }
zfs_enabled() { [[ $LAB_ZFS == 1 ]]; }

# ---------------------------------------------------------------------------------------------
# commands

cmd_up() {
    need_root up
    local start=$EPOCHREALTIME
    install -d -m 0755 "$STATE" "$MNT"
    phase apt do_apt
    phase btrfs do_btrfs
    phase pg13 do_pg13
    phase users do_users
    phase sshd do_sshd
    phase cron do_cron
    if xfs_enabled; then
        phase xfs do_xfs
        phase pg15-xfs do_pg_xfs
    fi
    if zfs_enabled; then
        phase zfs do_zfs
        phase pg15-zfs do_pg_zfs
    fi
    phase descriptor do_descriptor
    log "up in $(bc_sub "$EPOCHREALTIME" "$start") s; descriptor: $DESCRIPTOR"
}

# Exit 0 only when everything the descriptor promises is there. Needs no root.
cmd_check() {
    [[ -r $DESCRIPTOR ]] || return 1
    mountpoint -q "$BTRFS_MNT" || return 1
    [[ $(cluster_status 13 main) == online ]] || return 1
    # Both what the descriptor promises and what this configuration asks for.
    if xfs_enabled || grep -q '"xfsMount"' "$DESCRIPTOR"; then
        mountpoint -q "$XFS_MNT" && [[ $(cluster_status 15 reflink) == online ]] || return 1
    fi
    if zfs_enabled || grep -q '"zfsPool"' "$DESCRIPTOR"; then
        mountpoint -q "$ZFS_PG_DATA" && [[ $(cluster_status 15 zfs) == online ]] || return 1
    fi
    pgrep -x cron >/dev/null || return 1
    # The pid file is readable by anyone; the port must answer.
    local pid
    pid=$(cat "$SSHD_PID" 2>/dev/null) && [[ -d /proc/$pid ]] || return 1
    (exec 3<>"/dev/tcp/127.0.0.1/$LAB_SSH_PORT") 2>/dev/null || return 1
}

cmd_status() {
    echo "== mounts"
    findmnt -rn -o TARGET,SOURCE,FSTYPE,SIZE,USED 2>/dev/null | awk -v m="$MNT" 'index($1, m) == 1' || true
    if command -v zpool >/dev/null && [[ $(id -u) -eq 0 ]] && zfs_fuse_running; then
        echo "== zfs (zfs-fuse pid $(cat "$ZFS_FUSE_PID"))"
        zfs list -r -t all -o name,used,mountpoint "$ZFS_POOL" 2>/dev/null || echo "pool $ZFS_POOL absent"
    fi
    echo "== clusters"
    if command -v pg_lsclusters >/dev/null; then pg_lsclusters; else echo "postgresql-common not installed"; fi
    echo "== sshd"
    local pid
    if pid=$(cat "$SSHD_PID" 2>/dev/null) && [[ -d /proc/$pid ]]; then
        echo "pid $pid, listening on 127.0.0.1:$LAB_SSH_PORT, log $SSHD_LOG"
    else
        echo "not running"
    fi
    echo "== descriptor"
    if [[ -r $DESCRIPTOR ]]; then cat "$DESCRIPTOR"; else echo "absent ($DESCRIPTOR)"; fi
    if cmd_check; then echo "== lab is UP"; else echo "== lab is NOT (fully) up"; fi
}

# Processes whose working directory is under the lab's mounts: clusters and their clones, shells.
pids_under_mounts() {
    local p cwd
    for p in /proc/[0-9]*; do
        cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
        [[ $cwd == "$MNT"/* ]] && echo "${p#/proc/}"
    done
    return 0
}

stop_processes_under_mounts() {
    local pids i
    pids=$(pids_under_mounts)
    [[ -n $pids ]] || return 0
    log "stopping processes still working under $MNT: $(echo $pids)"
    # SIGQUIT stops a postmaster at once (immediate shutdown), which is all a lab needs.
    # shellcheck disable=SC2086
    kill -QUIT $pids 2>/dev/null || true
    for i in $(seq 50); do
        [[ -z $(pids_under_mounts) ]] && return 0
        sleep 0.1
    done
    pids=$(pids_under_mounts)
    # shellcheck disable=SC2086
    [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
    sleep 0.5
}

lab_clusters() { # "version name" of every cluster whose data lives under the lab's mounts
    command -v pg_lsclusters >/dev/null || return 0
    pg_lsclusters -h 2>/dev/null | awk -v m="$MNT/" 'index($6, m) == 1 { print $1, $2 }'
}

do_down() {
    rm -f "$DESCRIPTOR"
    stop_sshd
    # A scheduled job a test left behind for the lab's catalogs goes with them.
    if [[ -f /etc/cron.d/twinshift-snapshots ]] && grep -qF " $MNT/" /etc/cron.d/twinshift-snapshots; then
        rm -f /etc/cron.d/twinshift-snapshots
    fi
    stop_cron
    local c ver name
    local clusters
    clusters=$(lab_clusters)
    while read -r ver name; do
        [[ -n ${ver:-} ]] || continue
        log "dropping cluster $ver/$name"
        pg_ctlcluster "$ver" "$name" stop -m immediate >/dev/null 2>&1 || true
    done <<<"$clusters"
    stop_processes_under_mounts
    if command -v zpool >/dev/null && zfs_fuse_running; then
        zpool destroy -f "$ZFS_POOL" 2>/dev/null || zpool export -f "$ZFS_POOL" 2>/dev/null || true
        local pid i
        pid=$(cat "$ZFS_FUSE_PID")
        kill "$pid" 2>/dev/null || true
        for i in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    local m
    for m in $(findmnt -rn -o TARGET | awk -v m="$MNT" 'index($1, m) == 1' | sort -r); do
        umount "$m" || { warn "$m busy, detaching it lazily"; umount -l "$m"; }
    done
    # The data is gone with the mounts; drop the configuration that pointed at it.
    while read -r ver name; do
        [[ -n ${ver:-} ]] || continue
        pg_dropcluster "$ver" "$name" >/dev/null 2>&1 || true
        rm -rf "/etc/postgresql/$ver/$name"
        rm -f "/var/log/postgresql/postgresql-$ver-$name.log"
    done <<<"$clusters"
    local img dev
    for img in "$BTRFS_IMG" "$XFS_IMG"; do
        [[ -f $img ]] || continue
        for dev in $(losetup -j "$img" -O NAME -n 2>/dev/null); do losetup -d "$dev" || true; done
    done
    local user pid
    for user in "$ADMIN_USER" "$LIMITED_USER"; do
        getent passwd "$user" >/dev/null || continue
        if [[ $(getent passwd "$user" | cut -d: -f5) != "$USER_GECOS" ]]; then
            warn "user $user was not made by the lab: left alone"
            continue
        fi
        for pid in $(pgrep -u "$user" || true); do kill -KILL "$pid" 2>/dev/null || true; done
        userdel -r "$user" 2>/dev/null || userdel "$user"
    done
    rm -f "$SUDOERS"
    if [[ -f $APT_SOURCE ]] && grep -qF "$MARK" "$APT_SOURCE"; then rm -f "$APT_SOURCE"; fi
    if [[ -f $CREATECLUSTER_CONF ]] && grep -qF "$MARK" "$CREATECLUSTER_CONF"; then rm -f "$CREATECLUSTER_CONF"; fi
    if findmnt -rn -o TARGET | awk -v m="$MNT" 'index($1, m) == 1' | grep -q .; then
        die "something is still mounted under $MNT; not removing it"
    fi
    rm -rf "$MNT" "$STATE"
}

cmd_down() {
    need_root down
    local start=$EPOCHREALTIME
    phase down do_down
    log "down in $(bc_sub "$EPOCHREALTIME" "$start") s; installed packages were left in place: ${PACKAGES[*]}"
}

case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    check) cmd_check ;;
    *) echo "usage: $0 up|down|status|check" >&2; exit 2 ;;
esac
