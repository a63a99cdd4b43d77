package dev.twinshift.upgrade;

import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.ShellQuote;
import java.util.ArrayList;
import java.util.List;

/**
 * pg_upgrade's argument list, built in this one place for the preflight's check, the rehearsal on a
 * twin, the check against live, the cutover and the blue/green green cluster: what one of them proves
 * about pg_upgrade holds for the others only if they all run the same command.
 */
final class PgUpgradeCommand {
    private PgUpgradeCommand() {}

    /**
     * @param oldConfDir where the old server's postgresql.conf is (a clone's own, or live's)
     * @param newConfDir where the new server's postgresql.conf is
     * @param check      {@code --check} only: nothing is written to the new cluster
     */
    static RemoteCommand of(UpgradePlan plan, String oldData, String oldConfDir, String newData, String newConfDir,
                            String socketDir, UpgradeMethod method, boolean check) {
        // The server options go through pg_ctl's shell, so they are quoted for it.
        List<String> argv = new ArrayList<>(List.of(plan.newBinDir() + "/pg_upgrade", "-b", plan.oldBinDir(), "-B",
                plan.newBinDir(), "-d", oldData, "-D", newData, "-o", "-c " + ShellQuote.quote(configFile(oldConfDir)),
                "-O", "-c " + ShellQuote.quote(configFile(newConfDir)), "-s", socketDir, "-U", plan.installUser(),
                "--jobs", Integer.toString(Math.max(1, plan.serverCpus()))));
        if (check) {
            argv.add("--check");
        } else {
            // pg_upgrade's own sync fsyncs every file one by one; one syncfs of the filesystem
            // afterwards (see the cutover's pg_upgrade step) makes the same data durable in a fraction of the time.
            argv.add("--no-sync");
            if (method != UpgradeMethod.COPY || UpgradePlanner.major(plan.newVersion()) >= 16) {
                // Copying is pg_upgrade's default; it only got a flag of its own in 16.
                argv.add(method.flag());
            }
        }
        return RemoteCommand.of(argv).asUser(plan.owner());
    }

    private static String configFile(String confDir) {
        return "config_file=" + confDir + "/postgresql.conf";
    }
}
