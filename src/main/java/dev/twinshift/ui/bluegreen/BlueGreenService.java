package dev.twinshift.ui.bluegreen;

import dev.twinshift.upgrade.BlueGreen;
import dev.twinshift.upgrade.BlueGreenPreflight;
import dev.twinshift.upgrade.BlueGreenStatus;
import dev.twinshift.upgrade.UpgradeListener;
import dev.twinshift.upgrade.UpgradePlan;
import java.util.Optional;

/**
 * What the blue/green window asks of the engine for one cluster. The console's implementation is
 * {@link RemoteBlueGreenService}; the view model's tests give it scripted answers to check which
 * buttons a user may press when, not what the engine does (the lab tests prove that).
 */
public interface BlueGreenService {
    /** The cluster this window upgrades, as {@code VER/NAME}. */
    String clusterId();

    /** The plan for the newest installed version (the blue/green path takes no other choice). */
    UpgradePlan plan() throws Exception;

    BlueGreenPreflight.Result preflight(UpgradePlan plan, BlueGreen.Pooler pooler) throws Exception;

    /** @return the operation's name */
    String prepare(UpgradePlan plan, BlueGreen.Pooler pooler, BlueGreenPreflight.Result preflight, UpgradeListener listener)
            throws Exception;

    /** The blue/green operation of this cluster still under way, if any. */
    Optional<String> current() throws Exception;

    BlueGreenStatus status(String operation) throws Exception;

    BlueGreen.SwitchResult switchTo(String operation, boolean toGreen, UpgradeListener listener) throws Exception;

    String finish(String operation, UpgradeListener listener) throws Exception;

    String abandon(String operation, UpgradeListener listener) throws Exception;
}
