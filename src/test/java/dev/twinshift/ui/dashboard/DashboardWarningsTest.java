package dev.twinshift.ui.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.postgres.ClusterStats;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.HostKeyPrompt;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.PasswordPrompt;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.RunningCommand;
import dev.twinshift.ssh.SshTarget;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.LockOwner;
import dev.twinshift.ui.connections.Connector;
import dev.twinshift.ui.connections.ServerConnections;
import dev.twinshift.ui.dashboard.ClusterHealth.ScheduleState;
import dev.twinshift.ui.tasks.CurrentThreadTaskExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.IndexedCell;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.input.Clipboard;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The cluster table as an administrator reads it at 1280×800: what needs attention stands out, nothing is cut without its full value at hand. */
@ExtendWith(ApplicationExtension.class)
class DashboardWarningsTest {
    static final long GIB = 1L << 30;
    static final String LONG_DATA = "/srv/postgresql/data/clusters/very-long-directory-name-for-reporting/15/reports";

    @Start
    void start(Stage stage) {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        Instant now = Instant.now();
        ClusterHealth fine = new ClusterHealth(2 * GIB, 60 * GIB, 100 * GIB, 5 * GIB, ScheduleState.ENABLED, null, null,
                null, now.minusSeconds(1200), List.of(), List.of(), List.of());
        ClusterHealth unscheduled = new ClusterHealth(GIB, 60 * GIB, 100 * GIB, 5 * GIB, ScheduleState.NONE, null, null,
                new LockOwner("t", new Actor("dba", "alice", "ws1"), "snapshot 15/reports", now.minusSeconds(300)),
                null, List.of(), List.of(), List.of());
        ClusterHealth full = new ClusterHealth(GIB, 4 * GIB, 100 * GIB, 5 * GIB, ScheduleState.ENABLED, null, null, null,
                now.minusSeconds(3600), List.of(), List.of(), List.of());
        ClusterHealth slot = new ClusterHealth(GIB, 60 * GIB, 100 * GIB, 5 * GIB, ScheduleState.ENABLED, null, null, null,
                now.minusSeconds(3600), List.of(new ClusterStats.Slot("old_sub", "logical", false, 3 * GIB)), List.of(), List.of());
        List<ClusterRow> rows = List.of(
                row("13", "main", 5432, "/srv/data/13/main", fine, now),
                row("15", "reports", 5433, LONG_DATA, unscheduled, now),
                row("16", "full", 5434, "/srv/data/16/full", full, now),
                row("16", "slots", 5435, "/srv/data/16/slots", slot, now));

        Connector connector = new Connector() {
            @Override
            public RemoteShell open(SshTarget target, HostKeyPrompt hostKeys, PasswordPrompt passwords) {
                return new dev.twinshift.ui.shell.FakeServers.Shell(target.alias());
            }

            @Override
            public boolean isOpen(String alias) {
                return true;
            }

            @Override
            public void close(String alias) { }
        };
        ServerConnections connections = new ServerConnections(connector, null, null);
        ServerDashboardViewModel model = new ServerDashboardViewModel(connections, new CurrentThreadTaskExecutor(),
                (shell, log) -> new ServerInspector.Result(rows, ""));
        ServerDashboardView view = new ServerDashboardView(model);
        stage.setScene(new Scene(view.root(), 1280 - 300, 800));
        stage.show();
        SshTarget db1 = new SshTarget("db1", "db1.example.com", 22, "dba", List.of(), null);
        model.show(db1);
        model.connect();
    }

    static ClusterRow row(String v, String n, int port, String data, ClusterHealth h, Instant now) {
        return new ClusterRow(v, n, port, "online", data, "inside PGDATA", "btrfs (/srv)",
                "btrfs subvolume snapshot: atomic, allowed", null, null, h, ClusterWarnings.of(h, now));
    }

    @SuppressWarnings("unchecked")
    private static TableView<ClusterRow> table(FxRobot robot) {
        return robot.lookup("#cluster-table").queryAs(TableView.class);
    }

    private static TableRow<ClusterRow> rowOf(FxRobot robot, String id) {
        WaitForAsyncUtils.waitForFxEvents();
        Set<Node> rows = robot.lookup("#cluster-table .table-row-cell").queryAll();
        return rows.stream().map(n -> (TableRow<ClusterRow>) n)
                .filter(r -> r.getItem() != null && r.getItem().id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + id + " shown"));
    }

    /** The cell of a column in a row, by the column's header text. */
    private static TableCell<?, ?> cell(FxRobot robot, String id, String column) {
        TableRow<ClusterRow> row = rowOf(robot, id);
        return robot.from(row).lookup(".table-cell").queryAll().stream().map(n -> (TableCell<?, ?>) n)
                .filter(c -> c.getTableColumn() != null && c.getTableColumn().getText().equals(column)).findFirst()
                .orElseThrow(() -> new AssertionError("no column " + column));
    }

    private static String warnings(FxRobot robot, String id) {
        TableCell<?, ?> c = cell(robot, id, "Warnings");
        return (c.getText() == null ? "" : c.getText()) + (c.getTooltip() == null ? "" : "\n" + c.getTooltip().getText());
    }

    @Test
    void aClusterWithoutScheduleShowsTheWarningAndStandsOut(FxRobot robot) {
        assertTrue(warnings(robot, "15/reports").contains("No schedule"), warnings(robot, "15/reports"));
        assertTrue(rowOf(robot, "15/reports").getStyleClass().contains(DashboardStyles.ROW_WARNING));
        assertTrue(cell(robot, "15/reports", "Snapshots").getText().startsWith("none"), cell(robot, "15/reports", "Snapshots").getText());
        assertEquals("", warnings(robot, "13/main"));
        assertFalse(rowOf(robot, "13/main").getStyleClass().contains(DashboardStyles.ROW_WARNING));
        assertTrue(cell(robot, "13/main", "Snapshots").getText().startsWith("enabled"), cell(robot, "13/main", "Snapshots").getText());
        assertTrue(cell(robot, "13/main", "Snapshots").getTooltip().getText().startsWith("Schedule: enabled"));
    }

    @Test
    void aNearlyFullDiskShowsTheWarning(FxRobot robot) {
        String w = warnings(robot, "16/full");
        assertTrue(w.contains("Disk nearly full: 4.0 GiB free (4 %)"), w);
        assertTrue(rowOf(robot, "16/full").getStyleClass().contains(DashboardStyles.ROW_WARNING));
        assertEquals("4.0 GiB (4 %)", cell(robot, "16/full", "Free").getText());
    }

    @Test
    void anInactiveSlotShowsTheWalItKeeps(FxRobot robot) {
        String w = warnings(robot, "16/slots");
        assertTrue(w.contains("Inactive slot old_sub retains 3.0 GiB of WAL"), w);
    }

    @Test
    void tooltipsCarryTheFullValues(FxRobot robot) {
        TableCell<?, ?> id = cell(robot, "15/reports", "Cluster");
        assertNotNull(id.getTooltip());
        assertTrue(id.getTooltip().getText().contains(LONG_DATA), id.getTooltip().getText());
        TableCell<?, ?> storage = cell(robot, "13/main", "Storage");
        assertEquals("btrfs", storage.getText(), "one word in the column, the method in the tooltip");
        assertTrue(storage.getTooltip().getText().contains("btrfs subvolume snapshot"), storage.getTooltip().getText());
        assertTrue(storage.getTooltip().getText().contains("atomic, allowed"), storage.getTooltip().getText());
        assertTrue(storage.getTooltip().getText().contains("btrfs (/srv)"), storage.getTooltip().getText());
        TableCell<?, ?> lock = cell(robot, "15/reports", "Lock");
        assertTrue(lock.getTooltip().getText().contains("for snapshot 15/reports"), lock.getTooltip().getText());
        assertEquals("", cell(robot, "13/main", "Lock").getText());
    }

    @Test
    void everyColumnFitsTheTableAt1280(FxRobot robot) {
        TableView<ClusterRow> t = table(robot);
        WaitForAsyncUtils.waitForFxEvents();
        double sum = t.getColumns().stream().mapToDouble(c -> c.getWidth()).sum();
        assertTrue(sum <= t.getWidth(), "columns " + sum + " wider than the table " + t.getWidth());
        // Each short value is read whole: no cell of these columns cuts its text.
        for (String col : List.of("Cluster", "Port", "State", "Size", "Storage", "Free", "Snapshots", "Warnings")) {
            for (String row : List.of("15/reports", "13/main")) {
                TableCell<?, ?> c = cell(robot, row, col);
                javafx.scene.text.Text text = (javafx.scene.text.Text) c.lookup(".text");
                if (text != null && c.getText() != null) {
                    assertEquals(c.getText(), text.getText(), col + " of " + row + " is cut");
                }
            }
        }
    }

    @Test
    void aRowsMenuCopiesItsIdDataDirectoryAndPort(FxRobot robot) throws Exception {
        TableRow<ClusterRow> row = rowOf(robot, "15/reports");
        List<MenuItem> items = row.getContextMenu().getItems();
        assertEquals(List.of(ClusterColumns.COPY_ID, ClusterColumns.COPY_DATA, ClusterColumns.COPY_PORT),
                items.stream().map(MenuItem::getText).toList());
        WaitForAsyncUtils.asyncFx(() -> items.get(1).fire()).get(5, TimeUnit.SECONDS);
        assertEquals(LONG_DATA, WaitForAsyncUtils.asyncFx(() -> Clipboard.getSystemClipboard().getString()).get(5, TimeUnit.SECONDS));
        WaitForAsyncUtils.asyncFx(() -> items.get(2).fire()).get(5, TimeUnit.SECONDS);
        assertEquals("5433", WaitForAsyncUtils.asyncFx(() -> Clipboard.getSystemClipboard().getString()).get(5, TimeUnit.SECONDS));
    }

}
