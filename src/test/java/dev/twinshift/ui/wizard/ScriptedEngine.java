package dev.twinshift.ui.wizard;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.SshException;
import dev.twinshift.upgrade.CancelRequest;
import dev.twinshift.upgrade.Cutover;
import dev.twinshift.upgrade.Rehearsal;
import dev.twinshift.upgrade.UpgradeListener;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradePlanner;
import dev.twinshift.upgrade.UpgradeState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An engine whose answers a test sets beforehand; a call with no answer set fails as a lost server
 * does. It records which calls were made, so a test can say the wizard asked the engine and not more.
 */
public final class ScriptedEngine implements UpgradeEngine {
    public final List<String> calls = new ArrayList<>();
    public String server = "db1";
    public PgCluster cluster = WizardFixtures.lab13();
    public UpgradeEngine.Opening opening;
    public UpgradePlanner.Result plan;
    public Rehearsal.Result preflight;
    public Rehearsal.Result rehearsal;
    public UpgradeState cutover;
    public UpgradeState rollback;
    public UpgradeState journal;
    /** Thrown by the cutover instead of answering. */
    public Exception cutoverFails;

    @Override
    public String serverName() {
        return server;
    }

    @Override
    public PgCluster cluster() {
        return cluster;
    }

    @Override
    public String actor() {
        return "tsadmin (dba@laptop)";
    }

    private static <T> T answer(T t) throws SshException {
        if (t == null) {
            throw new SshException(SshException.Kind.CONNECTION_LOST, "no answer in this test");
        }
        return t;
    }

    @Override
    public Opening open() throws Exception {
        calls.add("open");
        return answer(opening);
    }

    @Override
    public UpgradePlanner.Result plan(String targetVersion, String newName) throws Exception {
        calls.add("plan " + targetVersion);
        return answer(plan);
    }

    @Override
    public Rehearsal.Result preflight(UpgradePlan plan, UpgradeListener listener, CancelRequest cancel) throws Exception {
        calls.add("preflight");
        return answer(preflight);
    }

    @Override
    public Rehearsal.Result rehearse(UpgradePlan plan, Rehearsal.Options options, UpgradeListener listener,
                                     CancelRequest cancel) throws Exception {
        calls.add("rehearse");
        return answer(rehearsal);
    }

    @Override
    public UpgradeState cutOver(UpgradePlan plan, Cutover.Options options, UpgradeListener listener, CancelRequest cancel)
            throws Exception {
        calls.add("cutover");
        if (cutoverFails != null) {
            throw cutoverFails;
        }
        for (String s : Cutover.STEPS) {
            listener.step(s, UpgradeState.STARTED, null);
            listener.log(Cutover.TITLES.get(s));
            listener.step(s, UpgradeState.DONE, null);
        }
        return answer(cutover);
    }

    @Override
    public UpgradeState resume(UpgradeState state, UpgradeListener listener, CancelRequest cancel) throws Exception {
        calls.add("resume");
        return answer(cutover);
    }

    @Override
    public UpgradeState rollBack(UpgradeState state, UpgradeListener listener) throws Exception {
        calls.add("rollback");
        listener.step("rollback", UpgradeState.STARTED, null);
        for (String line : List.of("stopping 15/main (if it runs)", "dropping 15/main",
                "restoring the pre-upgrade snapshot 20261125T140300Z-pre-upgrade", "starting 13/main on port 5433")) {
            listener.log(line);
        }
        listener.step("rollback", UpgradeState.DONE, null);
        return answer(rollback);
    }

    @Override
    public Optional<UpgradeState> journaled(UpgradePlan plan, String operation) throws Exception {
        calls.add("journal");
        return Optional.ofNullable(journal);
    }
}
