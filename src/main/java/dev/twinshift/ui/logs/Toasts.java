package dev.twinshift.ui.logs;

import atlantafx.base.controls.Notification;
import atlantafx.base.theme.Styles;
import java.util.ArrayList;
import java.util.List;
import javafx.animation.PauseTransition;
import javafx.geometry.Insets;
import javafx.scene.layout.StackPane;
import javafx.stage.Popup;
import javafx.stage.Window;
import javafx.util.Duration;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * Short notes in the window's bottom right corner that never take the focus and go by themselves:
 * AtlantaFX's Notification, which the theme styles, in a popup each, stacked upwards. ControlsFX's
 * Notifications was the first choice, but its popup is styled for Modena and shows no background
 * under AtlantaFX.
 */
final class Toasts {
    /** How long a note stays. */
    static final Duration SHOWN_FOR = Duration.seconds(8);

    enum Kind { INFO, WARNING, ERROR }

    private static final double MARGIN = 16;
    private final List<Popup> shown = new ArrayList<>();

    void show(Window owner, String text, Kind kind) {
        FontIcon icon = new FontIcon(switch (kind) {
            case ERROR -> Feather.X_CIRCLE;
            case WARNING -> Feather.SLASH;
            case INFO -> Feather.CHECK_CIRCLE;
        });
        Notification n = new Notification(text, icon);
        n.getStyleClass().addAll(LogStyles.TOAST, Styles.ELEVATED_2, switch (kind) {
            case ERROR -> Styles.DANGER;
            case WARNING -> Styles.WARNING;
            case INFO -> Styles.SUCCESS;
        });
        n.setPrefWidth(380);
        n.setMaxHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        StackPane box = new StackPane(n);
        box.setPadding(new Insets(4));
        Popup p = new Popup();
        p.getContent().add(box);
        p.setAutoFix(true);
        p.setHideOnEscape(true);
        n.setOnClose(e -> p.hide());
        p.setOnHidden(e -> {
            shown.remove(p);
            place(owner);
        });
        shown.add(p);
        p.show(owner);
        place(owner);
        PauseTransition t = new PauseTransition(SHOWN_FOR);
        t.setOnFinished(e -> p.hide());
        t.play();
    }

    /** Newest at the bottom, the older ones above it. */
    private void place(Window owner) {
        double bottom = owner.getY() + owner.getHeight() - MARGIN;
        for (int i = shown.size() - 1; i >= 0; i--) {
            Popup p = shown.get(i);
            double h = p.getHeight();
            p.setX(owner.getX() + owner.getWidth() - p.getWidth() - MARGIN);
            p.setY(bottom - h);
            bottom -= h;
        }
    }
}
