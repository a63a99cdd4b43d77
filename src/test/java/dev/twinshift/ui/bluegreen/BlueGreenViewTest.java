package dev.twinshift.ui.bluegreen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.ui.Styles;
import dev.twinshift.ui.tasks.CurrentThreadTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The blue/green window as the administrator sees it, headless, against scripted server answers. */
@ExtendWith(ApplicationExtension.class)
class BlueGreenViewTest {
    private BlueGreenViewModelTest.Server server;
    private BlueGreenViewModel model;

    @Start
    void start(Stage stage) {
        server = new BlueGreenViewModelTest.Server();
        model = new BlueGreenViewModel(new CurrentThreadTaskExecutor(), server, new LogBuffer(100));
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        Scene scene = new Scene(new BlueGreenView(model).root(), 1040, 720);
        scene.getStylesheets().add(getClass().getResource(Styles.APP_STYLESHEET).toExternalForm());
        scene.getStylesheets().add(BlueGreenView.class.getResource("bluegreen.css").toExternalForm());
        stage.setScene(scene);
        stage.show();
        model.open();
    }

    private void clickWhenShown(FxRobot robot, String text) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(text).tryQuery().isPresent());
        robot.clickOn(robot.lookup(text).queryButton());
    }

    @Test
    void theSwitchoverWaitsForGreenGuardrailsAndAsksBeforeItMovesTheClients(FxRobot robot) throws Exception {
        assertTrue(robot.lookup("#bluegreen-setup").query().isVisible());
        assertTrue(robot.lookup("#bluegreen-prepare").queryButton().isDisabled(), "prepare waits for a preflight");
        robot.clickOn("#bluegreen-preflight");
        assertEquals(1, robot.lookup("#bluegreen-findings").queryAs(TableView.class).getItems().size());
        robot.clickOn("#bluegreen-prepare");

        assertTrue(robot.lookup("#bluegreen-follow").query().isVisible());
        Button switchOver = robot.lookup("#bluegreen-switchover").queryButton();
        assertTrue(switchOver.isDisabled(), "a red guardrail keeps the switchover off");
        ListView<?> rails = robot.lookup("#bluegreen-guardrails").queryAs(ListView.class);
        assertTrue(rails.getItems().get(0).toString().contains("40 MiB behind"), rails.getItems().toString());
        assertTrue(robot.lookup("#bluegreen-serving").queryAs(Label.class).getText().startsWith("13/main (blue) serves"));

        server.guardrailsGreen = true;
        robot.interact(model::refreshStatus);
        assertFalse(switchOver.isDisabled());
        robot.clickOn(switchOver);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("Switch over").match(n -> n != switchOver)
                .tryQuery().isPresent());
        robot.type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(server.calls.contains("switchover"), "Enter is Cancel in the confirmation: " + server.calls);

        robot.clickOn(switchOver);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane").tryQuery().isPresent());
        robot.clickOn(robot.lookup(".dialog-pane .button").match(n -> n instanceof Button b && b.getText().equals("Switch over"))
                .queryButton());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> server.calls.contains("switchover"));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#bluegreen-serving").queryAs(Label.class).getText().startsWith("15/main (green) serves"));
        assertEquals("15/main serves; clients were paused 512 ms.", robot.lookup("#bluegreen-last-switch").queryAs(Label.class)
                .getText());
        assertFalse(robot.lookup("#bluegreen-rollback").queryButton().isDisabled());
        assertTrue(robot.lookup("#bluegreen-abandon").queryButton().isDisabled());

        // Finish drops the way back: it takes the old cluster's name, typed.
        robot.clickOn("#bluegreen-finish");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#typed-confirmation").tryQuery().isPresent());
        Button finish = robot.lookup(".dialog-pane .button").match(n -> n instanceof Button b && b.getText().equals("Finish"))
                .queryButton();
        assertTrue(finish.isDisabled());
        robot.interact(() -> robot.lookup("#typed-confirmation").queryTextInputControl().setText("13/main"));
        robot.clickOn(finish);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#bluegreen-done").query().isVisible());
        assertEquals(List.of("preflight 6432", "prepare", "switchover", "finish"), server.calls);
        assertEquals("15/main serves; 13/main is stopped", robot.lookup("#bluegreen-outcome").queryAs(Label.class).getText());
    }
}
