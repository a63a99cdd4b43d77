package dev.twinshift.postgres;

import java.util.ArrayList;
import java.util.List;

/**
 * What a fixed script prints about a data directory, one {@code key<TAB>value} line each: where
 * pg_wal resolves to, every pg_tblspc link, PG_VERSION and the size of PGDATA.
 */
public record ClusterDetails(String walDirectory, List<PgCluster.Tablespace> tablespaces, String pgVersion, long sizeBytes,
                             boolean missing) {

    public ClusterDetails(String walDirectory, List<PgCluster.Tablespace> tablespaces, String pgVersion, long sizeBytes) {
        this(walDirectory, tablespaces, pgVersion, sizeBytes, false);
    }

    /**
     * Positional argument 1: the data directory; 2: "no-size" to skip measuring it (size then -1).
     * Run as root (PGDATA is mode 0700).
     */
    public static final String SCRIPT = """
            d=$1
            [ -d "$d" ] || { printf 'missing\t%s\n' "$d"; exit 0; }
            printf 'wal\\t%s\\n' "$(readlink -f -- "$d/pg_wal")"
            for l in "$d"/pg_tblspc/*; do
              [ -L "$l" ] && printf 'tablespace\\t%s\\t%s\\n' "${l##*/}" "$(readlink -f -- "$l")"
            done
            [ -r "$d/PG_VERSION" ] && printf 'pg_version\\t%s\\n' "$(cat -- "$d/PG_VERSION")"
            [ "${2:-}" = no-size ] || printf 'size\\t%s\\n' "$(du -sb -- "$d" 2>/dev/null | cut -f1)"
            exit 0
            """;

    public static ClusterDetails parse(String out) {
        String wal = null;
        String version = null;
        long size = -1;
        boolean missing = false;
        List<PgCluster.Tablespace> tbs = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\t", -1);
            switch (f[0]) {
                case "wal" -> wal = f.length > 1 && !f[1].isBlank() ? f[1] : null;
                case "tablespace" -> {
                    if (f.length > 2) {
                        tbs.add(new PgCluster.Tablespace(f[1], f[2]));
                    }
                }
                case "missing" -> missing = true;
                case "pg_version" -> version = f.length > 1 ? f[1].strip() : null;
                case "size" -> {
                    try {
                        size = f.length > 1 && !f[1].isBlank() ? Long.parseLong(f[1].strip()) : -1;
                    } catch (NumberFormatException e) {
                        size = -1;
                    }
                }
                default -> { }
            }
        }
        return new ClusterDetails(wal, tbs, version, size, missing);
    }
}
