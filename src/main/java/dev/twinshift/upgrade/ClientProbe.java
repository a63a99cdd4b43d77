package dev.twinshift.upgrade;

import dev.twinshift.ssh.DetachedJob;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Measures downtime as a client sees it: a probe on the server opens a new connection to the cluster's
 * port every 100 ms, detached like any long step so that it survives the console, and bounded in time so
 * that it never outlives a dead one. The downtime is the longest stretch between two successful tries
 * with failed ones in between, not the time between two of our own steps.
 */
final class ClientProbe {
    static final Duration INTERVAL = Duration.ofMillis(100);
    /** The probe ends by itself after this long, whatever happens to the console. */
    static final Duration LIMIT = Duration.ofMinutes(30);
    private static final String SCRIPT = resource();

    private final DetachedJob job;

    private ClientProbe(DetachedJob job) {
        this.job = job;
    }

    static ClientProbe start(RemoteShell shell, String directory, String psql, String socketDir, int port, String user)
            throws SshException, InterruptedException {
        return new ClientProbe(DetachedJob.start(shell, directory, RemoteCommand.of("sh", "-c", SCRIPT, "probe", psql,
                socketDir, Integer.toString(port), String.format("%.1f", INTERVAL.toMillis() / 1000.0),
                Long.toString(LIMIT.toSeconds())).asUser(user)));
    }

    static ClientProbe attach(RemoteShell shell, String directory) {
        return new ClientProbe(new DetachedJob(shell, directory));
    }

    /** Stops the probe and returns the longest time clients could not connect, if it saw the cluster up both sides. */
    OptionalLong stopAndMeasure() throws SshException, InterruptedException {
        if (job.poll(0, null).state() == DetachedJob.State.MISSING) {
            return OptionalLong.empty(); // the old cluster was not running: no client to see an outage
        }
        job.stop();
        return longestOutage(job.log());
    }

    void stop() throws SshException, InterruptedException {
        if (job.poll(0, null).state() != DetachedJob.State.MISSING) {
            job.stop();
        }
    }

    /** The longest span from the last "ok" before a run of "down" lines to the first "ok" after it. */
    static OptionalLong longestOutage(String log) {
        long lastOk = -1;
        boolean downSince = false;
        long longest = -1;
        for (String line : log.split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length != 2 || !f[1].matches("[0-9]+")) {
                continue;
            }
            long t = Long.parseLong(f[1]);
            if (f[0].equals("ok")) {
                if (downSince && lastOk >= 0) {
                    longest = Math.max(longest, t - lastOk);
                }
                lastOk = t;
                downSince = false;
            } else if (f[0].equals("down")) {
                downSince = true;
            }
        }
        return longest < 0 ? OptionalLong.empty() : OptionalLong.of(longest);
    }

    private static String resource() {
        try (InputStream in = ClientProbe.class.getResourceAsStream("/dev/twinshift/remote/probe.sh")) {
            if (in == null) {
                throw new IllegalStateException("missing resource probe.sh");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
