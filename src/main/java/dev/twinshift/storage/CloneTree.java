package dev.twinshift.storage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The family tree the catalog describes, rebuilt from the sidecars alone: each cluster's snapshots,
 * the clones made from each snapshot, those clones' snapshots, and so on.
 */
public final class CloneTree {
    private CloneTree() {}

    public enum Kind { CLUSTER, SNAPSHOT, CLONE }

    /** One node; {@code id} is the cluster id, the snapshot id or the clone name. */
    public record Node(Kind kind, String id, String label, List<Node> children) {
    }

    public static List<Node> build(List<SnapshotRecord> snapshots, List<CloneRecord> clones) {
        Map<String, List<SnapshotRecord>> byCluster = new LinkedHashMap<>();
        List<SnapshotRecord> sorted = new ArrayList<>(snapshots);
        sorted.sort(Comparator.comparing(SnapshotRecord::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())));
        for (SnapshotRecord s : sorted) {
            if (s.parent() == null) {
                byCluster.computeIfAbsent(s.cluster(), k -> new ArrayList<>()).add(s);
            }
        }
        List<Node> roots = new ArrayList<>();
        for (Map.Entry<String, List<SnapshotRecord>> e : byCluster.entrySet()) {
            List<Node> kids = new ArrayList<>();
            for (SnapshotRecord s : e.getValue()) {
                kids.add(snapshotNode(s, sorted, clones, 0));
            }
            roots.add(new Node(Kind.CLUSTER, e.getKey(), e.getKey(), kids));
        }
        // Snapshots of a clone that was destroyed since still show, under their cluster: they hold data,
        // and a tree that hid them would hide what retention and the disk still carry.
        for (SnapshotRecord s : sorted) {
            String p = s.parent();
            if (p != null && p.startsWith("clone:")
                    && clones.stream().noneMatch(c -> c.name().equals(p.substring("clone:".length())))) {
                Node root = roots.stream().filter(r -> r.id().equals(s.cluster())).findFirst().orElse(null);
                if (root == null) {
                    root = new Node(Kind.CLUSTER, s.cluster(), s.cluster(), new ArrayList<>());
                    roots.add(root);
                }
                root.children().add(snapshotNode(s, sorted, clones, 0));
            }
        }
        // Clones whose snapshot is gone still show, under their cluster, so nothing is hidden.
        for (CloneRecord c : clones) {
            boolean placed = sorted.stream().anyMatch(s -> s.id().equals(c.parent()));
            if (!placed) {
                Node orphan = cloneNode(c, sorted, clones, 0);
                Node root = roots.stream().filter(r -> r.id().equals(c.cluster())).findFirst().orElse(null);
                if (root == null) {
                    root = new Node(Kind.CLUSTER, c.cluster(), c.cluster(), new ArrayList<>());
                    roots.add(root);
                }
                root.children().add(orphan);
            }
        }
        return roots;
    }

    private static Node snapshotNode(SnapshotRecord s, List<SnapshotRecord> all, List<CloneRecord> clones, int depth) {
        List<Node> kids = new ArrayList<>();
        if (depth < 64) {
            for (CloneRecord c : clones) {
                if (s.id().equals(c.parent())) {
                    kids.add(cloneNode(c, all, clones, depth + 1));
                }
            }
        }
        String label = s.name() + " (" + s.reason() + (s.pinned() ? ", pinned" : "") + ")";
        return new Node(Kind.SNAPSHOT, s.id(), label, kids);
    }

    private static Node cloneNode(CloneRecord c, List<SnapshotRecord> all, List<CloneRecord> clones, int depth) {
        List<Node> kids = new ArrayList<>();
        if (depth < 64) {
            for (SnapshotRecord s : all) {
                if (("clone:" + c.name()).equals(s.parent())) {
                    kids.add(snapshotNode(s, all, clones, depth + 1));
                }
            }
        }
        return new Node(Kind.CLONE, c.name(), "clone " + c.name() + (c.port() == null ? "" : " (port " + c.port() + ")"),
                kids);
    }

    /** The tree as indented text. */
    public static String render(List<Node> roots) {
        StringBuilder b = new StringBuilder();
        for (Node r : roots) {
            render(r, "", b);
        }
        return b.toString();
    }

    private static void render(Node n, String indent, StringBuilder b) {
        b.append(indent).append(n.label()).append('\n');
        for (Node c : n.children()) {
            render(c, indent + "  ", b);
        }
    }
}
