package dev.twinshift.schedule;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.Progress;
import dev.twinshift.storage.RefusedException;
import dev.twinshift.storage.ServerScripts;
import dev.twinshift.storage.SnapshotVerdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Scheduled snapshots on a server: installs the server-wide job (a systemd timer where systemd is PID 1, a
 * cron entry otherwise) that runs {@code CATALOG/bin/schedule.sh run CATALOG}, writes each cluster's schedule,
 * and asks the script for status, previews and checks. The decisions are the script's; this only installs it,
 * asks it and reads its answers. Everything runs as root through argument lists; files are written to a
 * temporary name and renamed.
 */
public final class ScheduleService {
    /** The scripts a catalog's bin/ holds for the job: what a snapshot needs, and schedule.sh itself. */
    private static final Pattern DURATION = Pattern.compile("[0-9]{1,6}[smhdw]");

    private final RemoteShell shell;
    private final Progress progress;

    public ScheduleService(RemoteShell shell, Progress progress) {
        this.shell = shell;
        this.progress = progress == null ? Progress.NONE : progress;
    }

    // ---- the server-wide job --------------------------------------------------------------------------

    /** What the server can schedule with, and its clock's offset (cron runs in local time). */
    public record Probe(boolean systemd, boolean cron, boolean cronRunning, ZoneOffset offset) {}

    private static final String PROBE = "if [ -d /run/systemd/system ]; then echo systemd=yes; else echo systemd=no; fi;"
            + " if command -v cron >/dev/null 2>&1 || [ -x /usr/sbin/cron ] || command -v crond >/dev/null 2>&1;"
            + " then echo cron=yes; else echo cron=no; fi;"
            + " if pgrep -x cron >/dev/null 2>&1 || pgrep -x crond >/dev/null 2>&1; then echo running=yes; else echo running=no; fi;"
            + " date +offset=%z";

    public Probe probe() throws SshException, InterruptedException {
        String out = shell.run(RemoteCommand.of("sh", "-c", PROBE)).requireSuccess().stdout();
        String off = value(out, "offset");
        ZoneOffset offset = off != null && off.matches("[+-][0-9]{4}")
                ? ZoneOffset.of(off.substring(0, 3) + ":" + off.substring(3)) : ZoneOffset.UTC;
        return new Probe("yes".equals(value(out, "systemd")), "yes".equals(value(out, "cron")),
                "yes".equals(value(out, "running")), offset);
    }

    private static String value(String out, String key) {
        for (String line : out.split("\n")) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1).strip();
            }
        }
        return null;
    }

    /** The job as installed now: its scheduler, the catalogs it runs and its files; empty when none is. */
    public Optional<ScheduleJob> installed() throws SshException, InterruptedException {
        Optional<String> cron = readFile(ScheduleJob.CRON_FILE);
        if (cron.isPresent()) {
            int minute = ScheduleJob.cronMinute(cron.get());
            return Optional.of(new ScheduleJob(ScheduleJob.Scheduler.CRON,
                    List.of(new ScheduleJob.JobFile(ScheduleJob.CRON_FILE, cron.get())), List.of(),
                    ScheduleJob.catalogsIn(cron.get()), minute < 0 ? "every minute" : "hourly at minute " + minute));
        }
        Optional<String> service = readFile(ScheduleJob.SERVICE_FILE);
        if (service.isPresent()) {
            List<ScheduleJob.JobFile> files = new ArrayList<>(List.of(new ScheduleJob.JobFile(ScheduleJob.SERVICE_FILE, service.get())));
            readFile(ScheduleJob.TIMER_FILE).ifPresent(t -> files.add(new ScheduleJob.JobFile(ScheduleJob.TIMER_FILE, t)));
            return Optional.of(new ScheduleJob(ScheduleJob.Scheduler.SYSTEMD, files, List.of(),
                    ScheduleJob.catalogsIn(service.get()), "hourly"));
        }
        return Optional.empty();
    }

    /** The catalogs of the server's clusters that hold at least one schedule. */
    public List<String> scheduledCatalogs() throws SshException, InterruptedException {
        TreeSet<String> roots = new TreeSet<>();
        for (PgCluster c : new ClusterDiscovery(shell).discover()) {
            if (c.broken()) {
                continue;
            }
            try {
                roots.add(ClusterVolume.resolve(shell, c).catalog().root());
            } catch (IllegalStateException | SshException e) {
                progress.step("not looking at " + c.id() + ": " + e.getMessage());
            }
        }
        List<String> out = new ArrayList<>();
        for (String r : roots) {
            if (shell.run(RemoteCommand.of("sh", "-c", "for f in \"$1\"/schedule/*.conf; do [ -f \"$f\" ] && exit 0; done; exit 1",
                    "sh", r).asRoot()).ok()) {
                out.add(r);
            }
        }
        return out;
    }

    /** The job that {@link #install} would write: hourly, for the scheduled catalogs and {@code also}. */
    public ScheduleJob planInstall(Collection<String> also) throws RefusedException, SshException, InterruptedException {
        return planInstall(also, ScheduleJob.Cadence.HOURLY);
    }

    /**
     * The same job run every minute. For lab tests only: they wait for the job to fire by itself, and an
     * hour is too long to wait.
     */
    public ScheduleJob planInstallEveryMinuteForTestsOnly(Collection<String> also)
            throws RefusedException, SshException, InterruptedException {
        return planInstall(also, ScheduleJob.Cadence.EVERY_MINUTE_FOR_TESTS_ONLY);
    }

    private ScheduleJob planInstall(Collection<String> also, ScheduleJob.Cadence cadence)
            throws RefusedException, SshException, InterruptedException {
        TreeSet<String> catalogs = new TreeSet<>(scheduledCatalogs());
        catalogs.addAll(also);
        installed().ifPresent(j -> catalogs.addAll(j.catalogs()));
        if (catalogs.isEmpty()) {
            throw new RefusedException("no cluster on " + shell.serverName() + " has a schedule yet: enable one first"
                    + " (twinshift schedule enable --cluster VER/NAME --yes), then install the job");
        }
        Probe p = probe();
        List<String> list = List.copyOf(catalogs);
        if (p.systemd()) {
            return ScheduleJob.systemd(list, cadence);
        }
        if (!p.cron()) {
            throw new RefusedException(shell.serverName() + " has neither systemd as PID 1 nor cron, so nothing would run the"
                    + " scheduled snapshots: install cron (Debian and Ubuntu: apt-get install cron; RHEL: dnf install cronie)"
                    + " and start it, then install again");
        }
        if (!p.cronRunning()) {
            throw new RefusedException("cron is installed on " + shell.serverName() + " but not running, so the job would never"
                    + " run: start it (service cron start, or /usr/sbin/cron), then install again");
        }
        return ScheduleJob.cron(list, ScheduleJob.minuteFor(shell.serverName()), cadence);
    }

    /** Installs the scripts into each catalog's bin/ and writes the job exactly as {@code job} shows it. */
    public void install(ScheduleJob job) throws SshException, InterruptedException {
        for (String c : job.catalogs()) {
            installScripts(c);
        }
        if (job.scheduler() == ScheduleJob.Scheduler.CRON) {
            removeIfThere(ScheduleJob.SERVICE_FILE, ScheduleJob.TIMER_FILE);
        }
        for (ScheduleJob.JobFile f : job.files()) {
            progress.step("write " + f.path());
            writeFile(f.path(), f.content(), "0644");
        }
        for (List<String> cmd : job.after()) {
            progress.step(String.join(" ", cmd));
            shell.run(RemoteCommand.of(cmd).asRoot(), Duration.ofMinutes(2)).requireSuccess();
        }
    }

    /** What {@link #uninstall} would remove (the files as they are now); empty when nothing is installed. */
    public Optional<ScheduleJob> planUninstall() throws SshException, InterruptedException {
        return installed();
    }

    /** Removes the job. The schedules, snapshots, status and logs in the catalogs stay. */
    public void uninstall() throws SshException, InterruptedException {
        Optional<ScheduleJob> j = installed();
        if (j.isEmpty()) {
            return;
        }
        if (j.get().scheduler() == ScheduleJob.Scheduler.SYSTEMD) {
            progress.step("systemctl disable --now " + ScheduleJob.NAME + ".timer");
            shell.run(RemoteCommand.of("systemctl", "disable", "--now", ScheduleJob.NAME + ".timer").asRoot());
        }
        for (ScheduleJob.JobFile f : j.get().files()) {
            progress.step("remove " + f.path());
        }
        removeIfThere(j.get().files().stream().map(ScheduleJob.JobFile::path).toArray(String[]::new));
        if (j.get().scheduler() == ScheduleJob.Scheduler.SYSTEMD) {
            shell.run(RemoteCommand.of("systemctl", "daemon-reload").asRoot());
        }
    }

    /** Installs the scripts the job runs into CATALOG/bin (where they differ), and makes CATALOG/schedule. */
    void installScripts(String catalogRoot) throws SshException, InterruptedException {
        if (!catalogRoot.endsWith("/.twinshift")) {
            throw new IllegalArgumentException(catalogRoot + " is not a Twinshift catalog (a .twinshift directory)");
        }
        String fs = catalogRoot.substring(0, catalogRoot.length() - "/.twinshift".length());
        Catalog cat = new Catalog(shell, fs.isEmpty() ? "/" : fs);
        shell.run(RemoteCommand.of("sh", "-c", "mkdir -p -- \"$1\" && chown root:root \"$1\" && chmod 0755 \"$1\"",
                "sh", catalogRoot + "/schedule").asRoot()).requireSuccess();
        List<String> written = ServerScripts.install(cat, ServerScripts.ALL);
        if (!written.isEmpty()) {
            progress.step("installed " + String.join(", ", written) + " in " + ServerScripts.binDir(cat));
        }
    }

    void writeFile(String path, String content, String mode) throws SshException, InterruptedException {
        shell.run(RemoteCommand.of("sh", "-c", "umask 022; cat > \"$1.tmp\" && chown root:root \"$1.tmp\" && chmod \"$2\" \"$1.tmp\""
                                + " && mv -f -- \"$1.tmp\" \"$1\" || { rm -f -- \"$1.tmp\"; exit 1; }", "sh", path, mode).asRoot(),
                ExecOptions.defaults().withStdin(content.getBytes(StandardCharsets.UTF_8)).withCaptureLimit(0),
                LineListener.IGNORE).requireSuccess();
    }

    Optional<String> readFile(String path) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("sh", "-c", "[ -f \"$1\" ] || exit 3; cat -- \"$1\"", "sh", path).asRoot());
        if (r.exitCode() == 3) {
            return Optional.empty();
        }
        return Optional.of(r.requireSuccess().stdout());
    }

    private void removeIfThere(String... paths) throws SshException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("rm", "-f", "--"));
        argv.addAll(List.of(paths));
        shell.run(RemoteCommand.of(argv).asRoot()).requireSuccess();
    }

    // ---- one cluster's schedule -------------------------------------------------------------------------

    /** Where a volume's schedule is saved: the file {@code schedule.sh} reads. */
    public static String confPath(Catalog cat, String key) {
        return cat.root() + "/schedule/" + key + ".conf";
    }

    /** The cluster's schedule as saved on the server, empty when it was never scheduled. */
    public Optional<ScheduleConf> conf(ClusterVolume v) throws SshException, InterruptedException {
        return readFile(confPath(v.catalog(), v.volumeKey())).map(ScheduleConf::parse);
    }

    /**
     * The schedule {@link #enable} would write: the volume, method and owner resolved now. Refused when a
     * snapshot of the cluster would be refused, with the verdict's reason.
     */
    public ScheduleConf planEnable(ClusterVolume v, SnapshotPolicy policy) throws RefusedException, SshException,
            InterruptedException {
        if (IdleCloneService.POLICY_NAME.equals(v.volumeKey())) {
            throw new RefusedException("the volume " + v.volumePath() + " has the catalog key \"" + v.volumeKey() + "\", whose"
                    + " schedule file would be " + confPath(v.catalog(), v.volumeKey()) + ", the catalog's idle-clone policy:"
                    + " move the cluster to a volume of another name to schedule it");
        }
        SnapshotVerdict verdict = v.snapshotVerdict();
        if (!verdict.allowed()) {
            throw new RefusedException(verdict.refusal() + "; so it cannot be scheduled either");
        }
        SnapshotPolicy p = policy != null ? policy : conf(v).map(ScheduleConf::policy).orElse(SnapshotPolicy.DEFAULT);
        return ScheduleConf.of(v, true, p);
    }

    /** Why a scheduled run of this conf may still be refused later, or null (a copy is taken of a stopped cluster only). */
    public static String caveat(ClusterVolume v) {
        return v.storage().method().atomic() ? null : v.storage().method().label() + " is not atomic: a scheduled run finds "
                + v.cluster().id() + " running and is refused (recorded as a failure) unless the cluster is stopped";
    }

    /**
     * Writes the schedule. When the job is installed and does not yet run this catalog, the job is written again
     * with it (and the scripts installed there).
     */
    public void save(ClusterVolume v, ScheduleConf conf) throws SshException, InterruptedException {
        String path = confPath(v.catalog(), v.volumeKey());
        shell.run(RemoteCommand.of("sh", "-c", "mkdir -p -- \"$1\" && chmod 0755 \"$1\"", "sh", v.catalog().root() + "/schedule")
                .asRoot()).requireSuccess();
        progress.step("write " + path + (conf.enabled() ? " (enabled, " : " (disabled, ") + conf.policy() + ")");
        writeFile(path, conf.toText(), "0644");
        ensureJobRuns(v.catalog());
    }

    /**
     * When the server's job is installed: makes it run this catalog too (writing the job again, with the
     * scripts installed there) or, when it already does, brings the catalog's scripts up to date.
     */
    public void ensureJobRuns(Catalog catalog) throws SshException, InterruptedException {
        Optional<ScheduleJob> job = installed();
        if (job.isPresent() && !job.get().catalogs().contains(catalog.root())) {
            List<String> all = new ArrayList<>(job.get().catalogs());
            all.add(catalog.root());
            ScheduleJob.Cadence cadence = job.get().cadence().startsWith("every minute")
                    ? ScheduleJob.Cadence.EVERY_MINUTE_FOR_TESTS_ONLY : ScheduleJob.Cadence.HOURLY;
            ScheduleJob again = job.get().scheduler() == ScheduleJob.Scheduler.SYSTEMD ? ScheduleJob.systemd(all, cadence)
                    : ScheduleJob.cron(all, ScheduleJob.minuteFor(shell.serverName()), cadence);
            progress.step("the job now also runs " + catalog.root());
            install(again);
        } else if (job.isPresent()) {
            installScripts(catalog.root());
        }
    }

    /** The saved schedule with another policy; refused when the cluster was never scheduled. */
    public ScheduleConf planPolicy(ClusterVolume v, SnapshotPolicy policy) throws RefusedException, SshException,
            InterruptedException {
        return conf(v).orElseThrow(() -> new RefusedException(v.cluster().id() + " has no schedule yet: enable it with"
                + " twinshift schedule enable --cluster " + v.cluster().id() + " --policy \"" + policy + "\" --yes")).withPolicy(policy);
    }

    /** The saved schedule switched off (its policy kept); refused when there is none. */
    public ScheduleConf planDisable(ClusterVolume v) throws RefusedException, SshException, InterruptedException {
        return conf(v).orElseThrow(() -> new RefusedException(v.cluster().id() + " has no schedule")).withEnabled(false);
    }

    public ScheduleStatus status(ClusterVolume v) throws SshException, InterruptedException {
        return status(v, installed());
    }

    /**
     * The status with the server's job already read ({@link #installed()}): an overview of several
     * clusters reads the job once, not once per cluster.
     */
    public ScheduleStatus status(ClusterVolume v, Optional<ScheduleJob> job) throws SshException, InterruptedException {
        Optional<ScheduleConf> conf = conf(v);
        boolean runs = job.isPresent() && job.get().catalogs().contains(v.catalog().root());
        ScheduleStatus.LastRun last = readFile(v.catalog().root() + "/schedule/" + v.volumeKey() + ".status.json")
                .map(ScheduleStatus.LastRun::parse).orElse(null);
        Instant next = null;
        if (runs && job.get().scheduler() == ScheduleJob.Scheduler.CRON) {
            int minute = ScheduleJob.cronMinute(job.get().files().get(0).content());
            Instant now = Instant.now();
            next = minute < 0 ? now.plusSeconds(60 - now.getEpochSecond() % 60)
                    : ScheduleJob.nextCronRun(now, minute, probe().offset());
        } else if (runs) {
            CommandResult r = shell.run(RemoteCommand.of("systemctl", "show", ScheduleJob.NAME + ".timer", "-p",
                    "NextElapseUSecRealtime", "--value", "--timestamp=unix"));
            String s = r.stdout().strip();
            if (r.ok() && s.matches("@[0-9]+")) {
                next = Instant.ofEpochSecond(Long.parseLong(s.substring(1)));
            }
        }
        return new ScheduleStatus(v.cluster().id(), v.catalog().root(), v.volumeKey(), conf.orElse(null), runs,
                job.map(ScheduleJob::scheduler).orElse(null), job.map(ScheduleJob::cadence).orElse(null), next, last);
    }

    /**
     * What the next run would do, from the script itself: {@code prune --dry-run --create}, with the saved
     * policy or, for a policy not yet saved, with {@code policy}. Changes nothing on the server.
     */
    public RetentionPlan preview(ClusterVolume v, SnapshotPolicy policy) throws SshException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("prune", v.catalog().root(), v.volumeKey(), "--dry-run", "--create"));
        if (policy != null) {
            args.add("--policy");
            args.add(policy.toString());
        }
        CommandResult r = shell.run(script(v.catalog(), args).asRoot(), Duration.ofMinutes(5)).requireSuccess();
        return RetentionPlan.parse(r.stdout());
    }

    /**
     * The script as installed in the catalog when it is, else the console's own copy (so a preview works before
     * the job is installed): run as {@code sh -c SCRIPT schedule.sh ARGS...}, its text never mixed with the arguments.
     */
    private RemoteCommand script(Catalog cat, List<String> args) throws SshException, InterruptedException {
        String installedScript = ServerScripts.path(cat, "schedule.sh");
        List<String> argv = new ArrayList<>();
        if (cat.exists(installedScript)) {
            argv.addAll(List.of("/bin/sh", installedScript));
        } else {
            argv.addAll(List.of("sh", "-c", ServerScripts.text("schedule.sh"), "schedule.sh"));
        }
        argv.addAll(args);
        return RemoteCommand.of(argv);
    }

    /** The Nagios-style check of the cluster's snapshots and last run. */
    public ScheduleStatus.Check check(ClusterVolume v, String warn, String crit) throws SshException, InterruptedException {
        for (String d : List.of(warn, crit)) {
            if (d == null || !DURATION.matcher(d).matches()) {
                return new ScheduleStatus.Check(3, "UNKNOWN: \"" + d + "\" is not a duration: write e.g. 90m, 6h or 2d");
            }
        }
        CommandResult r = shell.run(script(v.catalog(), List.of("check", v.catalog().root(), v.volumeKey(), "--warn", warn,
                "--crit", crit)).asRoot(), Duration.ofMinutes(2));
        String line = r.stdout().strip().lines().findFirst().orElse("");
        int code = r.exitCode();
        if (code < 0 || code > 3 || line.isEmpty()) {
            return new ScheduleStatus.Check(3, "UNKNOWN: the check on " + shell.serverName() + " failed (exit " + code + "): "
                    + r.stderr().strip());
        }
        return new ScheduleStatus.Check(code, line);
    }
}
