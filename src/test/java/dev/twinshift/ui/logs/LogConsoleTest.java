package dev.twinshift.ui.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import atlantafx.base.theme.PrimerLight;
import dev.twinshift.ui.tasks.BackgroundTask;
import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.tasks.LogLine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.application.Application;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Activity panel's log console and task center as a user sees them, headless. */
@ExtendWith(ApplicationExtension.class)
class LogConsoleTest {
    static final int CAP = 10_000;

    @TempDir
    static Path dir;

    private LogBuffer log;
    private FxTaskExecutor tasks;
    private ActivityView view;

    @Start
    void start(Stage stage) {
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        log = new LogBuffer(CAP, dir);
        log.start();
        tasks = new FxTaskExecutor(log);
        view = new ActivityView(log, tasks);
        view.root().setPrefHeight(480);
        stage.setScene(new Scene(view.root(), 1100, 480));
        stage.show();
        stage.toFront();
        stage.requestFocus();
    }

    @AfterEach
    void stop() throws Exception {
        tasks.shutdown();
        fx(() -> {
            log.stop();
            return null;
        });
        log.close();
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    private static void waitUntil(Callable<Boolean> onFx) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> fx(onFx));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private ListView<LogLine> list(FxRobot robot) {
        return robot.lookup("#" + LogConsole.LIST_ID).queryListView();
    }

    /** The rows of the console that are on screen, top to bottom. */
    private List<ListCell<LogLine>> rowsInSight(FxRobot robot) throws Exception {
        ListView<LogLine> list = list(robot);
        return fx(() -> {
            Bounds view = list.localToScene(list.getBoundsInLocal());
            return robot.lookup("#" + LogConsole.LIST_ID + " ." + LogStyles.LINE).<ListCell<LogLine>>queryAll().stream()
                    .filter(c -> c.getItem() != null && !c.isEmpty() && shown(c))
                    .filter(c -> {
                        Bounds b = c.localToScene(c.getBoundsInLocal());
                        return b.getMaxY() > view.getMinY() + 1 && b.getMinY() < view.getMaxY() - 1;
                    })
                    .sorted((a, b) -> Integer.compare(a.getIndex(), b.getIndex()))
                    .toList();
        });
    }

    private static boolean shown(Node n) {
        for (Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }

    private List<String> textsInSight(FxRobot robot) throws Exception {
        return rowsInSight(robot).stream().map(c -> c.getItem().text()).toList();
    }

    private void append(int from, int to, String text) {
        for (int i = from; i <= to; i++) {
            log.append(0, "pg_upgrade", text + " " + i, false);
        }
    }

    @Test
    void theFilterNarrowsTheLinesAsOneTypes(FxRobot robot) throws Exception {
        for (int i = 1; i <= 300; i++) {
            log.append(0, "pg_upgrade", i % 10 == 0 ? "checking database db" + i : "copying relation r" + i, false);
        }
        waitUntil(() -> list(robot).getItems().size() == 300);
        robot.clickOn("#" + LogConsole.FILTER_ID).write("CHECKING");
        waitUntil(() -> list(robot).getItems().size() == 30);
        assertTrue(fx(() -> list(robot).getItems().stream().allMatch(l -> l.text().startsWith("checking database"))));
        assertTrue(textsInSight(robot).stream().allMatch(t -> t.startsWith("checking database")), textsInSight(robot).toString());
        assertTrue(fx(() -> robot.lookup("#" + LogConsole.STATUS_ID).queryAs(Label.class).getText()).startsWith("30 of 300 lines"));
    }

    @Test
    void searchMovesTheSelectionToTheNextAndPreviousMatch(FxRobot robot) throws Exception {
        for (int i = 1; i <= 200; i++) {
            log.append(0, "pg_upgrade", i == 40 || i == 120 || i == 170 ? "relation public.t" + i + " is missing" : "copying " + i, false);
        }
        waitUntil(() -> list(robot).getItems().size() == 200);
        robot.clickOn("#" + LogConsole.SEARCH_ID).write("MISSING").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("relation public.t40 is missing", fx(() -> list(robot).getSelectionModel().getSelectedItem().text()));
        assertEquals("1 of 3", fx(() -> robot.lookup("#" + LogConsole.MATCHES_ID).queryAs(Label.class).getText()));
        robot.clickOn("#" + LogConsole.NEXT_ID);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("relation public.t120 is missing", fx(() -> list(robot).getSelectionModel().getSelectedItem().text()));
        assertTrue(textsInSight(robot).contains("relation public.t120 is missing"), "the match is brought into view");
        ListCell<LogLine> row = rowsInSight(robot).stream().filter(c -> c.getItem().text().contains("t120")).findFirst().orElseThrow();
        assertTrue(row.getStyleClass().contains(LogStyles.MATCH), "a match is highlighted");
        robot.clickOn("#" + LogConsole.PREVIOUS_ID);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("relation public.t40 is missing", fx(() -> list(robot).getSelectionModel().getSelectedItem().text()));
        robot.clickOn("#" + LogConsole.PREVIOUS_ID);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("relation public.t170 is missing", fx(() -> list(robot).getSelectionModel().getSelectedItem().text()),
                "the search wraps around");
    }

    @Test
    void stderrWarningsAndErrorsCarryTheirStyleClasses(FxRobot robot) throws Exception {
        log.append(0, "pg_upgrade", "Checking cluster versions", false);
        log.append(0, "pg_upgrade", "could not open version file", true);
        log.append(0, "psql", "WARNING:  there is no transaction in progress", false);
        log.append(0, "psql", "ERROR:  relation \"orders\" does not exist", false);
        waitUntil(() -> list(robot).getItems().size() == 4);
        List<ListCell<LogLine>> rows = rowsInSight(robot);
        assertEquals(4, rows.size());
        assertFalse(rows.get(0).getStyleClass().contains(LogStyles.STDERR));
        assertTrue(rows.get(1).getStyleClass().contains(LogStyles.STDERR), rows.get(1).getStyleClass().toString());
        assertTrue(rows.get(2).getStyleClass().contains(LogStyles.WARNING));
        assertTrue(rows.get(3).getStyleClass().contains(LogStyles.ERROR));
        assertFalse(rows.get(0).getStyleClass().contains(LogStyles.ERROR));
        // The theme's colours, not the default text colour.
        assertFalse(fx(() -> rows.get(1).getTextFill().equals(rows.get(0).getTextFill())), "stderr reads in another colour");
    }

    @Test
    void theConsoleFollowsTheTailAndStopsFollowingWhenScrolledUp(FxRobot robot) throws Exception {
        append(1, 1000, "line");
        waitUntil(() -> list(robot).getItems().size() == 1000);
        assertEquals("line 1000", textsInSight(robot).get(textsInSight(robot).size() - 1), "the newest line is in sight");
        Button jump = robot.lookup("#" + LogConsole.JUMP_ID).queryButton();
        assertFalse(jump.isVisible());

        append(1001, 1500, "line");
        waitUntil(() -> list(robot).getItems().size() == 1500);
        assertTrue(textsInSight(robot).contains("line 1500"), "still following: " + textsInSight(robot));

        // Scrolled up from the keyboard: the wheel's direction under the headless robot depends on the platform.
        robot.clickOn(rowsInSight(robot).get(0)).type(KeyCode.PAGE_UP, 2);
        waitUntil(() -> jump.isVisible());
        List<String> before = textsInSight(robot);
        assertFalse(before.contains("line 1500"), before.toString());

        append(1501, 1700, "line");
        waitUntil(() -> list(robot).getItems().size() == 1700);
        assertEquals(before, textsInSight(robot), "the lines being read stay where they are");
        assertEquals("Jump to end (200 new)", jump.getText());

        robot.clickOn(jump);
        waitUntil(() -> !jump.isVisible());
        assertTrue(textsInSight(robot).contains("line 1700"), textsInSight(robot).toString());
        append(1701, 1800, "line");
        waitUntil(() -> list(robot).getItems().size() == 1800);
        assertTrue(textsInSight(robot).contains("line 1800"), "following again");
    }

    @Test
    void memoryStaysBoundedAndASaveHoldsEveryLineInOrder(FxRobot robot) throws Exception {
        // As a long command writes: bursts, each shown before the next, then one far larger than the cap.
        for (int from = 1; from <= 30_000; from += 2_500) {
            append(from, from + 2_499, "copying relation");
            int last = from + 2_499;
            waitUntil(() -> !list(robot).getItems().isEmpty()
                    && list(robot).getItems().get(list(robot).getItems().size() - 1).text().equals("copying relation " + last));
            assertTrue(fx(() -> list(robot).getItems().size()) <= CAP, "never more than the cap in memory");
        }
        Thread producer = new Thread(() -> append(30_001, 50_000, "copying relation"));
        producer.start();
        producer.join();
        waitUntil(() -> !list(robot).getItems().isEmpty()
                && list(robot).getItems().get(list(robot).getItems().size() - 1).text().equals("copying relation 50000"));
        assertEquals(CAP, fx(() -> list(robot).getItems().size()), "only the newest lines live in memory");
        assertEquals(CAP, fx(() -> log.entries().size()));
        assertTrue(textsInSight(robot).contains("copying relation 50000"));
        String status = fx(() -> robot.lookup("#" + LogConsole.STATUS_ID).queryAs(Label.class).getText());
        assertTrue(status.contains("40,000 older on disk"), status);

        Path file = dir.resolve("whole.log");
        fx(() -> view.model().save(file));
        waitUntil(() -> view.model().savedProperty().get().startsWith("Saved"));
        assertEquals("Saved 50,000 lines to " + file, fx(() -> view.model().savedProperty().get()));
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(50_000, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).endsWith("  pg_upgrade  copying relation " + (i + 1))) {
                throw new AssertionError("line " + (i + 1) + " of the saved log is " + lines.get(i));
            }
        }
    }

    @Test
    void aFinishedTaskStaysListedWithItsOutcomeAndItsOwnLines(FxRobot robot) throws Exception {
        fx(() -> tasks.submit(BackgroundTask.of("Snapshot 13/main", p -> {
            p.log("CHECKPOINT");
            p.log("snapshot taken");
            return "ok";
        })));
        fx(() -> tasks.submit(BackgroundTask.of("Clone rehearsal", p -> {
            p.logError("btrfs: No space left on device");
            throw new IllegalStateException("no space left on /srv/data");
        })));
        log.append("console", "connected to db1");
        waitUntil(() -> tasks.running().isEmpty() && tasks.tasks().size() == 2);
        ListView<FxTaskExecutor.RunningTask> taskList = robot.lookup("#" + ActivityView.TASK_LIST_ID).queryListView();
        waitUntil(() -> outcomeOf(robot, "Snapshot 13/main").startsWith("Done in")
                && outcomeOf(robot, "Clone rehearsal").startsWith("Failed after"));
        assertTrue(fx(() -> outcomeOf(robot, "Clone rehearsal")).endsWith(": no space left on /srv/data"));
        assertTrue(fx(() -> cellOf(robot, "Clone rehearsal").getStyleClass().contains(LogStyles.TASK_FAILED)));
        assertFalse(fx(() -> shown(cellOf(robot, "Clone rehearsal").lookup("." + LogStyles.TASK_CANCEL))),
                "nothing to cancel once it ended");

        robot.clickOn(fx(() -> cellOf(robot, "Snapshot 13/main")));
        waitUntil(() -> list(robot).getItems().size() == 2);
        assertEquals(List.of("CHECKPOINT", "snapshot taken"), textsInSight(robot));
        assertEquals("Lines of Snapshot 13/main", fx(() -> robot.lookup("#" + LogConsole.SCOPE_ID).queryAs(Label.class).getText()));
        robot.clickOn(fx(() -> cellOf(robot, "Clone rehearsal")));
        waitUntil(() -> list(robot).getItems().size() == 2);
        assertTrue(rowsInSight(robot).get(0).getStyleClass().contains(LogStyles.STDERR));
        assertTrue(rowsInSight(robot).get(1).getStyleClass().contains(LogStyles.ERROR), "its failure is in its log");
        robot.clickOn("#" + LogConsole.SHOW_ALL_ID);
        waitUntil(() -> list(robot).getItems().size() == 5);
        assertEquals(null, fx(() -> taskList.getSelectionModel().getSelectedItem()));
    }

    @Test
    void onlyTheFiftyNewestEndedTasksStayListed(FxRobot robot) throws Exception {
        for (int i = 1; i <= FxTaskExecutor.KEEP_FINISHED + 5; i++) {
            int n = i;
            fx(() -> tasks.submit(BackgroundTask.of("Read " + n, p -> n)));
        }
        waitUntil(() -> tasks.running().isEmpty() && tasks.tasks().size() == FxTaskExecutor.KEEP_FINISHED);
        assertEquals("Read " + (FxTaskExecutor.KEEP_FINISHED + 5), fx(() -> tasks.tasks().get(0).title()), "newest first");
    }

    @Test
    void aLongTaskSaysHowItEndedInANotification(FxRobot robot) throws Exception {
        fx(() -> {
            view.notifyAfter(java.time.Duration.ofSeconds(1));
            tasks.submit(BackgroundTask.of("Quick read", p -> "ok"));
            return null;
        });
        waitUntil(() -> tasks.running().isEmpty() && tasks.tasks().size() == 1);
        assertTrue(robot.lookup("." + LogStyles.TOAST).queryAll().isEmpty(), "a quick task stays quiet");
        fx(() -> tasks.submit(BackgroundTask.of("Rehearsal of 13/main", p -> {
            Thread.sleep(1200);
            throw new IllegalStateException("pg_upgrade failed");
        })));
        waitUntil(() -> !robot.lookup("." + LogStyles.TOAST).queryAll().isEmpty());
        atlantafx.base.controls.Notification note = robot.lookup("." + LogStyles.TOAST).query();
        assertTrue(note.getMessage().startsWith("Rehearsal of 13/main\nFailed after 1 s: "), note.getMessage());
        assertTrue(note.getMessage().endsWith("pg_upgrade failed"), note.getMessage());
        assertTrue(note.getStyleClass().contains(atlantafx.base.theme.Styles.DANGER), "a failure reads as one");
    }

    private static ListCell<?> cellOf(FxRobot robot, String title) {
        return robot.lookup("#" + ActivityView.TASK_LIST_ID).lookup(".list-cell").queryAllAs(ListCell.class).stream()
                .filter(c -> c.getItem() instanceof FxTaskExecutor.RunningTask t && t.title().equals(title)).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + title));
    }

    private static String outcomeOf(FxRobot robot, String title) {
        return ((Label) cellOf(robot, title).lookup("." + LogStyles.TASK_OUTCOME)).getText();
    }
}
