package dev.twinshift.postgres;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.util.Set;
import java.util.TreeSet;

/** TCP ports in use on a server, asked from the server itself ({@code ss -ltn}). */
public final class ListeningPorts {
    /** Clones get ports from here: away from 5432-5440, where clusters usually are. */
    public static final int FIRST = 54330;
    public static final int LAST = 54999;

    private ListeningPorts() {}

    /** Local ports of {@code ss -ltnH} lines ("LISTEN 0 244 127.0.0.1:5433 0.0.0.0:*", "[::1]:5433"). */
    public static Set<Integer> parseSs(String out) {
        Set<Integer> ports = new TreeSet<>();
        for (String line : out.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 4) {
                continue;
            }
            String local = f[0].equals("LISTEN") || f.length >= 5 ? f[3] : f[2];
            int colon = local.lastIndexOf(':');
            if (colon < 0) {
                continue;
            }
            try {
                ports.add(Integer.parseInt(local.substring(colon + 1)));
            } catch (NumberFormatException ignored) {
                // "*" and the like
            }
        }
        return ports;
    }

    public static Set<Integer> listening(RemoteShell shell) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("ss", "-ltnH"));
        if (r.ok()) {
            return parseSs(r.stdout());
        }
        CommandResult proc = shell.run(RemoteCommand.of("cat", "/proc/net/tcp", "/proc/net/tcp6")).requireSuccess();
        return parseProcNetTcp(proc.stdout());
    }

    /** Ports in state 0A (LISTEN) of /proc/net/tcp: "sl local_address rem_address st ...", hex. */
    public static Set<Integer> parseProcNetTcp(String out) {
        Set<Integer> ports = new TreeSet<>();
        for (String line : out.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 4 || !f[3].equals("0A")) {
                continue;
            }
            int colon = f[1].lastIndexOf(':');
            if (colon > 0) {
                ports.add(Integer.parseInt(f[1].substring(colon + 1), 16));
            }
        }
        return ports;
    }

    /** The first port in the clone range that nothing listens on and nothing has reserved. */
    public static int pickFree(Set<Integer> listening, Set<Integer> reserved) {
        for (int p = FIRST; p <= LAST; p++) {
            if (!listening.contains(p) && !reserved.contains(p)) {
                return p;
            }
        }
        throw new IllegalStateException("no free port between " + FIRST + " and " + LAST);
    }
}
