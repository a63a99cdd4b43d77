package dev.twinshift.postgres;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds running postmasters in {@code ps -eo pid=,ppid=,user=,args=}: processes whose program is
 * {@code postgres} or {@code postmaster} (children rename themselves "postgres: ..."), whose parent is
 * not itself a postmaster.
 */
public final class PsPostmasters {
    private PsPostmasters() {}

    public record Postmaster(long pid, String user, String program, String dataDirectoryArg) {
    }

    public static List<Postmaster> parse(String ps) {
        List<long[]> pids = new ArrayList<>();
        List<Postmaster> found = new ArrayList<>();
        for (String raw : ps.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+", 4);
            if (f.length < 4) {
                continue;
            }
            long pid;
            long ppid;
            try {
                pid = Long.parseLong(f[0]);
                ppid = Long.parseLong(f[1]);
            } catch (NumberFormatException e) {
                continue;
            }
            String[] args = f[3].split("\\s+");
            String program = args[0];
            String base = program.substring(program.lastIndexOf('/') + 1);
            if (!base.equals("postgres") && !base.equals("postmaster")) {
                continue;
            }
            String dataDir = null;
            for (int i = 1; i < args.length; i++) {
                if (args[i].equals("-D") && i + 1 < args.length) {
                    dataDir = args[i + 1];
                } else if (args[i].startsWith("-D") && args[i].length() > 2) {
                    dataDir = args[i].substring(2);
                }
            }
            pids.add(new long[] {pid, ppid});
            found.add(new Postmaster(pid, f[2], program, dataDir));
        }
        Set<Long> all = new HashSet<>();
        for (long[] p : pids) {
            all.add(p[0]);
        }
        List<Postmaster> out = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            if (!all.contains(pids.get(i)[1])) {
                out.add(found.get(i));
            }
        }
        return out;
    }
}
