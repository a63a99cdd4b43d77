package dev.twinshift.app;

import dev.twinshift.schedule.RetentionPlan;
import dev.twinshift.schedule.ScheduleConf;
import dev.twinshift.schedule.ScheduleJob;
import dev.twinshift.schedule.ScheduleService;
import dev.twinshift.schedule.ScheduleStatus;
import dev.twinshift.schedule.SnapshotPolicy;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.Progress;
import dev.twinshift.ui.timeline.ClusterTarget;
import dev.twinshift.ui.timeline.PolicyPreviewer;
import dev.twinshift.ui.timeline.ScheduleActions;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * The timeline's schedule editor and retention preview, carried out by the same {@link ScheduleService} the
 * command line uses: the console decides nothing about schedules itself. Every method runs on a worker thread.
 */
final class ScheduleBridge implements ScheduleActions, PolicyPreviewer {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private final ZoneId zone;

    ScheduleBridge(ZoneId zone) {
        this.zone = zone;
    }

    private static ScheduleService service(ClusterTarget t) {
        return new ScheduleService(t.shell(), Progress.NONE);
    }

    private static ClusterVolume volume(ClusterTarget t) throws Exception {
        return ClusterVolume.resolve(t.shell(), t.cluster());
    }

    @Override
    public RetentionPlan preview(ClusterTarget target, SnapshotPolicy policy) throws Exception {
        return service(target).preview(volume(target), policy);
    }

    @Override
    public Status status(ClusterTarget target) throws Exception {
        ScheduleStatus st = service(target).status(volume(target));
        return new Status(st.jobInstalled(), st.enabled(), st.conf() == null ? null : st.conf().policy(), summary(st));
    }

    String summary(ScheduleStatus st) {
        StringBuilder b = new StringBuilder();
        b.append(st.conf() == null ? "Not scheduled." : st.enabled() ? "Enabled." : "Disabled (policy kept).");
        if (st.jobInstalled()) {
            b.append(" Job: ").append(st.scheduler() == ScheduleJob.Scheduler.SYSTEMD ? "systemd timer" : "cron entry")
                    .append(", ").append(st.cadence());
            if (st.nextRun() != null) {
                b.append(", next run ").append(time(st.nextRun()));
            }
            b.append('.');
        } else {
            b.append(" The server's hourly job is not installed for ").append(st.catalog())
                    .append(": Enable installs it.");
        }
        ScheduleStatus.LastRun l = st.lastRun();
        if (l == null) {
            b.append(" No run yet.");
        } else {
            b.append(" Last run ").append(time(l.lastRunAt())).append(": ").append(l.lastOutcome())
                    .append(" (").append(l.durationMs()).append(" ms)");
            if (l.lastDeleted() != null && !l.lastDeleted().isEmpty()) {
                b.append(", pruned ").append(l.lastDeleted().size());
            }
            b.append('.');
            if (l.lastFailure() != null) {
                b.append(" Last failure ").append(time(l.lastFailure().at())).append(": ").append(l.lastFailure().why());
            }
        }
        return b.toString();
    }

    private String time(Instant t) {
        return t == null ? "?" : TIME.format(t.atZone(zone));
    }

    @Override
    public void save(ClusterTarget target, SnapshotPolicy policy) throws Exception {
        ScheduleService s = service(target);
        ClusterVolume v = volume(target);
        Optional<ScheduleConf> saved = s.conf(v);
        // A policy saved for a cluster that was never scheduled stays off until Enable.
        s.save(v, saved.isPresent() ? s.planPolicy(v, policy) : s.planEnable(v, policy).withEnabled(false));
    }

    @Override
    public void enable(ClusterTarget target) throws Exception {
        ScheduleService s = service(target);
        ClusterVolume v = volume(target);
        s.save(v, s.planEnable(v, null));
        if (s.installed().isEmpty()) {
            s.install(s.planInstall(List.of(v.catalog().root())));
        }
    }

    @Override
    public void disable(ClusterTarget target) throws Exception {
        ScheduleService s = service(target);
        ClusterVolume v = volume(target);
        s.save(v, s.planDisable(v));
    }
}
