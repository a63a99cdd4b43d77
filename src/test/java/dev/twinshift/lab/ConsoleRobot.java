package dev.twinshift.lab;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.ui.clones.CloneFamily;
import dev.twinshift.ui.clones.ClusterViewModel;
import dev.twinshift.ui.connections.FxPrompts;
import dev.twinshift.ui.dashboard.ClusterRow;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TreeTableView;
import javafx.stage.Window;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * What the lab tests that drive the console's windows do alike: press a button as a keyboard user
 * would, click what a dialog shows, wait (always bounded) for what the user would see, and connect to
 * the lab and pick a cluster. One copy, so the tests read as the steps a DBA takes.
 */
public final class ConsoleRobot {
    private final FxRobot robot;

    public ConsoleRobot(FxRobot robot) {
        this.robot = robot;
    }

    /** Waits until {@code cond} holds, at most {@code seconds}; fails the test past that. */
    public static void waitFor(int seconds, BooleanSupplier cond) throws TimeoutException {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, cond::getAsBoolean);
    }

    /**
     * Reads what the FX thread owns (a table's items, the tree) on the FX thread: a wait's condition
     * runs on the test's thread, and a list read there while a re-read replaces it can throw.
     */
    public static <T> T onFx(java.util.concurrent.Callable<T> read) {
        try {
            return WaitForAsyncUtils.asyncFx(read).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The clone of that name as the cluster view's clone tree shows it, if it does. */
    public Optional<ClusterViewModel.CloneItem> cloneInTree(String name) {
        TreeTableView<CloneFamily.Row> tree = cloneTree();
        return onFx(() -> tree.getRoot() == null ? Optional.<ClusterViewModel.CloneItem>empty() : tree.getRoot().getValue().flatten()
                .stream().filter(r -> r.isClone() && r.item() != null && r.item().name().equals(name)).map(CloneFamily.Row::item)
                .findFirst());
    }

    /** Selects the clone's row in the clone tree, as a click on it would. */
    public void selectCloneInTree(String name) {
        selectInTree(name);
    }

    /** Selects the row of that name (a clone, or a snapshot by its name) in the clone tree. */
    public void selectInTree(String name) {
        TreeTableView<CloneFamily.Row> tree = cloneTree();
        robot.interact(() -> {
            for (int i = 0; i < tree.getExpandedItemCount(); i++) {
                CloneFamily.Row r = tree.getTreeItem(i).getValue();
                if (r.kind() != CloneFamily.Kind.CLUSTER && r.name().equals(name)) {
                    tree.getSelectionModel().select(i);
                    return;
                }
            }
            throw new AssertionError(name + " is not in the clone tree");
        });
    }

    /** The names of the rows right under that row of the clone tree (empty when it is not there). */
    public List<String> childrenInTree(String name) {
        TreeTableView<CloneFamily.Row> tree = cloneTree();
        return onFx(() -> tree.getRoot() == null ? List.<String>of() : tree.getRoot().getValue().flatten().stream()
                .filter(r -> r.kind() != CloneFamily.Kind.CLUSTER && r.name().equals(name)).findFirst()
                .map(r -> r.children().stream().map(CloneFamily.Row::name).toList()).orElse(List.of()));
    }

    /**
     * Chooses an item of a tree row's context menu, as a right-click and a click would: the row is
     * selected first (the menu acts on it), the item fired later on the FX thread (it may open a dialog).
     */
    @SuppressWarnings("unchecked")
    public void chooseInTreeMenu(String rowName, String itemText) {
        selectInTree(rowName);
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.control.ContextMenu menu = robot.lookup("#clone-tree .tree-table-row-cell").queryAll().stream()
                .map(n -> (javafx.scene.control.TreeTableRow<CloneFamily.Row>) n)
                .filter(r -> !r.isEmpty() && r.getItem() != null && r.getItem().name().equals(rowName)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + rowName + " drawn in the clone tree")).getContextMenu();
        javafx.scene.control.MenuItem item = menu.getItems().stream().filter(i -> itemText.equals(i.getText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + itemText + " in the menu of " + rowName));
        Platform.runLater(item::fire);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @SuppressWarnings("unchecked")
    private TreeTableView<CloneFamily.Row> cloneTree() {
        return robot.lookup("#clone-tree").queryAs(TreeTableView.class);
    }

    public String label(String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    /**
     * Presses a button once it is shown and enabled (a verdict is shown a moment before the page's
     * buttons follow it), fired later on the FX thread: a handler that opens a dialog would otherwise
     * hold the test's thread in showAndWait.
     */
    public void press(String id) {
        Button b = robot.lookup(id).queryButton();
        try {
            waitFor(30, () -> b.isVisible() && !b.isDisabled());
        } catch (TimeoutException e) {
            // reported by the assertion below, with the button's name
        }
        assertTrue(b.isVisible() && !b.isDisabled(), id + " is usable");
        Platform.runLater(b::fire);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /**
     * Clicks {@code query} (a button's text or id) in the newest window that shows one: a dialog is in
     * the scene graph a pulse before its window shows, and the main window may hold a button of the
     * same name.
     */
    public void clickWhenShown(String query) throws TimeoutException {
        Supplier<Optional<ButtonBase>> shown = () -> robot.lookup(query).queryAll().stream()
                .filter(n -> n instanceof ButtonBase && n.isVisible() && n.getScene() != null
                        && n.getScene().getWindow() != null && n.getScene().getWindow().isShowing())
                .map(n -> (ButtonBase) n)
                .max(Comparator.comparingInt(n -> Window.getWindows().indexOf(n.getScene().getWindow())));
        waitFor(10, () -> shown.get().isPresent());
        ButtonBase b = shown.get().orElseThrow();
        assertTrue(!b.isDisabled(), query + " is enabled");
        // Fired on the FX thread as a click would, without the robot's pixel hunt in a window still being laid out.
        Platform.runLater(b::fire);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Connects the console to the lab, trusting its host key as a newcomer does, and waits for its clusters. */
    public TableView<ClusterRow> connectToLab() throws TimeoutException {
        waitFor(10, () -> !label("#server-title").isEmpty());
        robot.clickOn("#connect-button");
        waitFor(30, () -> robot.lookup("#host-key-fingerprint").tryQuery().isPresent());
        clickWhenShown(FxPrompts.TRUST_BUTTON);
        @SuppressWarnings("unchecked")
        TableView<ClusterRow> clusters = robot.lookup("#cluster-table").queryAs(TableView.class);
        waitFor(60, () -> !clusters.getItems().isEmpty());
        return clusters;
    }

    /** Selects cluster {@code id} in the server's table once it is listed. */
    public void choose(TableView<ClusterRow> clusters, String id) throws TimeoutException {
        waitFor(60, () -> clusters.getItems().stream().anyMatch(r -> r.id().equals(id)));
        robot.interact(() -> clusters.getSelectionModel().select(
                clusters.getItems().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow()));
    }
}
