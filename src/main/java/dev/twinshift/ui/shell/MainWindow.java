package dev.twinshift.ui.shell;

import dev.twinshift.inventory.Preferences;
import javafx.application.Application;
import javafx.geometry.Dimension2D;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.SplitPane;
import javafx.stage.Screen;
import javafx.stage.Stage;

/**
 * Puts the main view in its window: the size and place it had last time (or a share of the screen
 * on a first start), the theme, the dividers; and remembers them as they change.
 */
public final class MainWindow {
    /** The least a first window gets when the screen has room for it. */
    public static final double MIN_WIDTH = 1280;
    public static final double MIN_HEIGHT = 800;
    public static final String PROBLEM_DIALOG_ID = "preferences-problem";

    private final Stage stage;
    private final MainView main;
    private final ShellPreferences preferences;

    private MainWindow(Stage stage, MainView main, ShellPreferences preferences) {
        this.stage = stage;
        this.main = main;
        this.preferences = preferences;
    }

    /** A first window's size: 80% of the screen's usable area, at least 1280x800 where that fits. */
    public static Dimension2D firstSize(Rectangle2D visual) {
        double w = Math.min(visual.getWidth(), Math.max(MIN_WIDTH, Math.round(visual.getWidth() * 0.8)));
        double h = Math.min(visual.getHeight(), Math.max(MIN_HEIGHT, Math.round(visual.getHeight() * 0.8)));
        return new Dimension2D(w, h);
    }

    public static void show(Stage stage, MainView main, ShellPreferences preferences, String appStylesheet) {
        new MainWindow(stage, main, preferences).show(appStylesheet);
    }

    private void show(String appStylesheet) {
        Application.setUserAgentStylesheet(preferences.themeProperty().get().userAgentStylesheet());
        Rectangle2D visual = Screen.getPrimary().getVisualBounds();
        Dimension2D first = firstSize(visual);
        Scene scene = new Scene(main.root(), first.getWidth(), first.getHeight());
        scene.getStylesheets().add(appStylesheet);
        stage.setTitle("Twinshift");
        // The same picture as the package's: the task bar and the window switcher show it.
        var icon = MainWindow.class.getResource("/dev/twinshift/ui/twinshift-icon.png");
        if (icon != null) {
            stage.getIcons().add(new javafx.scene.image.Image(icon.toExternalForm()));
        }
        stage.setScene(scene);
        stage.setX(visual.getMinX() + (visual.getWidth() - first.getWidth()) / 2);
        stage.setY(visual.getMinY() + (visual.getHeight() - first.getHeight()) / 2);
        if (preferences.loadedProperty().get()) {
            restore();
        } else {
            preferences.loadedProperty().addListener((o, a, b) -> {
                if (b) {
                    restore();
                }
            });
        }
        stage.show();
        track();
        main.focusTree();
    }

    /** What the preferences say, applied to the window; a problem with them is said once, in a dialog. */
    private void restore() {
        Preferences p = preferences.current();
        Preferences.WindowBounds w = p.window();
        if (w != null && w.width() >= 200 && w.height() >= 150) {
            stage.setWidth(w.width());
            stage.setHeight(w.height());
            // A window saved on a screen that is gone opens where the default would, not off-screen.
            if (!Screen.getScreensForRectangle(w.x(), w.y(), Math.min(w.width(), 100), Math.min(w.height(), 100)).isEmpty()) {
                stage.setX(w.x());
                stage.setY(w.y());
            }
            stage.setMaximized(w.maximized());
        }
        dividers(main.sidebarSplit(), p.dividers().get(MainView.SIDEBAR_SPLIT));
        dividers(main.activitySplit(), p.dividers().get(MainView.ACTIVITY_SPLIT));
        String problem = preferences.problemProperty().get();
        if (!problem.isEmpty()) {
            Alert a = new Alert(Alert.AlertType.WARNING, problem);
            a.initOwner(stage);
            a.setTitle("Preferences");
            a.setHeaderText("Your preferences were not used");
            a.getDialogPane().setId(PROBLEM_DIALOG_ID);
            a.getDialogPane().setMinWidth(520);
            a.show();
        }
    }

    private static void dividers(SplitPane pane, double[] positions) {
        if (positions != null && positions.length == pane.getDividers().size()) {
            for (double d : positions) {
                if (!(d > 0 && d < 1)) {
                    return;
                }
            }
            pane.setDividerPositions(positions);
        }
    }

    private void track() {
        Runnable bounds = () -> {
            if (!stage.isShowing() || stage.isIconified()) {
                return;
            }
            Preferences.WindowBounds before = preferences.current().window();
            if (stage.isMaximized()) {
                // Keep the size to come back to from a maximized window.
                preferences.setWindow(before == null
                        ? new Preferences.WindowBounds(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight(), true)
                        : new Preferences.WindowBounds(before.x(), before.y(), before.width(), before.height(), true));
            } else {
                preferences.setWindow(new Preferences.WindowBounds(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight(), false));
            }
        };
        stage.widthProperty().addListener((o, a, b) -> bounds.run());
        stage.heightProperty().addListener((o, a, b) -> bounds.run());
        stage.xProperty().addListener((o, a, b) -> bounds.run());
        stage.yProperty().addListener((o, a, b) -> bounds.run());
        stage.maximizedProperty().addListener((o, a, b) -> bounds.run());
        remember(main.sidebarSplit(), MainView.SIDEBAR_SPLIT);
        remember(main.activitySplit(), MainView.ACTIVITY_SPLIT);
    }

    private void remember(SplitPane pane, String name) {
        for (SplitPane.Divider d : pane.getDividers()) {
            d.positionProperty().addListener((o, a, b) -> {
                if (preferences.loadedProperty().get()) {
                    preferences.setDividers(name, pane.getDividerPositions());
                }
            });
        }
    }
}
