package dev.twinshift.ui.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import dev.twinshift.app.TwinshiftApp;
import dev.twinshift.inventory.Inventory;
import dev.twinshift.inventory.ServerEntry;
import dev.twinshift.ssh.AuditLog;
import dev.twinshift.ssh.SshConnector;
import dev.twinshift.ui.connections.ServerTreeItem;
import dev.twinshift.ui.dashboard.ClusterRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javafx.application.Application;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.MenuBar;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The main window as an administrator with two saved servers sees it, clicked and typed through
 * headless, against servers that exist only in the test.
 */
@ExtendWith(ApplicationExtension.class)
class MainShellTest {
    private Path dir;
    private FakeServers fake;
    private TwinshiftApp app;
    private Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        dir = Files.createTempDirectory("twinshift-shell");
        Inventory inv = new Inventory(dir.resolve("servers.json")).load();
        inv.addAll(List.of(
                new ServerEntry("db1", "db1.example.com", 22, "dba", null, null, ServerEntry.Source.MANUAL),
                new ServerEntry("db2", "db2.example.com", 2200, "dba", null, null, ServerEntry.Source.MANUAL)));
        fake = new FakeServers();
        fake.clusters.put("db1", List.of(FakeServers.row("13", "main", 5432, "online"), FakeServers.row("15", "reports", 5433, "down")));
        fake.clusters.put("db2", List.of(FakeServers.row("16", "billing", 5432, "online")));
        app = startConsole(stage);
    }

    private TwinshiftApp startConsole(Stage s) throws Exception {
        TwinshiftApp.useSettings(new TwinshiftApp.Settings(dir.resolve("servers.json"), dir.resolve("no-lab.json"),
                dir.resolve("ssh_config"), new SshConnector(dir.resolve("known_hosts"), new AuditLog(dir.resolve("audit.jsonl"))),
                fake.asServers()));
        TwinshiftApp a = new TwinshiftApp();
        a.start(s);
        s.toFront();
        s.requestFocus();
        return a;
    }

    @AfterEach
    void stop() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> app.stop()).get(5, TimeUnit.SECONDS);
        TwinshiftApp.useSettings(null);
        WaitForAsyncUtils.asyncFx(() -> Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet()))
                .get(5, TimeUnit.SECONDS);
    }

    /** The closed console's last write of its preferences, which would otherwise land after the test's own. */
    private static void awaitLastSave() throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("twinshift-preferences")) {
                t.join(5000);
            }
        }
    }

    // --- what the tests look at

    private static void waitFor(String what, BooleanSupplier cond) {
        try {
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> onFx(cond::getAsBoolean));
        } catch (TimeoutException e) {
            throw new AssertionError("timed out waiting for " + what);
        }
    }

    private static <T> T onFx(java.util.concurrent.Callable<T> c) {
        try {
            return WaitForAsyncUtils.asyncFx(c).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private TreeView<ServerTreeItem> tree(FxRobot robot) {
        return robot.lookup("#server-tree").queryAs(TreeView.class);
    }

    /** The tree as text: one line per row, clusters indented. */
    private List<String> rows(FxRobot robot) {
        TreeView<ServerTreeItem> t = tree(robot);
        return onFx(() -> {
            List<String> out = new java.util.ArrayList<>();
            for (TreeItem<ServerTreeItem> s : t.getRoot().getChildren()) {
                out.add(label(s.getValue()));
                if (s.isExpanded()) {
                    s.getChildren().forEach(c -> out.add("  " + label(c.getValue())));
                }
            }
            return out;
        });
    }

    private static String label(ServerTreeItem i) {
        return switch (i) {
            case ServerTreeItem.Server s -> s.entry().name();
            case ServerTreeItem.Cluster c -> c.cluster().id();
        };
    }

    private void select(FxRobot robot, String server) {
        TreeView<ServerTreeItem> t = tree(robot);
        waitFor(server + " listed", () -> t.getRoot().getChildren().stream().anyMatch(i -> label(i.getValue()).equals(server)));
        robot.interact(() -> {
            TreeItem<ServerTreeItem> item = t.getRoot().getChildren().stream()
                    .filter(i -> label(i.getValue()).equals(server)).findFirst().orElseThrow();
            t.getSelectionModel().select(item);
            t.requestFocus();
        });
        waitFor(server + " shown", () -> server.equals(text(robot, "#server-title")));
    }

    private static String text(FxRobot robot, String query) {
        return onFx(() -> robot.lookup(query).queryAs(Label.class).getText());
    }

    /** The tree row of a server as the user reads it: its visible labels, joined. */
    private String rowText(FxRobot robot, String server) {
        return onFx(() -> robot.lookup(".server-cell").queryAll().stream()
                .filter(n -> ((javafx.scene.control.TreeCell<?>) n).getItem() instanceof ServerTreeItem.Server s
                        && s.entry().name().equals(server))
                .findFirst()
                .map(n -> String.join(" ", ((Node) n).lookupAll(".label").stream()
                        .map(l -> ((Label) l).getText()).toList()))
                .orElse(""));
    }

    private List<String> statusBar(FxRobot robot) {
        return onFx(() -> robot.lookup(".status-bar-server").queryAll().stream().map(n -> ((Label) n).getText()).toList());
    }

    private void connectWithKeys(FxRobot robot, String server) {
        select(robot, server);
        robot.press(KeyCode.CONTROL, KeyCode.O).release(KeyCode.O, KeyCode.CONTROL);
        waitFor(server + " connected", () -> text(robot, "#connection-status").startsWith("Connected to"));
    }

    private TableView<?> clusterTable(FxRobot robot) {
        return robot.lookup("#cluster-table").queryAs(TableView.class);
    }

    // --- the tests

    @Test
    void anOpenSessionStillShowsConnectedAfterLookingAtAnotherServer(FxRobot robot) {
        connectWithKeys(robot, "db1");
        select(robot, "db2");
        assertEquals("Not connected", text(robot, "#connection-status"));
        assertTrue(onFx(() -> robot.lookup("#connect-button").queryButton().isVisible()), "db2 offers Connect");

        select(robot, "db1");
        assertTrue(text(robot, "#connection-status").startsWith("Connected to dba@db1.example.com"), text(robot, "#connection-status"));
        assertFalse(onFx(() -> robot.lookup("#connect-button").queryButton().isVisible()), "no Connect for a connected server");
        assertTrue(onFx(() -> robot.lookup("#disconnect-button").queryButton().isVisible()));
        assertEquals(2, onFx(() -> clusterTable(robot).getItems().size()), "its clusters are still shown");
        assertEquals(1, fake.opened.get(), "one session, kept, not a second one");
        waitFor("the tree says so", () -> rowText(robot, "db1").contains("Connected") && rowText(robot, "db2").contains("Not connected"));
    }

    @Test
    void aSessionThatDroppedIsShownClosedWhenLookedAtAgain(FxRobot robot) {
        connectWithKeys(robot, "db1");
        select(robot, "db2");
        fake.drop("db1");
        select(robot, "db1");
        waitFor("db1 shown as dropped", () -> text(robot, "#connection-status").equals("Not connected")
                && onFx(() -> robot.lookup("#connect-button").queryButton().isVisible()));
        assertTrue(text(robot, "#error-text").contains("closed"), text(robot, "#error-text"));
    }

    @Test
    void theStatusBarListsEveryServersState(FxRobot robot) {
        waitFor("both servers in the status bar", () -> statusBar(robot).size() == 2);
        assertEquals(List.of("db1: Not connected", "db2: Not connected"), statusBar(robot));
        assertEquals("0 of 2 connected", text(robot, "#status-summary"));
        connectWithKeys(robot, "db2");
        waitFor("db2 connected in the status bar", () -> statusBar(robot).equals(List.of("db1: Not connected", "db2: Connected")));
        assertEquals("1 of 2 connected", text(robot, "#status-summary"));
    }

    @Test
    void enterInTheTreeConnectsAndClustersAppearUnderTheServer(FxRobot robot) {
        select(robot, "db2");
        robot.type(KeyCode.ENTER);
        waitFor("db2 connected", () -> text(robot, "#connection-status").startsWith("Connected to"));
        waitFor("db2's cluster in the tree", () -> rows(robot).equals(List.of("db1", "db2", "  16/billing")));
    }

    @Test
    void f5AndCtrlRReadTheServerAgain(FxRobot robot) {
        connectWithKeys(robot, "db1");
        assertEquals(2, onFx(() -> clusterTable(robot).getItems().size()));
        fake.clusters.put("db1", List.of(FakeServers.row("13", "main", 5432, "online"), FakeServers.row("15", "reports", 5433, "down"),
                FakeServers.row("16", "main", 5434, "online")));
        robot.type(KeyCode.F5);
        waitFor("a third cluster after F5", () -> clusterTable(robot).getItems().size() == 3);
        waitFor("and in the tree", () -> rows(robot).contains("  16/main"));

        fake.clusters.put("db1", List.of(FakeServers.row("13", "main", 5432, "online")));
        robot.press(KeyCode.CONTROL, KeyCode.R).release(KeyCode.R, KeyCode.CONTROL);
        waitFor("one cluster after Ctrl+R", () -> clusterTable(robot).getItems().size() == 1);
    }

    @Test
    void ctrlFFiltersServersAndClustersAsYouType(FxRobot robot) {
        connectWithKeys(robot, "db1");
        waitFor("db1's clusters listed", () -> rows(robot).equals(List.of("db1", "  13/main", "  15/reports", "db2")));
        robot.press(KeyCode.CONTROL, KeyCode.F).release(KeyCode.F, KeyCode.CONTROL);
        TextField filter = robot.lookup("#server-filter").queryAs(TextField.class);
        waitFor("the filter focused", filter::isFocused);

        robot.write("db2");
        waitFor("only db2", () -> rows(robot).equals(List.of("db2")));
        robot.interact(filter::clear);
        robot.write("report");
        waitFor("a cluster's name finds it under its server", () -> rows(robot).equals(List.of("db1", "  15/reports")));
        robot.interact(filter::clear);
        robot.write("nothing-like-this");
        waitFor("nothing matches", () -> rows(robot).isEmpty());
        assertTrue(onFx(() -> robot.lookup("#no-match").query().isVisible()), "and the tree says why it is empty");

        robot.type(KeyCode.ESCAPE);
        waitFor("Esc shows everything again", () -> rows(robot).size() == 4);
    }

    @Test
    void removeAsksNamingTheServerAndEnterKeepsIt(FxRobot robot) throws Exception {
        select(robot, "db2");
        robot.type(KeyCode.DELETE);
        waitFor("the confirmation", () -> robot.lookup(".dialog-pane").tryQuery().isPresent());
        DialogPane pane = robot.lookup(".dialog-pane").queryAs(DialogPane.class);
        assertTrue(onFx(pane::getHeaderText).contains("db2"), onFx(pane::getHeaderText));
        Button cancel = onFx(() -> pane.lookupAll(".button").stream().map(Button.class::cast)
                .filter(b -> b.getText().equals("Cancel")).findFirst().orElseThrow());
        assertTrue(cancel.isDefaultButton(), "Cancel is what Enter does");
        robot.type(KeyCode.ENTER);
        waitFor("the dialog gone", () -> robot.lookup(".dialog-pane").tryQuery().isEmpty());
        assertEquals(List.of("db1", "db2"), rows(robot));

        select(robot, "db2");
        robot.type(KeyCode.DELETE);
        waitFor("the confirmation again", () -> robot.lookup("Remove db2").tryQuery().isPresent());
        robot.clickOn("Remove db2");
        waitFor("db2 removed", () -> rows(robot).equals(List.of("db1")));
        assertEquals(List.of("db1"), new Inventory(dir.resolve("servers.json")).load().entries().stream().map(ServerEntry::name).toList());
        waitFor("and gone from the status bar", () -> statusBar(robot).equals(List.of("db1: Not connected")));
    }

    @Test
    void tabGoesFromTheTreeToTheClusterTable(FxRobot robot) {
        connectWithKeys(robot, "db1");
        TableView<?> table = clusterTable(robot);
        for (int i = 0; i < 12 && !onFx(table::isFocused); i++) {
            robot.type(KeyCode.TAB);
        }
        assertTrue(onFx(table::isFocused), "the cluster table is reached with Tab; focus is on "
                + onFx(() -> stage.getScene().getFocusOwner()));
    }

    @Test
    void theDarkThemeIsRememberedForTheNextStart(FxRobot robot) throws Exception {
        CheckMenuItem dark = onFx(() -> robot.lookup("#main-menu").queryAs(MenuBar.class).getMenus().stream()
                .flatMap(m -> m.getItems().stream()).filter(i -> "menu-dark-theme".equals(i.getId()))
                .map(CheckMenuItem.class::cast).findFirst().orElseThrow());
        assertFalse(dark.isSelected());
        robot.press(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.D).release(KeyCode.D, KeyCode.SHIFT, KeyCode.CONTROL);
        waitFor("the dark theme applied", () -> new PrimerDark().getUserAgentStylesheet().equals(Application.getUserAgentStylesheet()));
        assertTrue(dark.isSelected(), "the menu says so");
        Path prefs = dir.resolve("preferences.json");
        waitFor("the choice saved", () -> {
            try {
                return Files.exists(prefs) && Files.readString(prefs).contains("\"dark\"");
            } catch (java.io.IOException e) {
                return false;
            }
        });

        // Closed, then opened again: dark from the start.
        WaitForAsyncUtils.asyncFx(() -> {
            app.stop();
            stage.hide();
            Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        }).get(5, TimeUnit.SECONDS);
        Stage again = onFx(Stage::new);
        app = onFx(() -> startConsole(again));
        waitFor("dark again after a restart", () -> new PrimerDark().getUserAgentStylesheet().equals(Application.getUserAgentStylesheet()));
        CheckMenuItem darkAgain = onFx(() -> ((MenuBar) again.getScene().lookup("#main-menu")).getMenus().stream()
                .flatMap(m -> m.getItems().stream()).filter(i -> "menu-dark-theme".equals(i.getId()))
                .map(CheckMenuItem.class::cast).findFirst().orElseThrow());
        assertTrue(onFx(darkAgain::isSelected));
        robot.interact(again::close);
    }

    @Test
    void damagedPreferencesAreKeptAsideAndSaidSo(FxRobot robot) throws Exception {
        WaitForAsyncUtils.asyncFx(() -> {
            app.stop();
            stage.hide();
        }).get(5, TimeUnit.SECONDS);
        awaitLastSave();
        Path prefs = dir.resolve("preferences.json");
        Files.writeString(prefs, "{\"version\": 1, \"theme\": ");
        Stage again = onFx(Stage::new);
        app = onFx(() -> startConsole(again));

        waitFor("a dialog about the preferences", () -> robot.lookup("#" + MainWindow.PROBLEM_DIALOG_ID).tryQuery().isPresent());
        DialogPane pane = robot.lookup("#" + MainWindow.PROBLEM_DIALOG_ID).queryAs(DialogPane.class);
        String said = onFx(pane::getContentText);
        assertTrue(said.contains("could not be read") && said.contains("preferences.json.corrupt-"), said);
        try (Stream<Path> s = Files.list(dir)) {
            Path aside = s.filter(p -> p.getFileName().toString().startsWith("preferences.json.corrupt-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no file kept aside"));
            assertEquals("{\"version\": 1, \"theme\": ", Files.readString(aside), "kept as it was");
        }
        assertTrue(onFx(() -> robot.lookup("#log-list").queryAs(javafx.scene.control.ListView.class).getItems().stream()
                .anyMatch(l -> String.valueOf(l).contains("kept as"))), "and the activity log has it too");
        robot.interact(() -> ((Window) pane.getScene().getWindow()).hide());
        robot.interact(again::close);
    }

    @Test
    void aFirstWindowTakesMostOfTheScreenButNeverMoreThanIt() {
        var big = MainWindow.firstSize(new javafx.geometry.Rectangle2D(0, 0, 2560, 1400));
        assertEquals(2048, big.getWidth());
        assertEquals(1120, big.getHeight());
        var small = MainWindow.firstSize(new javafx.geometry.Rectangle2D(0, 0, 1366, 740));
        assertEquals(1280, small.getWidth(), "1280 wide at least where it fits");
        assertEquals(740, small.getHeight(), "the screen's height where 800 does not fit");
        var hd = MainWindow.firstSize(new javafx.geometry.Rectangle2D(0, 0, 1920, 1050));
        assertEquals(1536, hd.getWidth());
        assertEquals(840, hd.getHeight());
    }
}
