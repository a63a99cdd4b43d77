package dev.twinshift.app;

import dev.twinshift.schedule.RetentionPlan;
import dev.twinshift.schedule.ScheduleConf;
import dev.twinshift.schedule.ScheduleJob;
import dev.twinshift.schedule.ScheduleService;
import dev.twinshift.schedule.ScheduleStatus;
import dev.twinshift.schedule.SnapshotPolicy;
import dev.twinshift.storage.ClusterVolume;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code twinshift schedule ...}: hourly snapshots taken by the server itself, and their retention. */
@Command(name = "schedule", description = "Hourly snapshots taken by the server itself (a systemd timer, or cron where"
        + " systemd is not PID 1), with no console connected, kept by a readable retention policy.",
        subcommands = {ScheduleCli.Install.class, ScheduleCli.Uninstall.class, ScheduleCli.Status.class,
                ScheduleCli.Enable.class, ScheduleCli.Disable.class, ScheduleCli.Policy.class, ScheduleCli.Preview.class})
final class ScheduleCli {
    @ParentCommand
    Cli cli;

    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        ScheduleCli parent;

        Cli cli() {
            return parent.cli;
        }

        ScheduleService service() throws Exception {
            return new ScheduleService(cli().shell(), cli().progress());
        }

        PrintWriter err() {
            return cli().spec.commandLine().getErr();
        }

        ClusterVolume volume(String cluster) throws Exception {
            return ClusterVolume.resolve(cli().shell(), cli().cluster(cluster));
        }

        /** Without --yes: says what would change and that nothing did. */
        int unconfirmed(Map<String, Object> json, String what) throws Exception {
            if (cli().json) {
                json.put("changed", false);
                json.put("confirmWith", "--yes");
                cli().printJson(json);
            } else {
                err().println(what);
                err().println("Nothing was changed. Add --yes to do it.");
                err().flush();
            }
            return Cli.EXIT_REFUSED;
        }
    }

    static String describe(ScheduleJob job, String verb) {
        StringBuilder b = new StringBuilder();
        b.append(verb).append(" the ").append(job.scheduler() == ScheduleJob.Scheduler.SYSTEMD ? "systemd timer" : "cron entry")
                .append(" (").append(job.cadence()).append(") running schedule.sh for ")
                .append(String.join(", ", job.catalogs())).append(":\n");
        for (ScheduleJob.JobFile f : job.files()) {
            b.append("--- ").append(f.path()).append('\n').append(f.content());
            if (!f.content().endsWith("\n")) {
                b.append('\n');
            }
        }
        for (List<String> c : job.after()) {
            b.append("then: ").append(String.join(" ", c)).append('\n');
        }
        return b.toString();
    }

    @Command(name = "install", description = "Install the server-wide job (systemd timer, hourly, Persistent=true, randomized"
            + " delay; or a cron entry where systemd is not PID 1) and the scripts it runs. Without --yes, shows exactly the"
            + " files it would write.")
    static final class Install extends Sub {
        @Option(names = "--cluster", paramLabel = "VER/NAME", description = "also run the catalog of this cluster (by default:"
                + " every catalog that holds a schedule)")
        String cluster;
        @Option(names = "--yes", description = "confirm: without it, only show what would be written")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            ScheduleService s = service();
            List<String> also = new ArrayList<>();
            if (cluster != null) {
                also.add(volume(cluster).catalog().root());
            }
            ScheduleJob job = s.planInstall(also);
            if (!yes) {
                return unconfirmed(new LinkedHashMap<>(Map.of("job", job)), describe(job, "Would write"));
            }
            s.install(job);
            if (cli().json) {
                cli().printJson(Map.of("job", job, "changed", true));
            } else {
                cli().out().println("installed the " + (job.scheduler() == ScheduleJob.Scheduler.SYSTEMD ? "systemd timer "
                        + ScheduleJob.NAME + ".timer" : "cron entry " + ScheduleJob.CRON_FILE) + " (" + job.cadence() + ") for "
                        + String.join(", ", job.catalogs()));
                cli().out().flush();
            }
            return 0;
        }
    }

    @Command(name = "uninstall", description = "Remove the server-wide job. Schedules, snapshots, status and logs stay.")
    static final class Uninstall extends Sub {
        @Option(names = "--yes", description = "confirm: without it, only show what would be removed")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            ScheduleService s = service();
            Optional<ScheduleJob> job = s.planUninstall();
            if (job.isEmpty()) {
                cli().out().println("no scheduled job is installed on " + cli().shell().serverName());
                cli().out().flush();
                return 0;
            }
            if (!yes) {
                return unconfirmed(new LinkedHashMap<>(Map.of("job", job.get())), describe(job.get(), "Would remove"));
            }
            s.uninstall();
            cli().out().println("removed " + String.join(", ", job.get().files().stream().map(ScheduleJob.JobFile::path).toList()));
            cli().out().flush();
            return 0;
        }
    }

    @Command(name = "status", description = "A cluster's schedule: on or off, its policy, whether the server's job runs it and"
            + " when next, the last run (when, what it created and deleted, its failure).")
    static final class Status extends Sub {
        @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
        String cluster;

        @Override
        public Integer call() throws Exception {
            ScheduleStatus st = service().status(volume(cluster));
            if (cli().json) {
                cli().printJson(st);
                return 0;
            }
            PrintWriter out = cli().out();
            out.println(cluster + ": " + (st.conf() == null ? "not scheduled" : (st.enabled() ? "enabled" : "disabled")
                    + ", policy " + st.conf().policy()));
            out.println("job: " + (st.jobInstalled() ? st.scheduler().name().toLowerCase() + ", " + st.cadence()
                    + (st.nextRun() == null ? "" : ", next run " + st.nextRun()) : "not installed for " + st.catalog()
                    + " (twinshift schedule install)"));
            ScheduleStatus.LastRun l = st.lastRun();
            if (l == null) {
                out.println("last run: none yet");
            } else {
                out.println("last run: " + l.lastRunAt() + " " + l.lastOutcome() + " (" + l.durationMs() + " ms)"
                        + (l.lastCreated() == null ? "" : ", created " + l.lastCreated())
                        + (l.lastDeleted() == null || l.lastDeleted().isEmpty() ? "" : ", deleted " + String.join(" ", l.lastDeleted())));
                out.println("last success: " + (l.lastSuccessAt() == null ? "never" : l.lastSuccessAt()));
                if (l.lastFailure() != null) {
                    out.println("last failure: " + l.lastFailure().at() + ": " + l.lastFailure().why());
                }
                if (l.newestSnapshotAt() != null) {
                    out.println("newest snapshot: " + l.newestSnapshotAt() + " ("
                            + Duration.between(l.newestSnapshotAt(), Instant.now()).toMinutes() + " min ago)");
                }
            }
            out.flush();
            return 0;
        }
    }

    abstract static class Change extends Sub {
        @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
        String cluster;
        @Option(names = "--yes", description = "confirm: without it, only show what would change")
        boolean yes;

        int apply(ScheduleService s, ClusterVolume v, ScheduleConf conf, String caveat) throws Exception {
            String path = ScheduleService.confPath(v.catalog(), v.volumeKey());
            Optional<ScheduleConf> before = s.conf(v);
            if (!yes) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("path", path);
                m.put("before", before.orElse(null));
                m.put("after", conf);
                String text = "Would write " + path + (before.isPresent() ? " (now: " + (before.get().enabled() ? "enabled"
                        : "disabled") + ", " + before.get().policy() + ")" : "") + ":\n" + conf.toText()
                        + (caveat == null ? "" : "Note: " + caveat + "\n");
                return unconfirmed(m, text);
            }
            s.save(v, conf);
            if (cli().json) {
                cli().printJson(Map.of("path", path, "conf", conf, "changed", true));
            } else {
                cli().out().println(cluster + ": " + (conf.enabled() ? "enabled" : "disabled") + ", policy " + conf.policy());
                if (conf.enabled() && s.installed().isEmpty()) {
                    cli().out().println("the server's job is not installed yet: twinshift schedule install --yes");
                }
                if (caveat != null) {
                    cli().out().println("note: " + caveat);
                }
                cli().out().flush();
            }
            return 0;
        }
    }

    @Command(name = "enable", description = "Schedule a cluster: the server's job snapshots it every hour and prunes by the"
            + " policy (default " + "hourly=36 daily=30 weekly=8 monthly=12 yearly=3" + "). Refused when a snapshot of the"
            + " cluster would be.")
    static final class Enable extends Change {
        @Option(names = "--policy", paramLabel = "POLICY", description = "e.g. \"hourly=36 daily=30 weekly=8 monthly=12 yearly=3"
                + " upgrade-safety=keep floor=10%%\" (default: the saved one, else that)")
        String policy;

        @Override
        public Integer call() throws Exception {
            SnapshotPolicy p = policy == null ? null : SnapshotPolicy.parse(policy);
            ScheduleService s = service();
            ClusterVolume v = volume(cluster);
            return apply(s, v, s.planEnable(v, p), ScheduleService.caveat(v));
        }
    }

    @Command(name = "disable", description = "Stop snapshotting a cluster on schedule (its policy and snapshots stay).")
    static final class Disable extends Change {
        @Override
        public Integer call() throws Exception {
            ScheduleService s = service();
            ClusterVolume v = volume(cluster);
            return apply(s, v, s.planDisable(v), null);
        }
    }

    @Command(name = "policy", description = "Change a scheduled cluster's retention policy. Preview it first with"
            + " `schedule preview --policy ...`.")
    static final class Policy extends Change {
        @Option(names = "--set", required = true, paramLabel = "POLICY",
                description = "e.g. \"hourly=24 daily=7 weekly=4 monthly=12 yearly=3\"")
        String policy;

        @Override
        public Integer call() throws Exception {
            SnapshotPolicy p = SnapshotPolicy.parse(policy);
            ScheduleService s = service();
            ClusterVolume v = volume(cluster);
            return apply(s, v, s.planPolicy(v, p), null);
        }
    }

    @Command(name = "preview", description = "What the next scheduled run would create and delete, and why each snapshot"
            + " stays (the server's own script in dry-run; changes nothing).")
    static final class Preview extends Sub {
        @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
        String cluster;
        @Option(names = "--policy", paramLabel = "POLICY", description = "preview a policy not yet saved")
        String policy;
        @Option(names = "--all", description = "list kept snapshots too (default: only what would be deleted)")
        boolean all;

        @Override
        public Integer call() throws Exception {
            RetentionPlan plan = service().preview(volume(cluster), policy == null ? null : SnapshotPolicy.parse(policy));
            if (cli().json) {
                cli().printJson(plan);
                return 0;
            }
            PrintWriter out = cli().out();
            out.println("policy " + plan.policy() + "; the next run creates " + (plan.create() == null ? "nothing"
                    : plan.create().name()) + " and deletes " + plan.pruned().size() + " of " + plan.snapshots().size());
            if (plan.floor() != null) {
                out.println("free space " + Cli.size(plan.floor().availableBytes()) + ", floor " + Cli.size(plan.floor().floorBytes())
                        + (plan.floor().below() ? ": BELOW, the oldest prunable snapshots go first" : ""));
            }
            List<List<String>> rows = new ArrayList<>();
            for (RetentionPlan.Verdict v : plan.snapshots()) {
                if (all || !v.kept()) {
                    rows.add(List.of(v.name(), v.reason(), v.fate().name(), String.join("; ", v.why())));
                }
            }
            Cli.table(out, List.of("SNAPSHOT", "WHY TAKEN", "FATE", "BECAUSE"), rows);
            return 0;
        }
    }
}
