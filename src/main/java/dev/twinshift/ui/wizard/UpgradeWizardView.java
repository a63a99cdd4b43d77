package dev.twinshift.ui.wizard;

import dev.twinshift.ui.Dialogs;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.Tables;
import dev.twinshift.ui.ViewLoader;
import dev.twinshift.ui.wizard.UpgradeWizardViewModel.Page;
import dev.twinshift.upgrade.PgUpgradeCheckReport;
import dev.twinshift.upgrade.Validation;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.beans.value.WeakChangeListener;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.collections.WeakListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.javafx.FontIcon;

/** Binds the upgrade wizard's pages to its view model; decides nothing itself. */
public final class UpgradeWizardView {
    @FXML private VBox stepIndicator;
    @FXML private Label wizardTitle;
    @FXML private VBox unfinishedPage;
    @FXML private Label unfinishedText;
    @FXML private Button resumeButton;
    @FXML private Button unfinishedRollbackButton;
    @FXML private VBox targetPage;
    @FXML private Label clusterLabel;
    @FXML private ComboBox<String> versionBox;
    @FXML private TextField newNameField;
    @FXML private Button planButton;
    @FXML private Label planLabel;
    @FXML private javafx.scene.layout.HBox blueGreenBox;
    @FXML private VBox refusalBox;
    @FXML private ListView<String> refusalList;
    @FXML private VBox preflightPage;
    @FXML private Button preflightButton;
    @FXML private Label preflightVerdict;
    @FXML private ListView<PgUpgradeCheckReport.Finding> findingList;
    @FXML private TableView<StepRow> preflightSteps;
    @FXML private TableColumn<StepRow, StepRow> pfStateCol;
    @FXML private TableColumn<StepRow, String> pfTitleCol;
    @FXML private TableColumn<StepRow, String> pfTimeCol;
    @FXML private TableColumn<StepRow, String> pfMessageCol;
    @FXML private VBox rehearsalPage;
    @FXML private CheckBox keepClonesBox;
    @FXML private Button rehearseButton;
    @FXML private TextArea checksArea;
    @FXML private Label checksProblem;
    @FXML private Label rehearsalVerdict;
    @FXML private TableView<StepRow> rehearsalSteps;
    @FXML private TableColumn<StepRow, StepRow> rhStateCol;
    @FXML private TableColumn<StepRow, String> rhTitleCol;
    @FXML private TableColumn<StepRow, String> rhTimeCol;
    @FXML private TableColumn<StepRow, String> rhMessageCol;
    @FXML private ListView<String> rehearsalLog;
    @FXML private VBox reportPage;
    @FXML private Label reportVerdict;
    @FXML private Label tablesSummary;
    @FXML private TextArea reportArea;
    @FXML private javafx.scene.control.ScrollPane reportScroll;
    @FXML private Button exportButton;
    @FXML private Button closeButton;
    @FXML private TableView<Validation.TableComparison> tableTable;
    @FXML private TableColumn<Validation.TableComparison, String> tTableCol;
    @FXML private TableColumn<Validation.TableComparison, String> tBeforeCol;
    @FXML private TableColumn<Validation.TableComparison, String> tAfterCol;
    @FXML private TableColumn<Validation.TableComparison, String> tEqualCol;
    @FXML private TableView<Validation.SideBySide> diffTable;
    @FXML private TableColumn<Validation.SideBySide, String> dQueryCol;
    @FXML private TableColumn<Validation.SideBySide, String> dDbCol;
    @FXML private TableColumn<Validation.SideBySide, String> dResultCol;
    @FXML private TableColumn<Validation.SideBySide, String> dBeforeCol;
    @FXML private TableColumn<Validation.SideBySide, String> dAfterCol;
    @FXML private TableColumn<Validation.SideBySide, String> dPlanCol;
    @FXML private VBox cutoverPage;
    @FXML private Label downtimeText;
    @FXML private Spinner<Integer> graceSpinner;
    @FXML private Label confirmPrompt;
    @FXML private TextField confirmField;
    @FXML private Button cutoverButton;
    @FXML private TableView<StepRow> cutoverSteps;
    @FXML private TableColumn<StepRow, StepRow> coStateCol;
    @FXML private TableColumn<StepRow, String> coTitleCol;
    @FXML private TableColumn<StepRow, String> coTimeCol;
    @FXML private TableColumn<StepRow, String> coMessageCol;
    @FXML private ListView<String> cutoverLog;
    @FXML private VBox resultPage;
    @FXML private Label outcomeText;
    @FXML private Label downtimeMeasured;
    @FXML private Label snapshotText;
    @FXML private Button rollbackButton;
    @FXML private ListView<String> resultLog;
    @FXML private ProgressIndicator busy;
    @FXML private Label busyLabel;
    @FXML private Label messageLabel;
    @FXML private Button backButton;
    @FXML private Button nextButton;

    private final UpgradeWizardViewModel model;
    private final Parent root;
    /**
     * The listeners this view put on the model, held here and given to the model weakly: the model
     * outlives the window (its steps go on after it is closed), and a view reopened later must not
     * leave the old one's node tree behind, still scrolling its logs.
     */
    private final List<Object> listeners = new ArrayList<>();
    private Runnable onBlueGreen;
    /** Where the exported report goes; the user chooses, a test answers for them. */
    private java.util.function.Function<javafx.stage.Window, java.io.File> reportFile = UpgradeWizardView::chooseReportFile;

    public UpgradeWizardView(UpgradeWizardViewModel model) {
        this.model = model;
        this.root = ViewLoader.load(this, "UpgradeWizardView.fxml");
        // The window holds only its root; tests (and the tour) reach the controller from there.
        root.getProperties().put(UpgradeWizardView.class, this);
        // The result page is an end: Escape closes it as Close does. Elsewhere Escape is left alone, as
        // closing a wizard not yet at work would drop what it learnt.
        root.addEventHandler(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == javafx.scene.input.KeyCode.ESCAPE && model.pageProperty().get() == Page.RESULT) {
                e.consume();
                close();
            }
        });
    }

    public Parent root() {
        return root;
    }

    /** What "Blue/green instead..." opens; without one the choice is not offered. */
    public void setOnBlueGreen(Runnable open) {
        onBlueGreen = open;
        blueGreenBox.setVisible(open != null);
        blueGreenBox.setManaged(open != null);
    }

    @FXML
    private void initialize() {
        wizardTitle.setText(model.title());
        setOnBlueGreen(null);
        Map<Page, Node> pages = new EnumMap<>(Page.class);
        pages.put(Page.UNFINISHED, unfinishedPage);
        pages.put(Page.TARGET, targetPage);
        pages.put(Page.PREFLIGHT, preflightPage);
        pages.put(Page.REHEARSAL, rehearsalPage);
        pages.put(Page.REPORT, reportPage);
        pages.put(Page.CUTOVER, cutoverPage);
        pages.put(Page.RESULT, resultPage);
        pages.forEach((p, n) -> n.visibleProperty().bind(model.pageProperty().isEqualTo(p)));
        for (Page p : Page.values()) {
            Label l = new Label(p.title());
            l.setId("wizard-step-" + p.name().toLowerCase());
            l.getStyleClass().add(WizardStyles.WIZARD_STEP);
            if (p == Page.UNFINISHED) {
                l.visibleProperty().bind(model.pageProperty().isEqualTo(Page.UNFINISHED));
                l.managedProperty().bind(l.visibleProperty());
            }
            stepIndicator.getChildren().add(l);
        }
        listen(model.pageProperty(), (o, a, b) -> markSteps(b));
        markSteps(model.pageProperty().get());

        busy.visibleProperty().bind(model.busyProperty());
        busyLabel.textProperty().bind(model.busyTextProperty());
        messageLabel.textProperty().bind(model.messageProperty());
        messageLabel.visibleProperty().bind(model.messageProperty().isNotEmpty());
        messageLabel.managedProperty().bind(messageLabel.visibleProperty());
        javafx.scene.control.Tooltip full = new javafx.scene.control.Tooltip();
        full.textProperty().bind(model.messageProperty());
        full.setWrapText(true);
        full.setMaxWidth(720);
        messageLabel.setTooltip(full);
        backButton.disableProperty().bind(model.canBackProperty().not());
        nextButton.disableProperty().bind(model.canNextProperty().not());
        var lastPages = model.pageProperty().isEqualTo(Page.RESULT).or(model.pageProperty().isEqualTo(Page.UNFINISHED));
        backButton.visibleProperty().bind(lastPages.not());
        nextButton.visibleProperty().bind(lastPages.not());

        unfinishedText.textProperty().bind(model.unfinishedTextProperty());
        resumeButton.disableProperty().bind(model.canResumeProperty().not());
        unfinishedRollbackButton.disableProperty().bind(model.canRollBackProperty().not());

        clusterLabel.setText(model.cluster().id() + " (port " + model.cluster().port() + ", " + model.cluster().dataDirectory() + ")");
        versionBox.setItems(model.versions());
        versionBox.valueProperty().bindBidirectional(model.targetVersionProperty());
        versionBox.disableProperty().bind(model.busyProperty());
        newNameField.textProperty().bindBidirectional(model.newNameProperty());
        newNameField.setOnAction(e -> model.plan());
        planButton.disableProperty().bind(model.busyProperty().or(model.targetVersionProperty().isNull()));
        planLabel.textProperty().bind(model.planTextProperty());
        planLabel.visibleProperty().bind(model.planProperty().isNotNull());
        planLabel.managedProperty().bind(planLabel.visibleProperty());
        refusalList.setItems(model.refusals());
        refusalList.setCellFactory(UpgradeWizardView::wrappedCell);
        refusalBox.visibleProperty().bind(Bindings.isNotEmpty(model.refusals()));
        refusalBox.managedProperty().bind(refusalBox.visibleProperty());

        preflightButton.disableProperty().bind(model.busyProperty().or(model.planProperty().isNull()));
        preflightVerdict.textProperty().bind(model.preflightVerdictProperty());
        listen(model.blockedProperty(), (o, a, b) -> pseudo(preflightVerdict, b));
        pseudo(preflightVerdict, model.blockedProperty().get());
        findingList.setItems(model.findings());
        findingList.setPlaceholder(new Label("Findings appear here once pg_upgrade --check has run."));
        findingList.setCellFactory(l -> findingCell(l));
        steps(preflightSteps, model.preflightSteps(), pfStateCol, pfTitleCol, pfTimeCol, pfMessageCol);

        keepClonesBox.selectedProperty().bindBidirectional(model.keepClonesProperty());
        checksArea.textProperty().bindBidirectional(model.checksTextProperty());
        checksArea.disableProperty().bind(model.busyProperty());
        checksProblem.textProperty().bind(model.checksProblemProperty());
        rehearseButton.disableProperty().bind(model.canRehearseProperty().not());
        rehearsalVerdict.textProperty().bind(model.rehearsalVerdictProperty());
        for (Label l : new Label[] {checksProblem, rehearsalVerdict}) {
            l.visibleProperty().bind(l.textProperty().isNotEmpty());
            l.managedProperty().bind(l.visibleProperty());
        }
        steps(rehearsalSteps, model.rehearsalSteps(), rhStateCol, rhTitleCol, rhTimeCol, rhMessageCol);
        follow(rehearsalLog, model.log().lines());

        reportVerdict.textProperty().bind(model.rehearsalVerdictProperty());
        tablesSummary.textProperty().bind(model.tablesSummaryProperty());
        reportArea.textProperty().bind(model.reportTextProperty());
        listen(model.reportTextProperty(), (o, a, b) -> reportScroll.setContent(ReportDocument.nodes(b)));
        reportScroll.setContent(ReportDocument.nodes(model.reportTextProperty().get()));
        exportButton.disableProperty().bind(model.reportTextProperty().isEmpty().or(model.busyProperty()));
        tableTable.setItems(model.tables());
        Tables.text(tTableCol, Validation.TableComparison::table);
        Tables.text(tBeforeCol, t -> t.before() == null ? "missing" : t.before());
        Tables.text(tAfterCol, t -> t.after() == null ? "missing" : t.after());
        Tables.text(tEqualCol, t -> t.equal() ? "equal" : "DIFFERS");
        diffTable.setItems(model.comparisons());
        Tables.text(dQueryCol, Validation.SideBySide::name);
        Tables.text(dDbCol, Validation.SideBySide::database);
        Tables.text(dResultCol, s -> s.error() != null ? "error" : s.sameResult() ? "same" : "differs");
        Tables.text(dBeforeCol, s -> s.beforeMillis() < 0 ? "" : s.beforeMillis() + " ms");
        Tables.text(dAfterCol, s -> s.afterMillis() < 0 ? "" : s.afterMillis() + " ms");
        Tables.text(dPlanCol, s -> s.planBefore() == null ? "-" : s.planChanged() ? "changed" : "same");

        downtimeText.textProperty().bind(model.downtimeTextProperty());
        SpinnerValueFactory.IntegerSpinnerValueFactory grace = new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 3600,
                model.graceSecondsProperty().get(), 5);
        graceSpinner.setValueFactory(grace);
        grace.valueProperty().addListener((o, a, b) -> model.graceSecondsProperty().set(b == null ? 0 : b));
        graceSpinner.disableProperty().bind(model.busyProperty());
        confirmPrompt.setText(model.confirmPrompt());
        confirmField.setPromptText(model.confirmationWord());
        confirmField.textProperty().bindBidirectional(model.typedConfirmationProperty());
        confirmField.disableProperty().bind(model.busyProperty());
        cutoverButton.disableProperty().bind(model.canCutOverProperty().not());
        steps(cutoverSteps, model.cutoverSteps(), coStateCol, coTitleCol, coTimeCol, coMessageCol);
        follow(cutoverLog, model.log().lines());

        outcomeText.textProperty().bind(model.outcomeTextProperty());
        downtimeMeasured.textProperty().bind(model.downtimeMeasuredProperty());
        snapshotText.textProperty().bind(model.snapshotTextProperty());
        rollbackButton.disableProperty().bind(model.canRollBackProperty().not());
        follow(resultLog, model.log().lines());
        // A log followed while its page was hidden did not scroll: shown, it opens on its newest lines.
        listen(model.pageProperty(), (o, a, b) -> {
            ListView<String> shown = b == Page.RESULT ? resultLog : b == Page.CUTOVER ? cutoverLog
                    : b == Page.REHEARSAL ? rehearsalLog : null;
            if (shown != null && !shown.getItems().isEmpty()) {
                shown.scrollTo(shown.getItems().size() - 1);
            }
            // The result page opens with Close focused: Space must not start the rollback beside it.
            if (b == Page.RESULT) {
                javafx.application.Platform.runLater(closeButton::requestFocus);
            }
        });
    }

    private void markSteps(Page current) {
        boolean before = true;
        for (Node n : stepIndicator.getChildren()) {
            if (!n.getStyleClass().contains(WizardStyles.WIZARD_STEP)) {
                continue;
            }
            boolean isCurrent = n.getId().equals("wizard-step-" + current.name().toLowerCase());
            n.getStyleClass().removeAll(WizardStyles.WIZARD_STEP_CURRENT, WizardStyles.WIZARD_STEP_DONE);
            if (isCurrent) {
                n.getStyleClass().add(WizardStyles.WIZARD_STEP_CURRENT);
                before = false;
            } else if (before && current != Page.UNFINISHED) {
                n.getStyleClass().add(WizardStyles.WIZARD_STEP_DONE);
            }
        }
    }

    private static void pseudo(Label l, boolean blocked) {
        l.getStyleClass().removeAll(Styles.STATUS_ERROR);
        if (blocked) {
            l.getStyleClass().add(Styles.STATUS_ERROR);
        }
    }

    /** A finding: its icon, the check in bold, what it means, and what to do. */
    private static ListCell<PgUpgradeCheckReport.Finding> findingCell(ListView<PgUpgradeCheckReport.Finding> list) {
        return new ListCell<>() {
            private final Label check = wrapped(list, WizardStyles.FINDING_CHECK);
            private final Label explanation = wrapped(list, WizardStyles.FINDING_EXPLANATION);
            private final Label fix = wrapped(list, WizardStyles.FINDING_FIX);
            private final VBox text = new VBox(2, check, explanation, fix);

            @Override
            protected void updateItem(PgUpgradeCheckReport.Finding f, boolean empty) {
                super.updateItem(f, empty);
                setText(null);
                if (empty || f == null) {
                    setGraphic(null);
                    return;
                }
                check.setText(f.check());
                boolean explained = f.explanation() != null && !f.explanation().equals(f.check());
                explanation.setText(explained ? f.explanation() : "");
                explanation.setVisible(explained);
                explanation.setManaged(explained);
                fix.setText(f.fix() == null ? "" : "Fix: " + f.fix());
                fix.setVisible(f.fix() != null);
                fix.setManaged(f.fix() != null);
                setGraphic(new HBox(8, severityIcon(f), text));
            }
        };
    }

    private static Label wrapped(ListView<?> list, String style) {
        Label l = new Label();
        l.getStyleClass().add(style);
        l.setWrapText(true);
        l.maxWidthProperty().bind(list.widthProperty().subtract(64));
        l.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        return l;
    }

    private static Node severityIcon(PgUpgradeCheckReport.Finding f) {
        FontIcon i = new FontIcon(switch (f.severity()) {
            case FATAL -> "fth-x-octagon";
            case WARNING -> "fth-alert-triangle";
            case OK -> "fth-check-circle";
        });
        i.getStyleClass().add(switch (f.severity()) {
            case FATAL -> WizardStyles.SEVERITY_FATAL;
            case WARNING -> WizardStyles.SEVERITY_WARNING;
            case OK -> WizardStyles.SEVERITY_OK;
        });
        return i;
    }

    /** A sentence per line, wrapped to the list's width. */
    private static ListCell<String> wrappedCell(ListView<String> list) {
        return new ListCell<>() {
            private final Label label = wrapped(list, WizardStyles.REFUSAL);

            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(null);
                label.setText(item);
                setGraphic(empty || item == null ? null : label);
            }
        };
    }

    private void steps(TableView<StepRow> table, ObservableList<StepRow> rows, TableColumn<StepRow, StepRow> state,
                              TableColumn<StepRow, String> title, TableColumn<StepRow, String> time,
                              TableColumn<StepRow, String> message) {
        table.setItems(rows);
        table.setPlaceholder(new Label("The steps appear here once started."));
        state.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue()));
        state.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(StepRow item, boolean empty) {
                super.updateItem(item, empty);
                if (empty || item == null) {
                    setGraphic(null);
                    return;
                }
                FontIcon i = new FontIcon(switch (item.state()) {
                    case PENDING -> "fth-circle";
                    case RUNNING -> "fth-loader";
                    case DONE -> "fth-check-circle";
                    case FAILED -> "fth-x-circle";
                });
                i.getStyleClass().add(switch (item.state()) {
                    case PENDING -> WizardStyles.STEP_PENDING;
                    case RUNNING -> WizardStyles.STEP_RUNNING;
                    case DONE -> WizardStyles.STEP_DONE;
                    case FAILED -> WizardStyles.STEP_FAILED;
                });
                setGraphic(i);
                setAccessibleText(item.state().name().toLowerCase());
            }
        });
        Tables.text(title, StepRow::title);
        Tables.text(time, StepRow::duration);
        Tables.text(message, StepRow::message);
        listen(rows, (ListChangeListener<StepRow>) c -> {
            for (int i = 0; i < rows.size(); i++) {
                if (rows.get(i).state() == StepState.RUNNING) {
                    table.scrollTo(Math.max(0, i - 2));
                    return;
                }
            }
        });
    }

    private <T> void listen(ObservableValue<T> v, ChangeListener<? super T> l) {
        listeners.add(l);
        v.addListener(new WeakChangeListener<>(l));
    }

    private <T> void listen(ObservableList<T> list, ListChangeListener<T> l) {
        listeners.add(l);
        list.addListener(new WeakListChangeListener<>(l));
    }

    /** Follows the tail while lines arrive, as a terminal does. */
    private void follow(ListView<String> view, ObservableList<String> lines) {
        view.setItems(lines);
        view.setPlaceholder(new Label("The commands' output appears here as it runs."));
        listen(lines, (ListChangeListener<String>) c -> {
            if (view.isVisible() && view.getScene() != null && view.getScene().getWindow() != null
                    && view.getScene().getWindow().isShowing()) {
                view.scrollTo(lines.size() - 1);
            }
        });
    }


    @FXML
    private void close() {
        if (root.getScene() != null && root.getScene().getWindow() != null) {
            root.getScene().getWindow().hide();
        }
    }

    void setReportFile(java.util.function.Function<javafx.stage.Window, java.io.File> chooser) {
        reportFile = chooser;
    }

    private static java.io.File chooseReportFile(javafx.stage.Window owner) {
        javafx.stage.FileChooser chooser = new javafx.stage.FileChooser();
        chooser.setTitle("Export the rehearsal report");
        chooser.getExtensionFilters().add(new javafx.stage.FileChooser.ExtensionFilter("HTML", "*.html", "*.htm"));
        chooser.setInitialFileName("rehearsal-report.html");
        return chooser.showSaveDialog(owner);
    }

    @FXML
    private void exportReport() {
        java.io.File f = reportFile.apply(root.getScene().getWindow());
        if (f != null) {
            model.exportReport(f.toPath());
        }
    }

    @FXML
    private void next() {
        model.next();
    }

    @FXML
    private void back() {
        model.back();
    }

    @FXML
    private void plan() {
        model.plan();
    }

    @FXML
    private void blueGreenInstead() {
        if (onBlueGreen != null) {
            onBlueGreen.run();
        }
    }

    @FXML
    private void runPreflight() {
        model.runPreflight();
    }

    @FXML
    private void rehearse() {
        model.rehearse();
    }

    @FXML
    private void cutOver() {
        model.cutOver();
    }

    @FXML
    private void resume() {
        model.resume();
    }

    @FXML
    private void rollBack() {
        if (Dialogs.confirm(root.getScene().getWindow(), "Roll back the upgrade of " + model.cluster().id(),
                model.rollbackWarning(), "Roll back", true)) {
            model.rollBack();
        }
    }
}
