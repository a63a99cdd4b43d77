package dev.twinshift.ui.timeline;

import dev.twinshift.storage.Reason;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.shape.StrokeLineCap;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;

/**
 * The timeline's colours and glyphs, in one place: the canvas and its legend draw with the same
 * painter, so the legend cannot disagree with the axis. Colours are Primer's (the console's theme)
 * so the axis sits with the rest of the window. The class names of its nodes, styled by
 * timeline.css, are here too.
 */
public final class TimelineStyles {
    private TimelineStyles() {}

    /** The timeline view's stylesheet. */
    public static final String STYLESHEET = "/dev/twinshift/ui/timeline/timeline.css";

    /** The canvas of the time axis. */
    public static final String CHART = "timeline-chart";
    /** A field's name in the selected snapshot's details. */
    public static final String DETAIL_KEY = "detail-key";
    /** A field's value in the selected snapshot's details, selectable to copy. */
    public static final String DETAIL_VALUE = "detail-value";
    /** A detail's value that warns: the snapshot would be pruned, or a probe found it bad. */
    public static final String DETAIL_WARNING = "detail-warning";

    public static final Color BACKGROUND = Color.web("#ffffff");
    public static final Color AXIS = Color.web("#8c959f");
    public static final Color GRID = Color.web("#eaeef2");
    public static final Color GRID_MAJOR = Color.web("#d0d7de");
    public static final Color TICK_TEXT = Color.web("#57606a");
    public static final Color TICK_TEXT_MAJOR = Color.web("#1f2328");

    public static final Color SCHEDULED = Color.web("#0969da");
    public static final Color MANUAL = Color.web("#8250df");
    public static final Color PRE_UPGRADE = Color.web("#bc4c00");
    public static final Color PRE_ROLLBACK = Color.web("#bf3989");
    public static final Color REHEARSAL = Color.web("#1b7c83");
    public static final Color UNKNOWN = Color.web("#6e7781");

    public static final Color PINNED = Color.web("#9a6700");
    public static final Color PRUNE = Color.web("#cf222e");
    public static final Color SELECTION = Color.web("#0969da");
    public static final Color HOVER = Color.web("#54aeff");

    public static final Color GROUP_FILL = Color.web("#ddf4ff");
    public static final Color GROUP_STROKE = Color.web("#54aeff");
    public static final Color GROUP_TEXT = Color.web("#0550ae");

    public static final Color CLONE_FILL = Color.web("#f6f8fa");
    public static final Color CLONE_STROKE = Color.web("#afb8c1");
    public static final Color CLONE_RUNNING = Color.web("#1a7f37");
    public static final Color CLONE_STOPPED = Color.web("#8c959f");

    public static final Color GOOD = Color.web("#1a7f37");
    public static final Color BAD = Color.web("#cf222e");
    public static final Color SKIPPED = Color.web("#8c959f");
    public static final Color ERROR = Color.web("#9a6700");
    public static final Color SUSPECT_BAND = Color.web("#fff8c5");

    public static final Font TICK_FONT = Font.font("System", 11);
    public static final Font TICK_FONT_MAJOR = Font.font("System", FontWeight.BOLD, 11);
    public static final Font SMALL_FONT = Font.font("System", 11);
    public static final Font BADGE_FONT = Font.font("System", FontWeight.BOLD, 9);

    public static Color colourOf(Reason r) {
        if (r == null) {
            return UNKNOWN;
        }
        return switch (r) {
            case SCHEDULED -> SCHEDULED;
            case MANUAL -> MANUAL;
            case PRE_UPGRADE -> PRE_UPGRADE;
            case PRE_ROLLBACK -> PRE_ROLLBACK;
            case REHEARSAL -> REHEARSAL;
        };
    }

    /**
     * A snapshot's glyph centred on (x, y): its reason's shape in its reason's colour (scheduled ones,
     * the many, small dots; the rarer kinds larger and shaped, so they stand out among them).
     */
    public static void glyph(GraphicsContext g, Reason r, double x, double y, double alpha) {
        g.setGlobalAlpha(alpha);
        g.setFill(colourOf(r));
        g.setStroke(Color.WHITE);
        g.setLineWidth(1);
        if (r == null) {
            g.fillOval(x - 4, y - 4, 8, 8);
        } else {
            switch (r) {
                case SCHEDULED -> {
                    g.fillOval(x - 4, y - 4, 8, 8);
                    g.strokeOval(x - 4, y - 4, 8, 8);
                }
                case MANUAL -> {
                    double[] xs = {x, x + 6, x, x - 6};
                    double[] ys = {y - 6, y, y + 6, y};
                    g.fillPolygon(xs, ys, 4);
                    g.strokePolygon(xs, ys, 4);
                }
                case PRE_UPGRADE -> {
                    double[] xs = {x, x + 6.5, x - 6.5};
                    double[] ys = {y - 7, y + 5, y + 5};
                    g.fillPolygon(xs, ys, 3);
                    g.strokePolygon(xs, ys, 3);
                }
                case PRE_ROLLBACK -> {
                    double[] xs = {x - 6.5, x + 6.5, x};
                    double[] ys = {y - 5, y - 5, y + 7};
                    g.fillPolygon(xs, ys, 3);
                    g.strokePolygon(xs, ys, 3);
                }
                case REHEARSAL -> {
                    g.fillRect(x - 5, y - 5, 10, 10);
                    g.strokeRect(x - 5, y - 5, 10, 10);
                }
            }
        }
        g.setGlobalAlpha(1);
    }

    /** The pin: a small flag on a staff above the glyph. */
    public static void pin(GraphicsContext g, double x, double y) {
        g.setStroke(PINNED);
        g.setLineWidth(1.5);
        g.strokeLine(x, y - 8, x, y - 19);
        g.setFill(PINNED);
        g.fillPolygon(new double[] {x, x + 7, x}, new double[] {y - 19, y - 16, y - 13}, 3);
    }

    /** Retention's cross over a glyph the next run would prune. */
    public static void pruneCross(GraphicsContext g, double x, double y) {
        g.setStroke(PRUNE);
        g.setLineWidth(1.8);
        g.setLineCap(StrokeLineCap.ROUND);
        g.strokeLine(x - 5, y - 5, x + 5, y + 5);
        g.strokeLine(x - 5, y + 5, x + 5, y - 5);
        g.setLineCap(StrokeLineCap.SQUARE);
    }

    public static Color colourOf(TimelineMark.Kind k) {
        return switch (k) {
            case GOOD -> GOOD;
            case BAD -> BAD;
            case SKIPPED -> SKIPPED;
            case ERROR -> ERROR;
            case UNTESTED -> SKIPPED;
        };
    }

    /** A probe's verdict as a round badge: ✓ good, ✗ bad, – skipped, ! error, hollow when untested. */
    public static void badge(GraphicsContext g, TimelineMark.Kind k, double x, double y) {
        Color c = colourOf(k);
        if (k == TimelineMark.Kind.UNTESTED) {
            g.setStroke(c);
            g.setLineWidth(1.5);
            g.strokeOval(x - 5, y - 5, 10, 10);
            return;
        }
        g.setFill(c);
        g.fillOval(x - 6, y - 6, 12, 12);
        g.setStroke(Color.WHITE);
        g.setLineWidth(1.6);
        g.setLineCap(StrokeLineCap.ROUND);
        switch (k) {
            case GOOD -> {
                g.strokeLine(x - 3, y, x - 1, y + 2.5);
                g.strokeLine(x - 1, y + 2.5, x + 3, y - 2.5);
            }
            case BAD -> {
                g.strokeLine(x - 2.5, y - 2.5, x + 2.5, y + 2.5);
                g.strokeLine(x - 2.5, y + 2.5, x + 2.5, y - 2.5);
            }
            case SKIPPED -> g.strokeLine(x - 3, y, x + 3, y);
            case ERROR -> {
                g.strokeLine(x, y - 3, x, y + 0.5);
                g.strokeLine(x, y + 3, x, y + 3);
            }
            default -> { }
        }
        g.setLineCap(StrokeLineCap.SQUARE);
    }
}
