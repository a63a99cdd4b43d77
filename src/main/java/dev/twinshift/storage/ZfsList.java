package dev.twinshift.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Output of {@code zfs list -H -o name,mountpoint -t filesystem}: tab-separated. */
public final class ZfsList {
    private ZfsList() {}

    public record Dataset(String name, String mountpoint) {
    }

    public static List<Dataset> parse(String out) {
        List<Dataset> ds = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length >= 2) {
                ds.add(new Dataset(f[0].strip(), f[1].strip()));
            }
        }
        return ds;
    }

    /** The dataset mounted exactly at {@code path}. */
    public static Optional<Dataset> mountedAt(List<Dataset> ds, String path) {
        String p = strip(path);
        return ds.stream().filter(d -> strip(d.mountpoint()).equals(p)).findFirst();
    }

    /** The dataset whose mountpoint holds {@code path} (longest match). */
    public static Optional<Dataset> holding(List<Dataset> ds, String path) {
        String p = strip(path);
        Dataset best = null;
        for (Dataset d : ds) {
            String m = strip(d.mountpoint());
            if (!m.startsWith("/")) {
                continue;
            }
            if (p.equals(m) || p.startsWith(m.equals("/") ? "/" : m + "/")) {
                if (best == null || m.length() > strip(best.mountpoint()).length()) {
                    best = d;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    private static String strip(String s) {
        String r = s;
        while (r.length() > 1 && r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }
}
