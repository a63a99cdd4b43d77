package dev.twinshift.ui.timeline;

import dev.twinshift.bisect.BisectCheck;
import dev.twinshift.bisect.BisectMode;
import dev.twinshift.bisect.BisectService;
import dev.twinshift.storage.SnapshotRecord;
import java.util.Arrays;
import java.util.List;

/**
 * What the Bisect dialog asks, turned into the same {@link BisectService.Request} the CLI builds:
 * the checks validate themselves ({@link BisectCheck}), the request its parallelism, and the range is
 * chosen by {@link BisectService#range(List, String, String, String)}, so the console and
 * {@code twinshift bisect} refuse the same input with the same words.
 *
 * @param from    the oldest snapshot of the range (id), null for the oldest
 * @param to      the newest snapshot of the range (id), null for the newest
 * @param command the command's arguments, one per line (never split by a shell)
 */
public record BisectForm(Check check, String sql, String database, String version, String command, String from,
                         String to, boolean scanAll, int parallel) {

    public enum Check {
        SQL("SQL must return true"), UPGRADE_CHECK("pg_upgrade --check to a version"), COMMAND("A command on the server");

        private final String label;

        Check(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** The command's arguments: one per line, blank lines left out; no shell splits or expands them. */
    public static List<String> argv(String text) {
        if (text == null) {
            return List.of();
        }
        return Arrays.stream(text.split("\\R")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public BisectCheck toCheck() {
        if (check == null) {
            throw new IllegalArgumentException("say what to check: SQL, pg_upgrade --check or a command");
        }
        return switch (check) {
            case SQL -> new BisectCheck.SqlTrue(database, sql);
            case UPGRADE_CHECK -> new BisectCheck.UpgradeCheck(version == null ? null : version.strip());
            case COMMAND -> new BisectCheck.Command(argv(command));
        };
    }

    /**
     * The request for {@code cluster} over {@code snapshots} (what the timeline shows); throws
     * IllegalArgumentException saying what is wrong when the input is refused.
     */
    public BisectService.Request toRequest(String cluster, List<SnapshotRecord> snapshots) {
        BisectCheck c = toCheck();
        List<SnapshotRecord> range = BisectService.range(snapshots, cluster, from, to);
        if (range.size() < 2) {
            throw new IllegalArgumentException("the range holds " + range.size() + " snapshot" + (range.size() == 1 ? "" : "s")
                    + ": a bisect needs at least 2 (choose an older From or a newer To)");
        }
        return new BisectService.Request(cluster, from, to, c, scanAll ? BisectMode.SCAN_ALL : BisectMode.BINARY, parallel,
                false, true);
    }
}
