package dev.twinshift.ui.wizard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.ui.Styles;
import dev.twinshift.ui.tasks.CurrentThreadTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.upgrade.UpgradePlanner;
import java.util.List;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** What the administrator sees of the pages' rules, headless; the engine's answers come from captured output. */
@ExtendWith(ApplicationExtension.class)
class UpgradeWizardViewTest {
    private UpgradeWizardViewModel model;

    @Start
    void start(Stage stage) {
        model = new UpgradeWizardViewModel(new CurrentThreadTaskExecutor(), new ScriptedEngine(), new LogBuffer(100));
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        Scene scene = new Scene(new UpgradeWizardView(model).root(), 1040, 720);
        scene.getStylesheets().add(getClass().getResource(Styles.APP_STYLESHEET).toExternalForm());
        scene.getStylesheets().add(UpgradeWizardView.class.getResource("wizard.css").toExternalForm());
        stage.setScene(scene);
        stage.show();
    }

    @Test
    void refusalsAreListedAndNextIsOff(FxRobot robot) {
        robot.interact(() -> model.planned(UpgradePlanner.plan(WizardFixtures.facts(List.of("13")), null, null,
                WizardFixtures.NOW)));
        VBox refusals = robot.lookup("#refusals").queryAs(VBox.class);
        assertTrue(refusals.isVisible());
        ListView<?> list = robot.lookup("#refusal-list").queryAs(ListView.class);
        assertTrue(list.getItems().get(0).toString().startsWith("No PostgreSQL newer than 13"));
        assertTrue(robot.lookup("#wizard-next").queryButton().isDisabled());
        assertFalse(robot.lookup("#plan-text").queryAs(Label.class).isVisible(), "no plan to show");
    }

    @Test
    void blockersKeepNextOffUntilThePreflightPasses(FxRobot robot) {
        robot.interact(() -> model.planned(WizardFixtures.planTo15()));
        Button next = robot.lookup("#wizard-next").queryButton();
        assertFalse(next.isDisabled());
        robot.clickOn(next);
        assertTrue(robot.lookup("#page-preflight").query().isVisible());
        assertTrue(robot.lookup("#wizard-step-preflight").query().getStyleClass().contains(WizardStyles.WIZARD_STEP_CURRENT));
        assertTrue(robot.lookup("#wizard-step-target").query().getStyleClass().contains(WizardStyles.WIZARD_STEP_DONE));

        robot.interact(() -> model.preflighted(WizardFixtures.preflight("reg-types.txt")));
        assertTrue(next.isDisabled(), "a blocker stops the wizard");
        String verdict = robot.lookup("#preflight-verdict").queryAs(Label.class).getText();
        assertTrue(verdict.contains("fix it") && verdict.contains("run the preflight again"), verdict);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("." + WizardStyles.SEVERITY_FATAL).tryQuery().isPresent(), "the blocker has its icon");
        assertFalse(robot.lookup("#run-preflight").queryButton().isDisabled(), "run it again after the fix");

        robot.interact(() -> model.preflighted(WizardFixtures.preflight("clean.txt")));
        assertFalse(next.isDisabled());
    }

    @Test
    void cutOverIsEnabledOnlyByTypingTheClusterId(FxRobot robot) {
        robot.interact(() -> {
            model.planned(WizardFixtures.planTo15());
            model.next();
            model.preflighted(WizardFixtures.preflight("clean.txt"));
            model.next();
            model.rehearsed(WizardFixtures.rehearsal());
            model.next();
            model.next();
        });
        assertTrue(robot.lookup("#page-cutover").query().isVisible());
        assertTrue(robot.lookup("#downtime-text").queryAs(Label.class).getText().contains("Expected downtime: about 5–11 s"));
        Button cut = robot.lookup("#cut-over").queryButton();
        assertTrue(cut.isDisabled());
        assertEquals("Type 13/main to confirm:", robot.lookup("#confirm-prompt").queryAs(Label.class).getText());
        robot.clickOn("#cutover-confirmation").write("13/mai");
        assertTrue(cut.isDisabled());
        robot.write("n");
        assertFalse(cut.isDisabled(), "typed exactly");
    }
}
