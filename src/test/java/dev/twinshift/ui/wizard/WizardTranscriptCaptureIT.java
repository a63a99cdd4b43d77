package dev.twinshift.ui.wizard;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.lab.ShellTranscript;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.upgrade.CancelRequest;
import dev.twinshift.upgrade.CutoverIT;
import dev.twinshift.upgrade.Rehearsal;
import dev.twinshift.upgrade.UpgradeListener;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradePlanner;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records what the lab answers when the wizard's engine opens a scratch 13 cluster, plans its
 * upgrade to 15 and runs the preflight: once on the cluster as made, once with a column of type
 * regproc (a blocker pg_upgrade refuses). The transcripts are what {@link WizardReplayTest} plays back
 * to the real engine. Run only on purpose, under the lab's lock, to refresh them:
 * {@code -Dit.test=WizardTranscriptCaptureIT -Dtwinshift.capture=true}.
 */
@EnabledIfSystemProperty(named = "twinshift.capture", matches = "true")
class WizardTranscriptCaptureIT {
    static final Path DIR = Path.of("src/test/resources/dev/twinshift/ui/wizard");

    @Test
    void captureOpenPlanAndPreflightsOfAScratchCluster() throws Exception {
        CutoverIT.shell = LabShell.admin(Lab.require());
        try (ScratchCluster sc = CutoverIT.scratch("wz")) {
            Rehearsal.Result clean = capture(sc, "preflight-clean.jsonl");
            assertTrue(clean.compatible(), String.valueOf(clean.findings()));
            sc.sql("app", "CREATE TABLE callbacks(id int, handler regproc)");
            sc.sql("app", "INSERT INTO callbacks VALUES (1, 'now')");
            Rehearsal.Result blocked = capture(sc, "preflight-regproc.jsonl");
            assertFalse(blocked.compatible(), String.valueOf(blocked.findings()));
        }
    }

    private static Rehearsal.Result capture(ScratchCluster sc, String file) throws Exception {
        ShellTranscript.Recording rec = new ShellTranscript.Recording(CutoverIT.shell);
        PgCluster c = new ClusterDiscovery(rec).find(sc.id());
        RemoteUpgradeEngine engine = new RemoteUpgradeEngine(rec, "tsadmin", c);
        engine.open();
        UpgradePlanner.Result r = engine.plan("15", null);
        assertTrue(r.ok(), String.valueOf(r.refusals()));
        UpgradePlan plan = r.plan();
        Rehearsal.Result out = engine.preflight(plan, UpgradeListener.NONE, new CancelRequest());
        rec.write(DIR.resolve(file));
        CutoverIT.removeOperation(dev.twinshift.upgrade.UpgradeWorkspace.catalogOf(CutoverIT.shell, plan), out.operation());
        return out;
    }
}
