package dev.twinshift.ui.wizard;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.upgrade.CancelRequest;
import dev.twinshift.upgrade.Cutover;
import dev.twinshift.upgrade.Rehearsal;
import dev.twinshift.upgrade.UpgradeListener;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradePlanner;
import dev.twinshift.upgrade.UpgradeState;
import java.util.List;
import java.util.Optional;

/**
 * What the upgrade wizard asks of the engine for one cluster of one server. Every call blocks and is
 * made from a background task, never from the FX thread. The console's implementation is
 * {@link RemoteUpgradeEngine}; the page models' tests script its answers to check which buttons a
 * user may press when, and also drive the real one over a shell that replays what the lab answered,
 * so that what the engine reads and says is what the pages show.
 */
public interface UpgradeEngine {
    /** What the journal holds for this cluster, and which majors are installed. */
    record Opening(List<UpgradeState> unfinished, List<String> installed) { }

    /** The server's name as the console shows it. */
    String serverName();

    PgCluster cluster();

    /** Who acts, as the journal names them (a cancel says who asked for it). */
    String actor();

    Opening open() throws Exception;

    UpgradePlanner.Result plan(String targetVersion, String newName) throws Exception;

    Rehearsal.Result preflight(UpgradePlan plan, UpgradeListener listener, CancelRequest cancel) throws Exception;

    Rehearsal.Result rehearse(UpgradePlan plan, Rehearsal.Options options, UpgradeListener listener, CancelRequest cancel)
            throws Exception;

    UpgradeState cutOver(UpgradePlan plan, Cutover.Options options, UpgradeListener listener, CancelRequest cancel)
            throws Exception;

    UpgradeState resume(UpgradeState state, UpgradeListener listener, CancelRequest cancel) throws Exception;

    UpgradeState rollBack(UpgradeState state, UpgradeListener listener) throws Exception;

    /** Where the operation stands in the server's journal, whatever ended the run that drove it. */
    Optional<UpgradeState> journaled(UpgradePlan plan, String operation) throws Exception;
}
