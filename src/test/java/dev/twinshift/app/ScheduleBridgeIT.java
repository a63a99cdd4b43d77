package dev.twinshift.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.schedule.RetentionPlan;
import dev.twinshift.schedule.ScheduleService;
import dev.twinshift.schedule.SnapshotPolicy;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotService;
import dev.twinshift.ui.timeline.ClusterTarget;
import dev.twinshift.ui.timeline.ScheduleActions;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The timeline's schedule editor as the console wires it: saving, previewing, enabling and disabling a
 * scratch cluster's schedule on the lab go to the server's files and script, and the status says so.
 */
class ScheduleBridgeIT {

    @Test
    void theEditorSavesPreviewsEnablesAndDisablesOnTheServer() throws Exception {
        RemoteShell shell = LabShell.admin(Lab.require());
        ScheduleService service = new ScheduleService(shell, null);
        assertTrue(service.installed().isEmpty(), "no job is installed before the test");
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "bridge")) {
            ClusterVolume v = ClusterVolume.resolve(shell, sc.cluster());
            ScheduleBridge bridge = new ScheduleBridge(ZoneOffset.UTC);
            ClusterTarget t = new ClusterTarget(shell, "tsadmin", sc.cluster());
            try {
                ScheduleActions.Status none = bridge.status(t);
                assertFalse(none.enabled());
                assertNull(none.policy());
                assertTrue(none.summary().contains("Not scheduled"), none.summary());

                SnapshotService snaps = new SnapshotService(shell, Actor.local("tsadmin"), null);
                snaps.create(sc.cluster(), Reason.MANUAL, "a");
                snaps.create(sc.cluster(), Reason.MANUAL, "b");
                RetentionPlan plan = bridge.preview(t, SnapshotPolicy.parse("hourly=1"));
                assertEquals(2, plan.snapshots().size(), "the preview lists the cluster's snapshots: " + plan);
                assertEquals(1, plan.pruned().size(), "two in one hour, hourly=1: the second goes");
                assertTrue(plan.pruned().get(0).name().endsWith("-b"), "the first of the hour stays: " + plan.pruned());
                assertEquals(2, snaps.list(v).size(), "a preview deletes nothing");

                bridge.save(t, SnapshotPolicy.parse("hourly=24 daily=7"));
                ScheduleActions.Status saved = bridge.status(t);
                assertEquals(SnapshotPolicy.parse("hourly=24 daily=7"), saved.policy());
                assertFalse(saved.enabled(), "saving a policy does not switch the schedule on");
                assertTrue(saved.summary().contains("Enable installs it"), saved.summary());

                bridge.enable(t);
                ScheduleActions.Status on = bridge.status(t);
                assertTrue(on.enabled() && on.installed(), on.summary());
                assertTrue(on.summary().contains("cron entry"), "the lab runs cron: " + on.summary());
                assertEquals(SnapshotPolicy.parse("hourly=24 daily=7"), on.policy(), "enable keeps the saved policy");

                bridge.disable(t);
                assertFalse(bridge.status(t).enabled());
            } finally {
                service.uninstall();
                String base = v.catalog().root() + "/schedule/" + v.volumeKey();
                shell.run(RemoteCommand.of("rm", "-f", "--", base + ".conf", base + ".status.json", base + ".log").asRoot());
            }
        }
    }
}
