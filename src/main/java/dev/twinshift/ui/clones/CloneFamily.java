package dev.twinshift.ui.clones;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneTree;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.clones.ClusterViewModel.CloneItem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster's family as the clone tree shows it: the cluster, the snapshots clones were made from,
 * those clones, the clones' own snapshots and their clones, and so on. The lineage is the catalog's
 * ({@link CloneTree}, which the command line prints too); this only keeps what the tree is for: a
 * snapshot of the cluster itself appears when something was made from it (the list of snapshots
 * above shows them all), while a clone's snapshots always appear under their clone.
 */
public final class CloneFamily {
    private CloneFamily() {}

    public enum Kind { CLUSTER, SNAPSHOT, CLONE }

    /**
     * One line of the tree. {@code key} is unique in the tree and stable across re-reads (the
     * selection is found again by it); {@code snapshot} is set on snapshot rows, {@code item} on clone
     * rows.
     */
    public record Row(Kind kind, String key, String name, SnapshotRecord snapshot, CloneItem item, List<Row> children) {
        public boolean isClone() {
            return kind == Kind.CLONE;
        }

        /** Every row of this subtree, this one first, depth first. */
        public List<Row> flatten() {
            List<Row> out = new ArrayList<>();
            flatten(this, out);
            return out;
        }

        private static void flatten(Row r, List<Row> out) {
            out.add(r);
            r.children().forEach(c -> flatten(c, out));
        }
    }

    /**
     * The tree of {@code cluster}: {@code snapshots} may hold the whole catalog's (other clusters' are
     * left out), {@code clones} the clones of this cluster as listed.
     */
    public static Row build(PgCluster cluster, List<SnapshotRecord> snapshots, List<CloneItem> clones) {
        String id = cluster.id();
        List<SnapshotRecord> own = snapshots.stream().filter(s -> id.equals(s.cluster())).toList();
        Map<String, SnapshotRecord> snapById = new HashMap<>();
        own.forEach(s -> snapById.put(s.id(), s));
        Map<String, CloneItem> cloneByName = new HashMap<>();
        List<CloneRecord> records = new ArrayList<>();
        for (CloneItem c : clones) {
            if (id.equals(c.record().cluster())) {
                cloneByName.put(c.name(), c);
                records.add(c.record());
            }
        }
        List<Row> top = new ArrayList<>();
        for (CloneTree.Node root : CloneTree.build(own, records)) {
            if (!root.id().equals(id)) {
                continue;
            }
            for (CloneTree.Node n : root.children()) {
                // The cluster's own snapshots are all in the table above: here only those with a clone.
                // A snapshot left by a destroyed clone is in no table: it stays.
                SnapshotRecord s = n.kind() == CloneTree.Kind.SNAPSHOT ? snapById.get(n.id()) : null;
                if (s != null && s.parent() == null && n.children().isEmpty()) {
                    continue;
                }
                top.add(row(n, snapById, cloneByName));
            }
        }
        return new Row(Kind.CLUSTER, "cluster:" + id, id, null, null, top);
    }

    private static Row row(CloneTree.Node n, Map<String, SnapshotRecord> snaps, Map<String, CloneItem> clones) {
        List<Row> kids = new ArrayList<>();
        for (CloneTree.Node c : n.children()) {
            kids.add(row(c, snaps, clones));
        }
        return switch (n.kind()) {
            case SNAPSHOT -> {
                SnapshotRecord s = snaps.get(n.id());
                yield new Row(Kind.SNAPSHOT, "snapshot:" + n.id(), s == null ? n.id() : s.name(), s, null, kids);
            }
            case CLONE -> new Row(Kind.CLONE, "clone:" + n.id(), n.id(), null, clones.get(n.id()), kids);
            case CLUSTER -> new Row(Kind.CLUSTER, "cluster:" + n.id(), n.id(), null, null, kids);
        };
    }
}
