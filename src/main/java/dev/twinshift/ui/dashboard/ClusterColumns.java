package dev.twinshift.ui.dashboard;

import dev.twinshift.ssh.FailureCause;
import dev.twinshift.storage.LockOwner;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.util.Duration;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * How the cluster table shows a row: each cell short enough for a 1280-pixel window, with the full
 * value in its tooltip; a row that needs attention styled as such; a menu to copy what an
 * administrator pastes into a terminal.
 */
public final class ClusterColumns {
    public static final String COPY_ID = "Copy cluster id";
    public static final String COPY_DATA = "Copy data directory";
    public static final String COPY_PORT = "Copy port";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private ClusterColumns() {}

    /** A cell's text and the tooltip that says it in full (null for none). */
    record Shown(String text, String tooltip) {
        static Shown same(String s) {
            return new Shown(s, s == null || s.isEmpty() ? null : s);
        }
    }

    @SafeVarargs
    static void install(TableView<ClusterRow> table, TableColumn<ClusterRow, String>... c) {
        table.getStylesheets().add(ClusterColumns.class.getResource(DashboardStyles.STYLESHEET).toExternalForm());
        column(c[0], r -> new Shown(r.id(), r.id() + "\nData directory: " + r.dataDirectory() + "\npg_wal: " + r.walLocation()));
        column(c[1], r -> Shown.same(String.valueOf(r.port())));
        column(c[2], r -> new Shown(r.status(), r.storageNote() == null || r.storageNote().isEmpty() ? r.status()
                : r.status() + ": " + r.storageNote()));
        column(c[3], r -> r.health().sizeBytes() == null ? new Shown("", null)
                : Shown.same(FailureCause.human(r.health().sizeBytes())));
        column(c[4], ClusterColumns::storage);
        column(c[5], ClusterColumns::free);
        column(c[6], ClusterColumns::snapshots);
        column(c[7], ClusterColumns::lock);
        warnings(c[8]);
        table.setRowFactory(t -> new WarningRow());
        c[4].getProperties().put(FIT_CAP, 104.0);
        c[6].getProperties().put(FIT_CAP, 170.0);
        c[7].getProperties().put(FIT_CAP, 90.0);
        List<TableColumn<ClusterRow, String>> fitted = List.of(c).subList(0, c.length - 1);
        TableColumn<ClusterRow, String> warnings = c[c.length - 1];
        Runnable refit = () -> {
            fit(table, fitted);
            fitWarnings(table, warnings);
        };
        table.getItems().addListener((javafx.collections.ListChangeListener<ClusterRow>) ch -> refit.run());
        refit.run();
    }

    /**
     * The warnings column is never narrower than its longest headline (bold, with its icon): it is
     * what the row is styled for, and "No sche..." says nothing. The columns before it give way first.
     */
    static void fitWarnings(TableView<ClusterRow> table, TableColumn<ClusterRow, String> warnings) {
        javafx.scene.text.Font font = javafx.scene.text.Font.getDefault();
        javafx.scene.text.Text probe = new javafx.scene.text.Text();
        probe.setFont(javafx.scene.text.Font.font(font.getFamily(), javafx.scene.text.FontWeight.BOLD, font.getSize()));
        double w = 0;
        for (ClusterRow r : table.getItems()) {
            probe.setText(summary(r.warnings()));
            w = Math.max(w, probe.getLayoutBounds().getWidth());
        }
        double least = Math.min(MAX_WARNINGS, Math.ceil(w + ICON_AND_GAP + CELL_PADDING));
        warnings.setMinWidth(Math.max(120, least));
    }

    private static final double ICON_AND_GAP = 22;
    private static final double MAX_WARNINGS = 200;

    /**
     * Short columns as wide as their widest value (up to a cap), so what fits is never cut; the
     * warnings take what is left, and their tooltip holds the rest.
     */
    static void fit(TableView<ClusterRow> table, List<TableColumn<ClusterRow, String>> columns) {
        javafx.scene.text.Text probe = new javafx.scene.text.Text();
        javafx.scene.text.Font font = javafx.scene.text.Font.getDefault();
        probe.setFont(font);
        javafx.scene.text.Text header = new javafx.scene.text.Text();
        // Column headers are bold in the theme: measured as such, they are never cut to "Sched...".
        header.setFont(javafx.scene.text.Font.font(font.getFamily(), javafx.scene.text.FontWeight.BOLD, font.getSize()));
        for (TableColumn<ClusterRow, String> col : columns) {
            header.setText(col.getText());
            double w = header.getLayoutBounds().getWidth() + HEADER_PADDING;
            for (ClusterRow r : table.getItems()) {
                String v = col.getCellObservableValue(r) == null ? null : col.getCellObservableValue(r).getValue();
                if (v != null) {
                    probe.setText(v);
                    w = Math.max(w, probe.getLayoutBounds().getWidth() + CELL_PADDING);
                }
            }
            Object cap = col.getProperties().get(FIT_CAP);
            col.setPrefWidth(Math.ceil(Math.min(w, cap instanceof Double d ? d : MAX_FITTED)));
        }
    }

    private static final double CELL_PADDING = 22;
    private static final double HEADER_PADDING = 26;
    private static final double MAX_FITTED = 150;
    /** A column's own cap when its values run long and its tooltip says them whole. */
    private static final String FIT_CAP = "twinshift.fit-cap";

    static Shown storage(ClusterRow r) {
        String m = r.storageMethod() == null ? "" : r.storageMethod();
        int colon = m.indexOf(':');
        String shortText = colon < 0 ? m : m.substring(0, colon);
        for (dev.twinshift.storage.StorageMethod sm : dev.twinshift.storage.StorageMethod.values()) {
            if (m.startsWith(sm.label())) {
                shortText = sm.shortLabel();
            }
        }
        return new Shown(shortText, m + (r.filesystem() == null ? "" : "\nFilesystem: " + r.filesystem()));
    }

    static Shown free(ClusterRow r) {
        ClusterHealth h = r.health();
        if (h.freeBytes() == null) {
            return new Shown("", null);
        }
        String text = FailureCause.human(h.freeBytes())
                + (h.filesystemBytes() == null ? "" : " (" + ClusterWarnings.percent(h.freeBytes(), h.filesystemBytes()) + ")");
        String tip = text + " free" + (h.filesystemBytes() == null ? "" : " of " + FailureCause.human(h.filesystemBytes()))
                + (r.filesystem() == null ? "" : " on " + r.filesystem())
                + (h.floorBytes() == null ? "" : "\nFloor: " + FailureCause.human(h.floorBytes())
                + " (clones are refused and stopped below it)");
        return new Shown(text, tip);
    }

    /**
     * The schedule and the newest snapshot's age in one cell ("enabled, 3 h ago", "none"): one column
     * less leaves the warnings room at 1280 pixels; the tooltip says both in full.
     */
    static Shown snapshots(ClusterRow r) {
        ClusterHealth.ScheduleState schedule = r.health().schedule();
        Shown newest = newest(r);
        String sched = schedule == ClusterHealth.ScheduleState.UNKNOWN ? "" : schedule.label();
        String age = newest.text() == null || newest.text().isEmpty() || "none".equals(newest.text()) ? "" : newest.text();
        String text = sched.isEmpty() ? age : age.isEmpty() ? sched : sched + ", " + age;
        String tip = (sched.isEmpty() ? "" : "Schedule: " + sched) + (newest.tooltip() == null ? ""
                : (sched.isEmpty() ? "" : "\n") + ("none".equals(newest.text()) ? "No snapshot yet" : newest.tooltip()));
        return new Shown(text, tip.isEmpty() ? null : tip);
    }

    static Shown newest(ClusterRow r) {
        Instant at = r.health().newestSnapshot();
        if (at == null) {
            return r.health() == ClusterHealth.UNKNOWN ? new Shown("", null) : Shown.same("none");
        }
        return new Shown(ClusterWarnings.ago(at, Instant.now()), "Newest snapshot taken " + WHEN.format(at));
    }

    static Shown lock(ClusterRow r) {
        LockOwner o = r.health().lock();
        if (o == null) {
            return new Shown("", null);
        }
        String who = o.who() == null ? "unknown" : o.who().display();
        // The account alone in the cell; who sits behind it, since when and for what, in the tooltip.
        String account = o.who() == null || o.who().sshUser() == null ? who : o.who().sshUser();
        String since = o.since() == null ? "" : " since " + WHEN.format(o.since());
        return new Shown(account + (o.since() == null ? "" : ", " + ClusterWarnings.ago(o.since(), Instant.now())),
                "Held by " + who + since + " for " + o.operation());
    }

    private static void column(TableColumn<ClusterRow, String> c, Function<ClusterRow, Shown> f) {
        c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(f.apply(cd.getValue()).text()));
        c.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                ClusterRow row = empty || getTableRow() == null ? null : getTableRow().getItem();
                if (row == null) {
                    setText(null);
                    setTooltip(null);
                    return;
                }
                Shown s = f.apply(row);
                setText(s.text());
                setTooltip(s.tooltip() == null ? null : tip(s.tooltip()));
            }
        });
    }

    private static void warnings(TableColumn<ClusterRow, String> c) {
        c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(summary(cd.getValue().warnings())));
        c.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                getStyleClass().remove(DashboardStyles.WARNING_CELL);
                ClusterRow row = empty || getTableRow() == null ? null : getTableRow().getItem();
                if (row == null || row.warnings().isEmpty()) {
                    setText(null);
                    setGraphic(null);
                    setTooltip(null);
                    return;
                }
                getStyleClass().add(DashboardStyles.WARNING_CELL);
                setText(summary(row.warnings()));
                setGraphic(new FontIcon(Feather.ALERT_TRIANGLE));
                setTooltip(tip(String.join("\n", row.warnings().stream().map(ClusterWarnings.Warning::text).toList())));
            }
        });
    }

    /**
     * The first warning's headline (what, in two or three words; the why is in the tooltip), and how
     * many more the tooltip holds; a narrow column at 1280 pixels then shows it whole.
     */
    static String summary(List<ClusterWarnings.Warning> w) {
        if (w.isEmpty()) {
            return "";
        }
        return w.get(0).headline() + (w.size() > 1 ? " +" + (w.size() - 1) : "");
    }

    private static Tooltip tip(String text) {
        Tooltip t = new Tooltip(text);
        t.setShowDelay(Duration.millis(300));
        t.setShowDuration(Duration.seconds(30));
        t.setWrapText(true);
        t.setMaxWidth(520);
        return t;
    }

    /** The values an administrator pastes elsewhere, as they are, without the table's abbreviations. */
    static List<String[]> copyable(ClusterRow r) {
        List<String[]> out = new ArrayList<>();
        out.add(new String[] {COPY_ID, r.id()});
        if (r.dataDirectory() != null) {
            out.add(new String[] {COPY_DATA, r.dataDirectory()});
        }
        out.add(new String[] {COPY_PORT, String.valueOf(r.port())});
        return out;
    }

    private static final class WarningRow extends TableRow<ClusterRow> {
        @Override
        protected void updateItem(ClusterRow item, boolean empty) {
            super.updateItem(item, empty);
            getStyleClass().remove(DashboardStyles.ROW_WARNING);
            if (empty || item == null) {
                setContextMenu(null);
                return;
            }
            if (!item.warnings().isEmpty()) {
                getStyleClass().add(DashboardStyles.ROW_WARNING);
            }
            ContextMenu menu = new ContextMenu();
            menu.setId("cluster-row-menu");
            for (String[] c : copyable(item)) {
                MenuItem m = new MenuItem(c[0], new FontIcon(Feather.COPY));
                m.setOnAction(e -> {
                    ClipboardContent content = new ClipboardContent();
                    content.putString(c[1]);
                    Clipboard.getSystemClipboard().setContent(content);
                });
                menu.getItems().add(m);
            }
            setContextMenu(menu);
        }
    }
}
