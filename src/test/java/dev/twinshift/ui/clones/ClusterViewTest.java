package dev.twinshift.ui.clones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.clones.ClusterViewModel.CloneItem;
import dev.twinshift.ui.tasks.ManualTaskExecutor;
import dev.twinshift.ui.timeline.TimelineFixtures;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableCell;
import javafx.scene.control.TreeTableRow;
import javafx.scene.control.TreeTableView;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The cluster view as the administrator sees it, headless: times, tooltips, keys, menus, the
 * selection across a re-read and the rollback's question. The server is absent; the lists are
 * given to the view as a re-read would give them.
 */
@ExtendWith(ApplicationExtension.class)
class ClusterViewTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final Instant T0 = Instant.parse("2026-12-01T18:42:07Z");

    private ManualTaskExecutor tasks;
    private ClusterViewModel model;
    private ScrollPane page;

    @Start
    void start(Stage stage) {
        tasks = new ManualTaskExecutor();
        model = new ClusterViewModel(tasks);
        model.setZone(PARIS);
        model.show(new TimelineFixtures.NoServer(), "tsadmin", TimelineFixtures.cluster("main"));
        tasks.cancel(0);
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        ClusterView view = new ClusterView(model);
        // As in a server's page: something above, the view below, in a page that scrolls.
        Region above = new Region();
        above.setMinHeight(500);
        page = new ScrollPane(new VBox(above, view.root()));
        page.setFitToWidth(true);
        // As wide as a server's page in the console at 1280x800, beside the server list.
        Scene scene = new Scene(page, 880, 800);
        scene.getStylesheets().add(getClass().getResource(Styles.APP_STYLESHEET).toExternalForm());
        stage.setScene(scene);
        stage.show();
    }

    static List<SnapshotRecord> threeSnapshotsSecondsApart() {
        List<SnapshotRecord> l = new ArrayList<>();
        for (int i = 2; i >= 0; i--) {
            l.add(TimelineFixtures.snapshot(T0.plusSeconds(i), Reason.MANUAL, "before-the-migration-of-the-billing-schema", false));
        }
        return l;
    }

    private void list(FxRobot robot, List<SnapshotRecord> snaps, List<CloneItem> clones) {
        robot.interact(() -> model.applyListing(snaps, clones));
    }

    @SuppressWarnings("unchecked")
    private static <T> TableView<T> table(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(TableView.class);
    }

    @SuppressWarnings("unchecked")
    private static TreeTableView<CloneFamily.Row> tree(FxRobot robot) {
        return robot.lookup("#clone-tree").queryAs(TreeTableView.class);
    }

    /** The tree's rows as shown, depth first: "name|state|port". */
    private static List<String> treeLines(FxRobot robot) {
        List<String> out = new ArrayList<>();
        TreeTableView<CloneFamily.Row> t = tree(robot);
        for (int i = 0; i < t.getExpandedItemCount(); i++) {
            TreeItem<CloneFamily.Row> item = t.getTreeItem(i);
            out.add("  ".repeat(t.getTreeItemLevel(item)) + item.getValue().name());
        }
        return out;
    }

    private static void selectInTree(FxRobot robot, String name) {
        TreeTableView<CloneFamily.Row> t = tree(robot);
        robot.interact(() -> {
            for (int i = 0; i < t.getExpandedItemCount(); i++) {
                if (t.getTreeItem(i).getValue().name().equals(name)) {
                    t.getSelectionModel().select(i);
                    return;
                }
            }
            throw new AssertionError("no row " + name + " in the tree");
        });
    }

    private static List<TreeTableCell<?, ?>> treeCells(FxRobot robot) {
        return robot.lookup("#clone-tree .tree-table-cell").queryAll().stream().<TreeTableCell<?, ?>>map(n -> (TreeTableCell<?, ?>) n)
                .filter(c -> !c.isEmpty() && c.getText() != null).toList();
    }

    private static List<TableCell<?, ?>> cells(FxRobot robot, String tableId) {
        return robot.lookup(tableId + " .table-cell").queryAll().stream().<TableCell<?, ?>>map(n -> (TableCell<?, ?>) n)
                .filter(c -> !c.isEmpty() && c.getText() != null).toList();
    }

    @Test
    void timesAreLocalToTheSecondAndNeverCutOff(FxRobot robot) {
        list(robot, threeSnapshotsSecondsApart(), List.of());
        List<String> times = cells(robot, "#snapshot-table").stream().map(TableCell::getText)
                .filter(t -> t.startsWith("2026-12-01")).toList();
        assertEquals(List.of("2026-12-01 19:42:09 CET", "2026-12-01 19:42:08 CET", "2026-12-01 19:42:07 CET"), times);
        for (TableCell<?, ?> c : cells(robot, "#snapshot-table")) {
            if (c.getText().startsWith("2026-12-01")) {
                Node text = c.lookup(".text");
                assertEquals(c.getText(), ((javafx.scene.text.Text) text).getText(), "the time column is wide enough: nothing cut");
            }
        }
    }

    @Test
    void aLongValueCarriesItsFullTextInATooltip(FxRobot robot) {
        list(robot, threeSnapshotsSecondsApart(), List.of(TimelineFixtures.clone("rehearsal", threeSnapshotsSecondsApart().get(0), true)));
        String id = model.snapshots().get(0).id();
        TableCell<?, ?> idCell = cells(robot, "#snapshot-table").stream().filter(c -> id.equals(c.getItem())).findFirst().orElseThrow();
        assertNotNull(idCell.getTooltip(), "the id's cell has a tooltip");
        assertEquals(id, idCell.getTooltip().getText());
        String conn = model.clones().get(0).connectionString();
        TreeTableCell<?, ?> connCell = treeCells(robot).stream().filter(c -> conn.equals(c.getText())).findFirst().orElseThrow();
        assertEquals(conn, connCell.getTooltip().getText());
        String data = model.clones().get(0).record().dataDirectory();
        TreeTableCell<?, ?> nameCell = treeCells(robot).stream().filter(c -> "rehearsal".equals(c.getText())).findFirst().orElseThrow();
        assertTrue(nameCell.getTooltip().getText().contains("Data: " + data), nameCell.getTooltip().getText());
    }

    @Test
    void enterInTheLabelTakesTheSnapshot(FxRobot robot) {
        TextField label = robot.lookup("#snapshot-label").queryAs(TextField.class);
        robot.interact(() -> {
            label.requestFocus();
            label.setText("before-vacuum");
        });
        robot.clickOn(label).type(javafx.scene.input.KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, tasks.pending().size(), "one snapshot asked for");
        assertTrue(tasks.pending().get(0).title().startsWith("Snapshot 13/main"), tasks.pending().get(0).title());
        assertEquals("", label.getText(), "the label is cleared for the next one");
    }

    @Test
    void theSelectionOutlivesARereadThatChangedTheRow(FxRobot robot) {
        List<SnapshotRecord> snaps = threeSnapshotsSecondsApart();
        CloneItem running = TimelineFixtures.clone("rehearsal", snaps.get(1), true);
        CloneItem other = TimelineFixtures.clone("other", snaps.get(2), false);
        list(robot, snaps, List.of(other, running));
        TableView<SnapshotRecord> st = table(robot, "#snapshot-table");
        robot.interact(() -> st.getSelectionModel().select(1));
        selectInTree(robot, "rehearsal");

        // Pinned by another console, and the clone stopped: the re-read brings rows that differ.
        List<SnapshotRecord> again = new ArrayList<>(snaps);
        again.set(1, snaps.get(1).withPinned(true));
        CloneItem stopped = new CloneItem(running.record(), false, "");
        list(robot, again, List.of(other, stopped));

        assertEquals(snaps.get(1).id(), st.getSelectionModel().getSelectedItem().id());
        assertTrue(st.getSelectionModel().getSelectedItem().pinned(), "the selection is the row as re-read");
        CloneFamily.Row sel = tree(robot).getSelectionModel().getSelectedItem().getValue();
        assertEquals("rehearsal", sel.name());
        assertFalse(sel.item().running(), "the selection is the clone as re-read");
        assertTrue(robot.lookup("#stop-clone").queryButton().isDisabled(), "a stopped clone's Stop is off");
        assertFalse(robot.lookup("#start-clone").queryButton().isDisabled());
        assertEquals("Unpin", robot.lookup("#pin-snapshot").queryButton().getText());
    }

    @SuppressWarnings("unchecked")
    private static ContextMenu menuOfRow(FxRobot robot, String tableId, int index) {
        return robot.lookup(tableId + " .table-row-cell").queryAll().stream().map(n -> (TableRow<Object>) n)
                .filter(r -> r.getIndex() == index && !r.isEmpty()).findFirst().orElseThrow().getContextMenu();
    }

    @SuppressWarnings("unchecked")
    private static ContextMenu menuOfTreeRow(FxRobot robot, String name) {
        return robot.lookup("#clone-tree .tree-table-row-cell").queryAll().stream().map(n -> (TreeTableRow<CloneFamily.Row>) n)
                .filter(r -> !r.isEmpty() && r.getItem() != null && name.equals(r.getItem().name())).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + name)).getContextMenu();
    }

    private static MenuItem item(ContextMenu m, String text) {
        return m.getItems().stream().filter(i -> text.equals(i.getText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + text + " in " + m.getItems().stream().map(MenuItem::getText).toList()));
    }

    private static void showAndHide(FxRobot robot, ContextMenu m, Node owner) {
        robot.interact(() -> m.show(owner, 10, 10));
        robot.interact(m::hide);
    }

    @Test
    void rowsOfferTheirActionsInAContextMenuEnabledAsTheyApply(FxRobot robot) {
        List<SnapshotRecord> snaps = new ArrayList<>(threeSnapshotsSecondsApart());
        snaps.set(0, snaps.get(0).withPinned(true));
        list(robot, snaps, List.of(TimelineFixtures.clone("rehearsal", snaps.get(0), true),
                TimelineFixtures.clone("cold", snaps.get(1), false)));
        Node owner = robot.lookup("#snapshot-table").query();

        ContextMenu sm = menuOfRow(robot, "#snapshot-table", 0);
        showAndHide(robot, sm, owner);
        for (String t : List.of("Clone...", "Roll back...", "Unpin", "Delete...", "Copy id")) {
            assertFalse(item(sm, t).isDisable(), t + " is offered on a snapshot");
        }

        ContextMenu up = menuOfTreeRow(robot, "rehearsal");
        showAndHide(robot, up, owner);
        assertFalse(item(up, "Snapshot this clone...").isDisable());
        assertFalse(item(up, "Clone...").isVisible(), "a clone's menu has no snapshot actions");
        assertTrue(item(up, "Start").isDisable(), "a running clone cannot be started");
        assertFalse(item(up, "Stop").isDisable());
        assertFalse(item(up, "Destroy...").isDisable());
        assertTrue(item(up, "Copy connection URL").isDisable(), "no tunnel is open yet");
        assertTrue(item(up, "Open tunnel").isDisable(), "this test's server cannot forward a port");

        ContextMenu cold = menuOfTreeRow(robot, "cold");
        showAndHide(robot, cold, owner);
        assertFalse(item(cold, "Start").isDisable());
        assertTrue(item(cold, "Stop").isDisable(), "a stopped clone cannot be stopped");

        ContextMenu origin = menuOfTreeRow(robot, snaps.get(1).name());
        showAndHide(robot, origin, owner);
        assertTrue(item(origin, "Clone...").isVisible() && !item(origin, "Clone...").isDisable(), "a snapshot in the tree clones");
        assertFalse(item(origin, "Start").isVisible(), "a snapshot's menu has no clone actions");
    }

    @Test
    void aRollbacksSafetySnapshotIsMarkedAsTheUndoOfThatRollback(FxRobot robot) {
        List<SnapshotRecord> snaps = new ArrayList<>(threeSnapshotsSecondsApart());
        snaps.add(0, TimelineFixtures.snapshot(T0.plusSeconds(600), Reason.PRE_ROLLBACK, "pre-rollback", false));
        list(robot, snaps, List.of());
        assertTrue(cells(robot, "#snapshot-table").stream().anyMatch(c -> "undo of rollback at 19:52:07"
                .equals(c.getText())));
        assertTrue(robot.lookup("#snapshot-table .table-row-cell").queryAll().stream()
                .anyMatch(r -> ((TableRow<?>) r).getIndex() == 0 && r.getStyleClass().contains(ClonesStyles.UNDO_ROW)));
        assertFalse(robot.lookup("#snapshot-table .table-row-cell").queryAll().stream()
                .anyMatch(r -> ((TableRow<?>) r).getIndex() == 1 && r.getStyleClass().contains(ClonesStyles.UNDO_ROW)));
    }

    @Test
    void theRollbackQuestionStatesTheSizedCostAndCancelIsTheDefault(FxRobot robot) throws Exception {
        list(robot, threeSnapshotsSecondsApart(), List.of());
        model.setCostReader((shell, actor, c, s) -> Map.of("cluster", c.id(), "target", s.id(), "takenAt", s.createdAt(),
                "walLsn", s.walLsn(), "walBytesSince", 1_500_000_000L, "sessionsCut", 4));
        TableView<SnapshotRecord> st = table(robot, "#snapshot-table");
        robot.interact(() -> st.getSelectionModel().select(0));
        robot.interact(() -> robot.lookup("#rollback-snapshot").queryButton().fire());
        assertEquals(1, tasks.pending().size(), "the cost is measured first, off the FX thread");
        assertTrue(robot.lookup("#typed-confirmation").tryQuery().isEmpty(), "no question before the cost is known");
        // The measurement ends: its callback opens the dialog (and waits in it), so not through interact().
        Platform.runLater(() -> tasks.run(0));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#typed-confirmation").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        String cost = robot.lookup("#confirmation-cost .label").queryAll().stream().map(n -> ((Label) n).getText())
                .reduce("", (a, b) -> a + "\n" + b);
        assertTrue(cost.contains("1.4 GiB"), cost);
        assertTrue(cost.contains("Cuts 4 client sessions"), cost);
        assertTrue(cost.contains("about the time of a stop and a start"), cost);
        assertTrue(cost.contains("2026-12-01 19:42:09 CET"), cost);
        Button cancel = robot.lookup(".dialog-pane .button").queryAll().stream().map(n -> (Button) n)
                .filter(b -> "Cancel".equals(b.getText())).findFirst().orElseThrow();
        Button rollBack = robot.lookup(".dialog-pane .button").queryAll().stream().map(n -> (Button) n)
                .filter(b -> "Roll back".equals(b.getText())).findFirst().orElseThrow();
        assertTrue(cancel.isDefaultButton(), "Enter is the way out");
        assertFalse(rollBack.isDefaultButton());
        assertTrue(rollBack.isDisabled(), "the name is typed first");
        robot.interact(() -> robot.lookup("#typed-confirmation").queryTextInputControl().setText("13/main"));
        assertFalse(rollBack.isDisabled());
        Platform.runLater(cancel::fire);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(tasks.pending().isEmpty(), "Cancel rolls nothing back");
        assertTrue(Window.getWindows().size() == 1, "the dialog is closed");
    }

    @Test
    void theTablesUseTheWindowAndTheViewKeepsItsPlaceWhenASnapshotIsTaken(FxRobot robot) {
        List<SnapshotRecord> many = new ArrayList<>();
        for (int i = 60; i > 0; i--) {
            many.add(TimelineFixtures.snapshot(T0.minusSeconds(3600L * i), Reason.SCHEDULED, null, false));
        }
        list(robot, many, List.of());
        TableView<SnapshotRecord> st = table(robot, "#snapshot-table");
        double viewport = page.getViewportBounds().getHeight();
        assertTrue(st.getHeight() > viewport * 0.45, "many snapshots take their share of the window: " + st.getHeight()
                + " of " + viewport);
        assertTrue(st.getHeight() + tree(robot).getHeight() < viewport, "the snapshots and the clone tree fit in the window together");

        robot.interact(() -> page.setVvalue(1.0));
        robot.interact(() -> robot.lookup("#snapshot-now").queryButton().requestFocus());
        robot.interact(() -> robot.lookup("#snapshot-now").queryButton().fire());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#snapshot-now").queryButton().isDisabled(), "busy while the snapshot runs");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1.0, page.getVvalue(), 0.001, "the page stays where the administrator was");
    }

    @Test
    void theCloneTreeDrawsTheFamilyFromTheClusterDownToAClonesOwnClones(FxRobot robot) {
        List<SnapshotRecord> snaps = threeSnapshotsSecondsApart();
        SnapshotRecord origin = snaps.get(1);
        CloneItem rehearsal = TimelineFixtures.clone("rehearsal", origin, true);
        // A snapshot of the clone (its own volume), and a clone of that snapshot.
        SnapshotRecord ofClone = new SnapshotRecord("clone_rehearsal/20261201T190000Z-after-fix", "20261201T190000Z-after-fix",
                "clone_rehearsal", T0.plusSeconds(1800), TimelineFixtures.ADMIN, Reason.MANUAL, "after-fix", "13/main", "13", "0/5000000",
                1, "/srv/data/.twinshift/clones/rehearsal", "clone:rehearsal", false, rehearsal.record().method(),
                "/srv/data/.twinshift/snapshots/clone_rehearsal/20261201T190000Z-after-fix", true);
        CloneItem grandchild = TimelineFixtures.clone("retry", ofClone, false);
        List<SnapshotRecord> all = new ArrayList<>(snaps);
        all.add(ofClone);
        robot.interact(() -> model.applyListing(snaps, all, List.of(rehearsal, grandchild)));

        assertEquals(List.of("13/main", "  " + origin.name(), "    rehearsal", "      " + ofClone.name(), "        retry"),
                treeLines(robot), "snapshots nobody cloned stay in the table above; lineage nests below the cluster");
        List<String> texts = treeCells(robot).stream().map(TreeTableCell::getText).toList();
        assertTrue(texts.contains("54321"), "a running clone's port shows: " + texts);
        assertTrue(texts.contains("running") && texts.contains("stopped"), texts.toString());
    }

    @Test
    void theTreesShortColumnsAreReadWholeAt1280(FxRobot robot) {
        List<SnapshotRecord> snaps = new ArrayList<>(threeSnapshotsSecondsApart());
        snaps.set(1, snaps.get(1).withPinned(true));
        CloneItem c = TimelineFixtures.clone("rehearsal", snaps.get(1), true);
        c = new CloneItem(c.record(), true, c.connectionString(), null, 1_310L << 20,
                new ClusterViewModel.CloneUse("idle 4 days", "no connection since ...", true, false));
        list(robot, snaps, List.of(c));
        WaitForAsyncUtils.waitForFxEvents();
        List<String> shortOnes = List.of("running", "pinned", "54321", "5432", "13", "1.3 GiB", "idle 4 days");
        int seen = 0;
        for (TreeTableCell<?, ?> cell : treeCells(robot)) {
            if (shortOnes.contains(cell.getText())) {
                seen++;
                javafx.scene.text.Text text = (javafx.scene.text.Text) cell.lookup(".text");
                assertEquals(cell.getText(), text.getText(), cell.getTableColumn().getText() + " is cut");
            }
        }
        assertTrue(seen >= shortOnes.size(), "every short value was drawn: " + seen);
        for (var col : tree(robot).getColumns()) {
            javafx.scene.control.Label header = (javafx.scene.control.Label) tree(robot).lookupAll(".column-header .label").stream()
                    .filter(n -> col.getText().equals(((javafx.scene.control.Label) n).getText())).findFirst().orElseThrow();
            javafx.scene.text.Text text = (javafx.scene.text.Text) header.lookup(".text");
            assertEquals(col.getText(), text.getText(), "the header " + col.getText() + " is cut");
        }
    }

    @Test
    void aClonesConnectionCopiesInOneClickAndSaysSo(FxRobot robot) {
        list(robot, threeSnapshotsSecondsApart(), List.of(TimelineFixtures.clone("rehearsal", threeSnapshotsSecondsApart().get(0), true)));
        Button copy = robot.lookup("#clone-tree .copy-in-row").queryAll().stream().map(n -> (Button) n)
                .filter(Node::isVisible).findFirst().orElseThrow(() -> new AssertionError("no copy button in the clone's row"));
        robot.interact(copy::fire);
        String clip = WaitForAsyncUtils.waitForAsyncFx(5000, () -> javafx.scene.input.Clipboard.getSystemClipboard().getString());
        assertEquals("host=/tmp port=54321 dbname=postgres", clip);
        Label said = robot.lookup("#copied-confirmation").queryAs(Label.class);
        assertTrue(said.isVisible() && said.getText().contains("Copied connection"), said.getText());
    }

    @Test
    void anIdleCloneIsMarkedAndCounted(FxRobot robot) {
        List<SnapshotRecord> snaps = threeSnapshotsSecondsApart();
        CloneItem busy = TimelineFixtures.clone("busy", snaps.get(0), true);
        CloneItem forgotten = TimelineFixtures.clone("forgotten", snaps.get(1), true);
        ClusterViewModel.CloneUse idle = new ClusterViewModel.CloneUse("idle 4 days", "no connection since 2026-11-27; policy stops after 7 d",
                true, false);
        forgotten = new CloneItem(forgotten.record(), true, forgotten.connectionString(), null, 3L << 30, idle);
        list(robot, snaps, List.of(busy, forgotten));
        assertEquals("2 clones, 2 running, 1 idle", robot.lookup("#clone-count").queryAs(Label.class).getText());
        TreeTableCell<?, ?> use = treeCells(robot).stream().filter(c -> "idle 4 days".equals(c.getText())).findFirst().orElseThrow();
        assertTrue(use.getTooltip().getText().contains("policy stops after 7 d"), "the rule's sentence is one hover away");
        assertTrue(treeCells(robot).stream().anyMatch(c -> "3.0 GiB".equals(c.getText())), "what destroying it frees shows");
        assertTrue(robot.lookup("#clone-tree .tree-table-row-cell").queryAll().stream()
                .anyMatch(r -> r.getPseudoClassStates().contains(javafx.css.PseudoClass.getPseudoClass("idle"))
                        && "forgotten".equals(((TreeTableRow<?>) r).getItem() instanceof CloneFamily.Row fr ? fr.name() : null)),
                "the idle clone's row is marked");
    }
}
