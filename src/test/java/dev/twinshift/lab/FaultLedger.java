package dev.twinshift.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * What the fault suite tried and how the live cluster came out of it, one line per fault in
 * {@code target/fault-suite.tsv}; {@code src/test/bench/fault-table.sh} prints the README's table from it.
 * The tests assert the same invariant themselves: this is the record, not the verdict.
 */
public final class FaultLedger {
    static final Path FILE = Path.of("target", "fault-suite.tsv");

    private FaultLedger() {}

    /** Rows in {@code expected} (per-table "name=count:md5" as {@link ScratchCluster#checksums}) missing from {@code actual}. */
    public static long rowsLost(List<String> expected, List<String> actual) {
        long lost = 0;
        for (String e : expected) {
            String table = e.substring(0, e.indexOf('='));
            long want = count(e);
            long have = actual.stream().filter(a -> a.startsWith(table + "=")).mapToLong(FaultLedger::count).findFirst()
                    .orElse(0);
            lost += Math.max(0, want - have);
        }
        return lost;
    }

    private static long count(String checksum) {
        String v = checksum.substring(checksum.indexOf('=') + 1);
        return Long.parseLong(v.substring(0, v.indexOf(':')));
    }

    /** Records one fault: what was done, whether live ended running as expected, rows lost. */
    public static synchronized void record(String family, String fault, boolean survived, long rowsLost) {
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, family + "\t" + fault + "\t" + (survived ? "yes" : "no") + "\t" + rowsLost + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
