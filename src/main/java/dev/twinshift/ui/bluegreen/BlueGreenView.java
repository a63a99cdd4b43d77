package dev.twinshift.ui.bluegreen;

import dev.twinshift.ui.Dialogs;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.Tables;
import dev.twinshift.ui.ViewLoader;
import dev.twinshift.upgrade.BlueGreenPreflight;
import dev.twinshift.upgrade.BlueGreenStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * Binds the blue/green window to its view model: four pages (the pooler and preflight, green being
 * made, the catch-up and switches, the end), a lag chart fed from the view model's samples, and the
 * confirmations that name what each button changes.
 */
public final class BlueGreenView {
    /** How often the lag and guardrails are read while green (or blue) follows. */
    static final Duration STATUS_EVERY = Duration.seconds(2);

    private final BlueGreenViewModel model;
    private final Parent root;
    private final Timeline poll;

    @FXML private Label title;
    @FXML private Label planText;
    @FXML private VBox setupPage;
    @FXML private VBox preparePage;
    @FXML private VBox followPage;
    @FXML private VBox donePage;
    @FXML private TextField poolerPort;
    @FXML private TextField poolerSocket;
    @FXML private TextField poolerUser;
    @FXML private TextField poolerIni;
    @FXML private Label poolerProblem;
    @FXML private Button preflightButton;
    @FXML private Button prepareButton;
    @FXML private TableView<BlueGreenPreflight.Finding> findingTable;
    @FXML private TableColumn<BlueGreenPreflight.Finding, String> findingSeverity;
    @FXML private TableColumn<BlueGreenPreflight.Finding, String> findingCheck;
    @FXML private TableColumn<BlueGreenPreflight.Finding, String> findingText;
    @FXML private TableColumn<BlueGreenPreflight.Finding, String> findingFix;
    @FXML private Label verdict;
    @FXML private ProgressIndicator prepareProgress;
    @FXML private ListView<BlueGreenViewModel.StepRow> stepList;
    @FXML private FontIcon servingIcon;
    @FXML private Label servingLabel;
    @FXML private Label statusText;
    @FXML private LineChart<Number, Number> lagChart;
    @FXML private ListView<BlueGreenStatus.Guardrail> guardrailList;
    @FXML private Label lastSwitch;
    @FXML private Button switchButton;
    @FXML private Button rollBackButton;
    @FXML private Button finishButton;
    @FXML private Button abandonButton;
    @FXML private Label outcome;
    @FXML private Label message;
    @FXML private ListView<String> logList;

    public BlueGreenView(BlueGreenViewModel model) {
        this.model = model;
        this.root = ViewLoader.load(this, "BlueGreenView.fxml");
        this.poll = new Timeline(new KeyFrame(STATUS_EVERY, e -> model.refreshStatus()));
        poll.setCycleCount(Timeline.INDEFINITE);
    }

    public Parent root() {
        return root;
    }

    /** Starts reading the lag every few seconds; the window stops it when it closes. */
    public void startWatching() {
        poll.play();
    }

    public void stopWatching() {
        poll.stop();
    }

    @FXML
    private void initialize() {
        title.setText(model.title());
        planText.textProperty().bind(model.planTextProperty());
        Map<BlueGreenViewModel.Page, Node> pages = new LinkedHashMap<>();
        pages.put(BlueGreenViewModel.Page.SETUP, setupPage);
        pages.put(BlueGreenViewModel.Page.PREPARE, preparePage);
        pages.put(BlueGreenViewModel.Page.FOLLOW, followPage);
        pages.put(BlueGreenViewModel.Page.DONE, donePage);
        pages.forEach((p, n) -> {
            n.visibleProperty().bind(model.pageProperty().isEqualTo(p));
            n.managedProperty().bind(n.visibleProperty());
        });

        poolerPort.textProperty().bindBidirectional(model.poolerPortProperty());
        poolerSocket.textProperty().bindBidirectional(model.poolerSocketProperty());
        poolerUser.textProperty().bindBidirectional(model.poolerUserProperty());
        poolerIni.textProperty().bindBidirectional(model.poolerIniProperty());
        poolerProblem.textProperty().bind(model.poolerProblemProperty());
        poolerProblem.visibleProperty().bind(model.poolerProblemProperty().isNotEmpty());
        poolerProblem.managedProperty().bind(poolerProblem.visibleProperty());
        preflightButton.disableProperty().bind(model.canPreflightProperty().not());
        prepareButton.disableProperty().bind(model.canPrepareProperty().not());
        Tables.text(findingSeverity, f -> f.severity().name());
        Tables.text(findingCheck, BlueGreenPreflight.Finding::check);
        Tables.text(findingText, BlueGreenPreflight.Finding::text);
        Tables.text(findingFix, f -> f.fix() == null ? "" : f.fix());
        findingSeverity.setCellFactory(c -> new SeverityCell());
        findingText.setCellFactory(c -> new WrappedCell());
        findingFix.setCellFactory(c -> new WrappedCell());
        findingTable.setItems(model.findings());
        verdict.textProperty().bind(model.verdictProperty());

        prepareProgress.visibleProperty().bind(model.busyProperty());
        stepList.setItems(model.steps());
        stepList.setCellFactory(v -> new StepCell());

        servingLabel.textProperty().bind(model.servingProperty().map(s -> s.isEmpty() ? "" : "green".equals(s)
                ? model.newId() + " (green) serves the clients; " + model.oldId() + " follows it"
                : model.oldId() + " (blue) serves the clients; " + model.newId() + " follows it"));
        servingIcon.iconColorProperty().unbind();
        model.servingProperty().addListener((o, a, b) -> styleServing(b));
        styleServing(model.servingProperty().get());
        statusText.textProperty().bind(model.statusTextProperty());
        guardrailList.setItems(model.guardrails());
        guardrailList.setCellFactory(v -> new GuardrailCell());
        lastSwitch.textProperty().bind(model.lastSwitchProperty());
        switchButton.disableProperty().bind(model.canSwitchOverProperty().not());
        rollBackButton.disableProperty().bind(model.canRollBackProperty().not());
        finishButton.disableProperty().bind(model.canFinishProperty().not());
        abandonButton.disableProperty().bind(model.canAbandonProperty().not());
        switchButton.setTooltip(new Tooltip("Enabled when every guardrail on the right is green"));
        model.lag().addListener((ListChangeListener<BlueGreenViewModel.LagSample>) c -> redrawLag());
        redrawLag();

        outcome.textProperty().bind(model.outcomeProperty());
        message.textProperty().bind(model.messageProperty());
        message.visibleProperty().bind(model.messageProperty().isNotEmpty());
        message.managedProperty().bind(message.visibleProperty());
        logList.setItems(model.log().lines());
    }

    private void styleServing(String serving) {
        servingIcon.getStyleClass().removeAll(Styles.STATUS_OK, Styles.STATUS_BUSY);
        boolean green = "green".equals(serving);
        servingIcon.getStyleClass().add(green ? Styles.STATUS_OK : Styles.STATUS_BUSY);
    }

    /** One series per database; the chart holds at most what the view model keeps. */
    private void redrawLag() {
        Map<String, XYChart.Series<Number, Number>> series = new LinkedHashMap<>();
        for (BlueGreenViewModel.LagSample s : List.copyOf(model.lag())) {
            series.computeIfAbsent(s.database(), d -> {
                XYChart.Series<Number, Number> x = new XYChart.Series<>();
                x.setName(d);
                return x;
            }).getData().add(new XYChart.Data<>(s.seconds(), s.bytes() / 1024.0));
        }
        lagChart.getData().setAll(series.values());
    }

    @FXML
    private void runPreflight() {
        model.runPreflight();
    }

    @FXML
    private void prepare() {
        model.prepare();
    }

    @FXML
    private void switchOver() {
        if (Dialogs.confirm(root.getScene().getWindow(), "Switch the clients to " + model.newId() + "?",
                model.switchOverConfirmation(), "Switch over", false)) {
            model.switchOver();
        }
    }

    @FXML
    private void rollBack() {
        if (Dialogs.confirm(root.getScene().getWindow(), "Send the clients back to " + model.oldId() + "?",
                model.rollBackConfirmation(), "Roll back", false)) {
            model.rollBack();
        }
    }

    @FXML
    private void finish() {
        if (Dialogs.typedConfirmation(root.getScene().getWindow(), "Finish: drop the way back to " + model.oldId(),
                model.finishConfirmation(), model.oldId(), "Finish")) {
            model.finish();
        }
    }

    @FXML
    private void abandon() {
        if (Dialogs.confirm(root.getScene().getWindow(), "Abandon " + model.newId() + "?", model.abandonConfirmation(),
                "Abandon green", true)) {
            model.abandon();
        }
    }

    @FXML
    private void close() {
        root.getScene().getWindow().hide();
    }

    private static final class SeverityCell extends TableCell<BlueGreenPreflight.Finding, String> {
        @Override
        protected void updateItem(String s, boolean empty) {
            super.updateItem(s, empty);
            getStyleClass().removeAll(Styles.STATUS_OK, Styles.STATUS_BUSY, Styles.STATUS_ERROR);
            setText(empty ? null : s);
            if (!empty) {
                String status = "FATAL".equals(s) ? Styles.STATUS_ERROR : "WARNING".equals(s) ? Styles.STATUS_BUSY
                        : Styles.STATUS_OK;
                getStyleClass().add(status);
            }
        }
    }

    /** A finding's sentence in full: wrapped to the column, and on hover. */
    private static final class WrappedCell extends TableCell<BlueGreenPreflight.Finding, String> {
        private final javafx.scene.text.Text text = new javafx.scene.text.Text();

        WrappedCell() {
            text.getStyleClass().add(BlueGreenStyles.FINDING_TEXT);
            text.wrappingWidthProperty().bind(widthProperty().subtract(12));
        }

        @Override
        protected void updateItem(String s, boolean empty) {
            super.updateItem(s, empty);
            boolean none = empty || s == null || s.isEmpty();
            text.setText(none ? "" : s);
            setGraphic(none ? null : text);
            setTooltip(none ? null : new Tooltip(s));
        }
    }

    private static final class StepCell extends ListCell<BlueGreenViewModel.StepRow> {
        @Override
        protected void updateItem(BlueGreenViewModel.StepRow r, boolean empty) {
            super.updateItem(r, empty);
            if (empty || r == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            setText(r.title() + (r.message().isEmpty() ? "" : " — " + r.message()));
            setTooltip(r.message().isEmpty() ? null : new Tooltip(r.message()));
            FontIcon icon = new FontIcon(switch (r.state()) {
                case PENDING -> "fth-circle";
                case RUNNING -> "fth-loader";
                case DONE -> "fth-check-circle";
                case FAILED -> "fth-x-circle";
            });
            icon.getStyleClass().add(switch (r.state()) {
                case DONE -> Styles.STATUS_OK;
                case FAILED -> Styles.STATUS_ERROR;
                case RUNNING -> Styles.STATUS_BUSY;
                case PENDING -> Styles.STATUS_IDLE;
            });
            setGraphic(icon);
        }
    }

    private static final class GuardrailCell extends ListCell<BlueGreenStatus.Guardrail> {
        @Override
        protected void updateItem(BlueGreenStatus.Guardrail g, boolean empty) {
            super.updateItem(g, empty);
            if (empty || g == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            setText(g.name() + ": " + g.detail());
            setWrapText(true);
            setPrefWidth(0);
            setTooltip(new Tooltip(g.detail()));
            FontIcon icon = new FontIcon(g.green() ? "fth-check-circle" : "fth-alert-octagon");
            icon.getStyleClass().add(g.green() ? Styles.STATUS_OK : Styles.STATUS_ERROR);
            setGraphic(icon);
        }
    }
}
