package dev.twinshift.upgrade;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/** Which settings of the old configuration the new server knows, asked of the new server itself. */
final class NewVersionSettings {
    private NewVersionSettings() {}

    /**
     * {@code postgres --describe-config} leaves out some settings a file may still set (developer
     * options, a few others): those the old file uses are asked one by one with {@code postgres -C}.
     *
     * @param configDir a directory with a postgresql.conf the new server can read
     */
    static Set<String> known(RemoteShell shell, UpgradePlan plan, String configDir, String oldConf)
            throws SshException, InterruptedException {
        String postgres = plan.newBinDir() + "/postgres";
        Set<String> known = new LinkedHashSet<>(ConfigCarryOver.parseDescribeConfig(shell.run(RemoteCommand.of(postgres,
                "--describe-config").asUser(plan.owner()), Duration.ofMinutes(1)).requireSuccess().stdout()));
        for (String name : ConfigCarryOver.namesToVerify(oldConf, known)) {
            CommandResult r = shell.run(RemoteCommand.of(postgres, "-C", name, "-D", configDir).asUser(plan.owner()),
                    Duration.ofMinutes(1));
            if (ConfigCarryOver.recognizedBy(r.stdout() + r.stderr(), r.exitCode())) {
                known.add(name);
            }
        }
        return known;
    }
}
