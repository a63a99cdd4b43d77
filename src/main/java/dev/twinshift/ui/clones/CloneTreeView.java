package dev.twinshift.ui.clones;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.Tables;
import dev.twinshift.ui.clones.CloneFamily.Kind;
import dev.twinshift.ui.clones.CloneFamily.Row;
import dev.twinshift.ui.clones.ClusterViewModel.CloneItem;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.OverrunStyle;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableCell;
import javafx.scene.control.TreeTableView;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The clone tree's cells and wording: what each column says of a cluster, a snapshot or a clone, and
 * how the tree is rebuilt from a re-read without losing the administrator's place.
 */
final class CloneTreeView {
    private CloneTreeView() {}

    /**
     * Shows the model's family in the tree. At each re-read the rows are new objects: the selected
     * row is found again by its key, and a branch the administrator folded stays folded.
     */
    static void bind(TreeTableView<Row> tree, ClusterViewModel model) {
        java.util.Set<String> folded = new java.util.HashSet<>();
        model.familyProperty().addListener((o, before, family) -> {
            TreeItem<Row> sel = tree.getSelectionModel().getSelectedItem();
            String key = sel == null || sel.getValue() == null ? null : sel.getValue().key();
            if (tree.getRoot() != null) {
                remember(tree.getRoot(), folded);
            }
            tree.setRoot(family == null ? null : item(family, folded));
            if (key != null && tree.getRoot() != null) {
                TreeItem<Row> again = find(tree.getRoot(), key);
                if (again != null) {
                    tree.getSelectionModel().select(again);
                }
            }
        });
    }

    private static void remember(TreeItem<Row> t, java.util.Set<String> folded) {
        if (t.getValue() != null && !t.isLeaf()) {
            if (t.isExpanded()) {
                folded.remove(t.getValue().key());
            } else {
                folded.add(t.getValue().key());
            }
        }
        t.getChildren().forEach(c -> remember(c, folded));
    }

    private static TreeItem<Row> item(Row r, java.util.Set<String> folded) {
        TreeItem<Row> t = new TreeItem<>(r);
        r.children().forEach(c -> t.getChildren().add(item(c, folded)));
        t.setExpanded(!folded.contains(r.key()));
        return t;
    }

    private static TreeItem<Row> find(TreeItem<Row> t, String key) {
        if (t.getValue() != null && key.equals(t.getValue().key())) {
            return t;
        }
        for (TreeItem<Row> c : t.getChildren()) {
            TreeItem<Row> f = find(c, key);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    static String state(Row r, PgCluster cluster) {
        return switch (r.kind()) {
            case CLUSTER -> cluster == null ? "" : cluster.running() ? "running" : "stopped";
            // The camera says it is a snapshot; the column says only what differs between snapshots.
            case SNAPSHOT -> r.snapshot() == null ? "gone" : r.snapshot().pinned() ? "pinned" : "";
            case CLONE -> r.item() == null ? "unknown" : r.item().running() ? "running"
                    : r.item().stoppedBecause() != null ? r.item().stoppedBecause() : "stopped";
        };
    }

    static String port(Row r, PgCluster cluster) {
        if (r.kind() == Kind.CLUSTER) {
            return cluster == null || cluster.port() <= 0 ? "" : String.valueOf(cluster.port());
        }
        return r.isClone() && r.item() != null && r.item().record().port() != null ? String.valueOf(r.item().record().port()) : "";
    }

    static String version(Row r, PgCluster cluster) {
        return switch (r.kind()) {
            case CLUSTER -> cluster == null ? "" : cluster.version();
            case SNAPSHOT -> r.snapshot() == null || r.snapshot().pgVersion() == null ? "" : r.snapshot().pgVersion();
            case CLONE -> r.item() == null || r.item().record().pgVersion() == null ? "" : r.item().record().pgVersion();
        };
    }

    static Instant createdAt(Row r) {
        if (r.snapshot() != null) {
            return r.snapshot().createdAt();
        }
        return r.isClone() && r.item() != null ? r.item().record().createdAt() : null;
    }

    static String age(Row r, Instant now) {
        Instant t = createdAt(r);
        return t == null ? "" : ClusterFormat.age(Duration.between(t, now));
    }

    static String created(Row r, ZoneId zone) {
        Instant t = createdAt(r);
        return t == null ? null : (r.isClone() ? "Made " : "Taken ") + ClusterFormat.time(t, zone);
    }

    static String space(Row r) {
        return r.isClone() && r.item() != null && r.item().ownBytes() != null ? ClusterFormat.bytes(r.item().ownBytes()) : "";
    }

    static String use(Row r) {
        return r.isClone() && r.item() != null && r.item().use() != null ? r.item().use().text() : "";
    }

    static String useReason(Row r) {
        return r.isClone() && r.item() != null && r.item().use() != null ? r.item().use().reason() : null;
    }

    /** The whole story of a row for its name's tooltip: where a clone comes from, what a snapshot is. */
    static String nameTip(Row r, ZoneId zone) {
        return switch (r.kind()) {
            case CLUSTER -> "The live cluster " + r.name();
            case SNAPSHOT -> {
                SnapshotRecord s = r.snapshot();
                yield s == null ? r.name() : s.id() + "\n" + ClusterFormat.reason(s, zone) + ", taken "
                        + ClusterFormat.time(s.createdAt(), zone) + (s.walLsn() == null ? "" : ", WAL " + s.walLsn());
            }
            case CLONE -> {
                CloneItem c = r.item();
                yield c == null ? r.name() : "Clone " + c.name() + " of snapshot " + c.record().parent()
                        + (c.record().dataDirectory() == null ? "" : "\nData: " + c.record().dataDirectory())
                        + (c.protectedClone() ? "\nProtected: the idle-clone policy leaves it alone" : "");
            }
        };
    }

    /** The name with an icon of what the row is; a clone's icon says whether it runs. */
    static final class NameCell extends TreeTableCell<Row, String> {
        private final Tooltip tip = Tables.tooltip();
        private final Supplier<ZoneId> zone;

        NameCell(Supplier<ZoneId> zone) {
            this.zone = zone;
            setTextOverrun(OverrunStyle.CENTER_ELLIPSIS);
        }

        @Override
        protected void updateItem(String item, boolean empty) {
            super.updateItem(item, empty);
            Row r = empty || getTableRow() == null ? null : getTableRow().getItem();
            if (r == null) {
                setText(null);
                setGraphic(null);
                setTooltip(null);
                return;
            }
            setText(r.name());
            FontIcon icon = new FontIcon(switch (r.kind()) {
                case CLUSTER -> Feather.DATABASE;
                case SNAPSHOT -> Feather.CAMERA;
                case CLONE -> r.item() != null && r.item().protectedClone() ? Feather.SHIELD : Feather.COPY;
            });
            icon.getStyleClass().add(ClonesStyles.TREE_ICON);
            if (r.isClone() && r.item() != null) {
                icon.getStyleClass().add(r.item().running() ? Styles.STATUS_OK : Styles.STATUS_IDLE);
            }
            setGraphic(icon);
            tip.setText(nameTip(r, zone.get()));
            setTooltip(tip);
        }
    }

    /** A clone's connection with a button that copies it in one click. */
    static final class ConnectionCell extends TreeTableCell<Row, String> {
        private final Button copy = new Button();
        private final Tooltip tip = Tables.tooltip();
        private final Function<CloneItem, String> connection;
        private final Predicate<CloneItem> tunnelled;

        /** {@code tunnelled}: the connection shown is a tunnel's URL, usable from this workstation. */
        ConnectionCell(Function<CloneItem, String> connection, Predicate<CloneItem> tunnelled, BiConsumer<String, String> copied) {
            this.connection = connection;
            this.tunnelled = tunnelled;
            copy.setGraphic(new FontIcon(Feather.CLIPBOARD));
            copy.getStyleClass().addAll(atlantafx.base.theme.Styles.FLAT, ClonesStyles.COPY_IN_ROW);
            copy.setTooltip(new Tooltip("Copy this connection"));
            copy.setFocusTraversable(false);
            copy.setOnAction(e -> {
                Row r = getTableRow() == null ? null : getTableRow().getItem();
                if (r != null && r.item() != null) {
                    copied.accept("connection", connection.apply(r.item()));
                }
            });
            setContentDisplay(ContentDisplay.LEFT);
            setGraphicTextGap(4);
            setAlignment(Pos.CENTER_LEFT);
            setTextOverrun(OverrunStyle.ELLIPSIS);
        }

        @Override
        protected void updateItem(String item, boolean empty) {
            super.updateItem(item, empty);
            Row r = empty || getTableRow() == null ? null : getTableRow().getItem();
            String text = r == null || !r.isClone() || r.item() == null ? "" : connection.apply(r.item());
            if (text.isEmpty()) {
                setText(null);
                setGraphic(null);
                setTooltip(null);
                getStyleClass().remove(ClonesStyles.TUNNEL_OPEN);
                return;
            }
            setText(text);
            setGraphic(copy);
            tip.setText(text);
            setTooltip(tip);
            boolean tunnel = tunnelled.test(r.item());
            if (tunnel && !getStyleClass().contains(ClonesStyles.TUNNEL_OPEN)) {
                getStyleClass().add(ClonesStyles.TUNNEL_OPEN);
            } else if (!tunnel) {
                getStyleClass().remove(ClonesStyles.TUNNEL_OPEN);
            }
        }
    }
}
