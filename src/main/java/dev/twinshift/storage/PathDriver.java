package dev.twinshift.storage;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the drivers whose copies are directories share. */
abstract class PathDriver implements StorageDriver {
    /** Copies of a large cluster take a while; snapshots do not, but share the limit. */
    static final Duration COPY_TIMEOUT = Duration.ofHours(6);

    protected final RemoteShell shell;

    PathDriver(RemoteShell shell) {
        this.shell = shell;
    }

    @Override
    public boolean exists(String location) throws SshException, InterruptedException {
        return shell.run(RemoteCommand.of("test", "-e", location).asRoot()).ok();
    }

    protected void requireAbsent(String target) throws SshException, InterruptedException {
        // A btrfs snapshot or a cp into an existing directory would land inside it instead.
        if (exists(target)) {
            throw new IllegalStateException(target + " already exists on " + shell.serverName());
        }
    }

    protected CommandResult runLong(RemoteCommand cmd) throws SshException, InterruptedException {
        return shell.run(cmd, ExecOptions.defaults().withTimeout(COPY_TIMEOUT), LineListener.IGNORE).requireSuccess();
    }

    /** Directories in {@code container}, with their change time (directories have no portable birth time). */
    @Override
    public List<VolumeEntry> list(String container) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("find", container, "-mindepth", "1", "-maxdepth", "1", "-type", "d",
                "-printf", "%p\\t%T@\\n").asRoot());
        if (!r.ok()) {
            if (!exists(container)) {
                return List.of();
            }
            r.requireSuccess();
        }
        List<VolumeEntry> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 2 && !f[0].endsWith(".run")) {
                out.add(new VolumeEntry(f[0], epoch(f[1]), false));
            }
        }
        return out;
    }

    static Instant epoch(String secondsDotFraction) {
        double d = Double.parseDouble(secondsDotFraction.strip());
        long s = (long) Math.floor(d);
        return Instant.ofEpochSecond(s, (long) ((d - s) * 1e9));
    }

    @Override
    public Optional<SpaceUsage> usage(String location) throws SshException, InterruptedException {
        return Optional.empty();
    }
}
