package dev.twinshift.ui.wizard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.ui.tasks.CurrentThreadTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.GridPane;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The wizard in its own window, as the cluster view opens it, driven to the report and the result
 * with a scripted engine: what the administrator sees there, and how the window goes away.
 */
@ExtendWith(ApplicationExtension.class)
class WizardWindowTest {
    private UpgradeWizardViewModel model;
    private Stage window;
    private final AtomicBoolean hidden = new AtomicBoolean();

    @Start
    void start(Stage stage) {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        model = new UpgradeWizardViewModel(new CurrentThreadTaskExecutor(), WizardFixtures.answering(), new LogBuffer(100));
        hidden.set(false);
        window = UpgradeWizardWindow.show(stage, model, () -> hidden.set(true), null);
    }

    private Node find(FxRobot robot, String query) {
        return robot.from(window.getScene().getRoot()).lookup(query).query();
    }

    private void toReport(FxRobot robot) {
        robot.interact(() -> {
            model.next();
            model.next();
            model.rehearse();
            model.next();
        });
        assertTrue(find(robot, "#page-report").isVisible());
    }

    private void toResult(FxRobot robot) {
        toReport(robot);
        robot.interact(() -> {
            model.next();
            model.typedConfirmationProperty().set("13/main");
            model.cutOver();
        });
        assertTrue(find(robot, "#page-result").isVisible());
    }

    @Test
    void theWindowAndItsHeaderNameTheServerAsWellAsTheCluster(FxRobot robot) {
        assertEquals("Upgrade 13/main on db1", window.getTitle());
        assertEquals("Upgrade 13/main on db1", ((Label) find(robot, "#wizard-title")).getText());
    }

    @Test
    void theReportIsADocumentWithItsTablesNotMarkdownSource(FxRobot robot) {
        toReport(robot);
        Node view = find(robot, "#report-view");
        assertTrue(robot.from(view).lookup("." + WizardStyles.REPORT_H1).tryQuery().isPresent(), "the title is a heading");
        var tables = robot.from(view).lookup("." + WizardStyles.REPORT_TABLE).queryAllAs(GridPane.class);
        assertTrue(tables.size() >= 3, "steps, tables, checks and workload: " + tables.size());
        assertTrue(tables.stream().anyMatch(table -> robot.from(table).lookup("." + WizardStyles.REPORT_TD + " ." + WizardStyles.REPORT_RUN).queryAllAs(Text.class)
                .stream().anyMatch(t -> t.getText().equals("postgres.public.pgbench_accounts"))), "the tables' rows are cells");
        assertFalse(robot.from(view).lookup("." + WizardStyles.REPORT_RUN).queryAllAs(Text.class).stream()
                .anyMatch(t -> t.getText().contains("| ---") || t.getText().startsWith("# ")), "no Markdown shows through");
    }

    @Test
    void exportWritesAStandaloneHtmlFileWithTheReportsHeadings(FxRobot robot, @TempDir Path dir) throws Exception {
        toReport(robot);
        Path file = dir.resolve("report.html");
        UpgradeWizardView view = (UpgradeWizardView) window.getScene().getRoot().getProperties().get(UpgradeWizardView.class);
        robot.interact(() -> view.setReportFile(owner -> file.toFile()));
        robot.clickOn(find(robot, "#export-report"));
        WaitForAsyncUtils.waitForFxEvents();
        String html = Files.readString(file);
        assertTrue(html.startsWith("<!DOCTYPE html>"), html);
        assertTrue(html.contains("<h1>Rehearsal of 13/main -&gt; 15</h1>"), html);
        assertTrue(html.contains("<h2>Tables (2 of 2 equal)</h2>"), html);
        assertTrue(html.contains("<table>"), html);
        assertTrue(((Label) find(robot, "#wizard-message")).getText().contains("report.html"));
    }

    @Test
    void theResultPagesCloseButtonClosesTheWindow(FxRobot robot) {
        toResult(robot);
        robot.clickOn(find(robot, "#close-wizard"));
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(window.isShowing());
        assertTrue(hidden.get(), "the cluster view is told, as when the window's own close is used");
    }

    @Test
    void theResultPageOpensWithCloseFocusedNotTheRollback(FxRobot robot) {
        toResult(robot);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(find(robot, "#close-wizard").isFocused(), "Space or Enter on the page closes it, never rolls back");
        assertFalse(((javafx.scene.control.Button) find(robot, "#roll-back")).isDefaultButton());
    }

    @Test
    void escapeClosesTheResultPage(FxRobot robot) {
        toResult(robot);
        robot.interact(() -> {
            window.requestFocus();
            find(robot, "#page-result").requestFocus();
        });
        robot.press(KeyCode.ESCAPE).release(KeyCode.ESCAPE);
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(window.isShowing());
    }

    @Test
    void afterARollbackTheResultShowsTheRollbackNotTheCutoversDowntime(FxRobot robot) {
        toResult(robot);
        Label line = (Label) find(robot, "#downtime-measured");
        assertTrue(line.getText().startsWith("Measured downtime: 6.2 s"), line.getText());
        robot.interact(model::rollBack);
        assertTrue(((Label) find(robot, "#outcome-text")).getText().startsWith("Rolled back"));
        assertTrue(line.getText().startsWith("Rollback done: 13/main serves on port 5433"), line.getText());
        assertFalse(line.getText().contains("Measured downtime"), line.getText());
    }
}
