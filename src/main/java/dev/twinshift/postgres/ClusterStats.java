package dev.twinshift.postgres;

import dev.twinshift.ssh.SshException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a running cluster says about its own size and its replication slots, read in one query so
 * that an overview of many clusters costs one round trip per cluster.
 *
 * @param sizeBytes all databases together ({@code pg_database_size})
 * @param slots     every replication slot, with the WAL it keeps on disk
 */
public record ClusterStats(long sizeBytes, List<Slot> slots) {

    /**
     * A replication slot.
     *
     * @param retainedBytes WAL the slot keeps from being recycled, from its {@code restart_lsn} to the
     *                      current position; null when it has no restart position (or on a standby,
     *                      where there is no current write position to measure from)
     */
    public record Slot(String name, String type, boolean active, Long retainedBytes) {}

    // One row for the size, then one per slot; the tag column keeps them apart without a second query.
    static final String SQL = """
            SELECT 'size', (SELECT sum(pg_database_size(oid)) FROM pg_database)::bigint::text, NULL, NULL
            UNION ALL
            SELECT 'slot', slot_name, slot_type || ':' || active::text,
                   CASE WHEN pg_is_in_recovery() OR restart_lsn IS NULL THEN NULL
                        ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text END
              FROM pg_replication_slots""";

    /** Reads the cluster's size and slots; the cluster must be running. */
    public static ClusterStats read(Psql psql) throws SshException, InterruptedException {
        return parse(psql.rows("postgres", SQL));
    }

    /** psql's unaligned rows of {@link #SQL}. */
    static ClusterStats parse(List<List<String>> rows) {
        long size = 0;
        List<Slot> slots = new ArrayList<>();
        for (List<String> r : rows) {
            if (r.size() < 4) {
                continue;
            }
            if (r.get(0).equals("size")) {
                size = r.get(1).isEmpty() ? 0 : Long.parseLong(r.get(1));
            } else if (r.get(0).equals("slot")) {
                String[] typeActive = r.get(2).split(":", 2);
                boolean active = typeActive.length == 2 && typeActive[1].equals("true");
                Long retained = r.get(3).isEmpty() ? null : Long.parseLong(r.get(3));
                slots.add(new Slot(r.get(1), typeActive[0], active, retained));
            }
        }
        return new ClusterStats(size, List.copyOf(slots));
    }

    /** Slots nobody reads from: they keep WAL until they are used again or dropped. */
    public List<Slot> inactiveSlots() {
        return slots.stream().filter(s -> !s.active()).toList();
    }
}
