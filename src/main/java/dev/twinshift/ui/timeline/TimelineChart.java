package dev.twinshift.ui.timeline;

import dev.twinshift.schedule.RetentionPlan;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.clones.ClusterViewModel.CloneItem;
import dev.twinshift.ui.timeline.Grouping.Group;
import dev.twinshift.ui.timeline.TickScale.Tick;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javafx.animation.AnimationTimer;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.geometry.VPos;
import javafx.scene.AccessibleRole;
import javafx.scene.Cursor;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.Region;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;
import javafx.util.Duration;

/**
 * The time axis: a canvas that draws only what the window shows, once per pulse at most, so ten
 * thousand snapshots pan and zoom as smoothly as ten. Neighbours too close to tell apart are drawn as
 * counts ({@link Grouping}).
 *
 * <p>Mouse: wheel zooms around the pointer, drag pans, click selects (a click on a count zooms into
 * it). Keys when focused: {@code +}/{@code -} zoom, Left/Right pan (Shift: a page), Home/End go to the
 * oldest/newest, {@code 0} fits everything, Alt+Left/Alt+Right select the previous/next snapshot,
 * Escape clears the selection.
 */
public final class TimelineChart extends Region {

    /** What the last frame drew and how long drawing it took: for the accessible text, tests and the benchmark. */
    public record Frame(long drawNanos, TimeWindow window, TickScale.Step step, List<Tick> ticks, int snapshotsDrawn, int singles,
                        int groups, List<String> prunedShown, int prunedInGroups, List<String> marksShown,
                        String lastGoodShown, String firstBadShown, List<String> clonesShown) {}

    static final double TICK_BAND = 22;
    static final double MIN_GAP_PX = 9;
    static final double MAX_GROUP_PX = 56;
    static final double CLONE_LANE = 22;
    static final int CLONE_LANES = 4;
    /** Up to this many rare snapshots close together are drawn side by side instead of as a count. */
    static final int FAN_OUT = 4;
    static final double FAN_STEP = 13;

    private final TimelineViewModel model;
    private final Canvas canvas = new Canvas();
    private final Locale locale = Locale.getDefault(Locale.Category.FORMAT);
    private final ReadOnlyObjectWrapper<TimeWindow> window = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<Frame> frame = new ReadOnlyObjectWrapper<>();
    private final Tooltip tip = new Tooltip();
    private final Text measure = new Text();
    /**
     * Widths of the counts and clone names drawn: measuring text lays out a node, too slow to repeat
     * for every count of every frame of a drag. Emptied when the data changes, so it stays small.
     */
    private final Map<String, Double> textWidths = new HashMap<>();

    private long[] times = new long[0];
    private SnapshotRecord[] records = new SnapshotRecord[0];
    private final Map<String, Integer> indexById = new HashMap<>();
    private Map<String, RetentionPlan.Verdict> fates = Map.of();
    private Map<String, TimelineMark> marks = Map.of();
    /**
     * Scheduled snapshots, the many, are grouped among themselves; the rarer kinds (manual, upgrade,
     * rollback, rehearsal) among themselves and drawn on top, so a pre-upgrade snapshot is never hidden
     * in a count of hourlies.
     */
    private static final class Layer {
        long[] times = new long[0];
        SnapshotRecord[] records = new SnapshotRecord[0];
        /** Which ones the previewed plan would prune, by index: looked up once per plan, not per frame. */
        boolean[] pruned = new boolean[0];
        List<Group> groups = List.of();

        void fill(List<SnapshotRecord> from, Map<String, RetentionPlan.Verdict> fates) {
            times = new long[from.size()];
            records = from.toArray(new SnapshotRecord[0]);
            for (int i = 0; i < records.length; i++) {
                times[i] = records[i].createdAt().toEpochMilli();
            }
            groups = List.of();
            markPruned(fates);
        }

        void markPruned(Map<String, RetentionPlan.Verdict> fates) {
            pruned = new boolean[records.length];
            for (int i = 0; i < records.length; i++) {
                RetentionPlan.Verdict v = fates.get(records[i].id());
                pruned[i] = v != null && !v.kept();
            }
        }
    }

    /** A group of one layer, as hovered or clicked. */
    private record Placed(Layer layer, Group group) {}

    private final Layer common = new Layer();
    private final Layer rare = new Layer();
    private Placed hover;
    /** Where the last frame drew the rare snapshots it spread side by side. */
    private final Map<String, Double> fanned = new HashMap<>();
    private boolean fitPending = true;

    private boolean dirty;
    private final AnimationTimer painter = new AnimationTimer() {
        @Override
        public void handle(long now) {
            // Kept running while changes keep coming (a drag, a zoom), so every pulse draws; one idle
            // pulse stops it.
            if (dirty) {
                dirty = false;
                draw();
            } else {
                stop();
            }
        }
    };

    private double pressX;
    private double lastDragX;
    private boolean dragged;

    public TimelineChart(TimelineViewModel model) {
        this.model = model;
        getStyleClass().add(TimelineStyles.CHART);
        setId("timeline-chart");
        setFocusTraversable(true);
        setAccessibleRole(AccessibleRole.IMAGE_VIEW);
        getChildren().add(canvas);
        setMinHeight(190);
        setPrefHeight(210);
        setMinWidth(200);
        setPrefWidth(900);
        tip.setShowDelay(Duration.ZERO);
        tip.setWrapText(true);
        tip.setMaxWidth(420);
        measure.setFont(TimelineStyles.SMALL_FONT);

        model.snapshots().addListener((ListChangeListener<SnapshotRecord>) c -> dataChanged());
        model.clonesBySnapshotProperty().addListener((o, a, b) -> {
            textWidths.clear();
            invalidate();
        });
        model.planProperty().addListener((o, a, b) -> {
            fates = new HashMap<>();
            if (b != null) {
                for (RetentionPlan.Verdict v : b.snapshots()) {
                    fates.put(v.id(), v);
                }
            }
            common.markPruned(fates);
            rare.markPruned(fates);
            invalidate();
        });
        model.bisectProperty().addListener((o, a, b) -> {
            marks = b.byId();
            invalidate();
        });
        model.selectedProperty().addListener((o, a, b) -> {
            if (b != null) {
                reveal(b);
            }
            invalidate();
        });
        model.titleProperty().addListener((o, a, b) -> fitPending = true);
        window.addListener((o, a, b) -> invalidate());

        addEventHandler(ScrollEvent.SCROLL, this::scrolled);
        addEventHandler(MouseEvent.MOUSE_PRESSED, this::pressed);
        addEventHandler(MouseEvent.MOUSE_DRAGGED, this::dragged);
        addEventHandler(MouseEvent.MOUSE_RELEASED, this::released);
        addEventHandler(MouseEvent.MOUSE_MOVED, this::moved);
        addEventHandler(MouseEvent.MOUSE_EXITED, e -> {
            hover = null;
            tip.hide();
            invalidate();
        });
        addEventHandler(KeyEvent.KEY_PRESSED, this::keyPressed);
        focusedProperty().addListener((o, a, b) -> invalidate());
        dataChanged();
    }

    public ReadOnlyObjectProperty<TimeWindow> windowProperty() {
        return window.getReadOnlyProperty();
    }

    /** The last frame drawn; null before the first. */
    public ReadOnlyObjectProperty<Frame> frameProperty() {
        return frame.getReadOnlyProperty();
    }

    public void setWindow(TimeWindow w) {
        window.set(w);
    }

    private double width() {
        return Math.max(1, getWidth());
    }

    /** Zooms in by {@code factor} (out when below 1) around pixel {@code x}. */
    public void zoom(double factor, double x) {
        if (window.get() != null) {
            window.set(window.get().zoom(factor, x, width()));
        }
    }

    /** Zooms around the selected snapshot when it is in view, else around the middle. */
    public void zoom(double factor) {
        double x = width() / 2;
        SnapshotRecord s = model.selectedProperty().get();
        if (s != null && window.get() != null) {
            double sx = window.get().x(s.createdAt().toEpochMilli(), width());
            if (sx >= 0 && sx <= width()) {
                x = sx;
            }
        }
        zoom(factor, x);
    }

    public void pan(double dx) {
        if (window.get() != null) {
            window.set(window.get().pan(dx, width()));
        }
    }

    public void fitAll() {
        if (times.length > 0) {
            window.set(TimeWindow.fit(times[0], times[times.length - 1]));
        }
    }

    /** The oldest snapshot at the left, the zoom kept. */
    public void showOldest() {
        if (times.length > 0 && window.get() != null) {
            double margin = 30 * window.get().span() / width();
            window.set(new TimeWindow(times[0] - margin, window.get().span()));
        }
    }

    public void showNewest() {
        if (times.length > 0 && window.get() != null) {
            double margin = 30 * window.get().span() / width();
            window.set(new TimeWindow(times[times.length - 1] + margin - window.get().span(), window.get().span()));
        }
    }

    /** Where a snapshot is drawn now; NaN when it is not one of the timeline's. */
    public double xOf(String snapshotId) {
        Integer i = indexById.get(snapshotId);
        if (i == null || window.get() == null) {
            return Double.NaN;
        }
        Double spread = fanned.get(snapshotId);
        return spread != null ? spread : window.get().x(times[i], width());
    }

    /** The height of the axis line, where glyphs are centred. */
    public double axisY() {
        return TICK_BAND + 52;
    }

    private void reveal(SnapshotRecord s) {
        if (window.get() != null) {
            window.set(window.get().showing(s.createdAt().toEpochMilli(), width(), 40));
        }
    }

    private void dataChanged() {
        List<SnapshotRecord> list = model.snapshots();
        times = new long[list.size()];
        records = list.toArray(new SnapshotRecord[0]);
        indexById.clear();
        for (int i = 0; i < records.length; i++) {
            times[i] = records[i].createdAt().toEpochMilli();
            indexById.put(records[i].id(), i);
        }
        common.fill(list.stream().filter(r -> r.reason() == Reason.SCHEDULED).toList(), fates);
        rare.fill(list.stream().filter(r -> r.reason() != Reason.SCHEDULED).toList(), fates);
        if (fitPending && getWidth() > 0 && times.length > 0) {
            fitPending = false;
            fitAll();
        }
        hover = null;
        textWidths.clear();
        invalidate();
    }

    private double textWidth(String text) {
        return textWidths.computeIfAbsent(text, t -> {
            measure.setText(t);
            return measure.getLayoutBounds().getWidth();
        });
    }

    /** Asks for a frame on the next pulse; many changes in one pulse draw once. */
    private void invalidate() {
        if (!dirty) {
            dirty = true;
            painter.start();
        }
    }

    @Override
    protected void layoutChildren() {
        double w = getWidth();
        double h = getHeight();
        if (canvas.getWidth() != w || canvas.getHeight() != h) {
            canvas.setWidth(w);
            canvas.setHeight(h);
            if (fitPending && w > 0 && times.length > 0) {
                fitPending = false;
                fitAll();
            }
            invalidate();
        }
    }

    @Override
    protected double computePrefHeight(double width) {
        return 210;
    }

    // ---- drawing ----

    private void draw() {
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        if (w <= 0 || h <= 0) {
            return;
        }
        long began = System.nanoTime();
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.setFill(TimelineStyles.BACKGROUND);
        g.fillRect(0, 0, w, h);
        TimeWindow win = window.get();
        if (win == null || times.length == 0) {
            g.setFill(TimelineStyles.TICK_TEXT);
            g.setFont(TimelineStyles.SMALL_FONT);
            g.setTextAlign(TextAlignment.CENTER);
            g.setTextBaseline(VPos.CENTER);
            g.fillText("No snapshot of this cluster yet.", w / 2, h / 2);
            frame.set(new Frame(0, win, null, List.of(), 0, 0, 0, List.of(), 0, List.of(), null, null, List.of()));
            setAccessibleText("Timeline: no snapshot");
            return;
        }
        double axisY = axisY();
        BisectMarks bisect = model.bisectProperty().get();
        String lastGoodShown = null;
        String firstBadShown = null;

        // The stretch between last good and first bad, where the change happened, under everything.
        double goodX = xOf(bisect.lastGoodId());
        double badX = xOf(bisect.firstBadId());
        if (!Double.isNaN(goodX) && !Double.isNaN(badX) && badX > goodX) {
            g.setFill(TimelineStyles.SUSPECT_BAND);
            g.fillRect(Math.max(0, goodX), TICK_BAND, Math.min(w, badX) - Math.max(0, goodX), h - TICK_BAND);
        }

        TickScale.Step step = TickScale.step(win.span(), w);
        List<Tick> ticks = TickScale.ticks(win, w, model.zone(), locale);
        g.setTextAlign(TextAlignment.LEFT);
        g.setTextBaseline(VPos.CENTER);
        for (Tick t : ticks) {
            double x = Math.round(win.x(t.time(), w)) + 0.5;
            g.setStroke(t.major() ? TimelineStyles.GRID_MAJOR : TimelineStyles.GRID);
            g.setLineWidth(1);
            g.strokeLine(x, TICK_BAND - 6, x, h);
            g.setFont(t.major() ? TimelineStyles.TICK_FONT_MAJOR : TimelineStyles.TICK_FONT);
            g.setFill(t.major() ? TimelineStyles.TICK_TEXT_MAJOR : TimelineStyles.TICK_TEXT);
            g.fillText(t.label(), x + 4, TICK_BAND / 2);
        }
        g.setStroke(TimelineStyles.GRID_MAJOR);
        g.strokeLine(0, TICK_BAND + 0.5, w, TICK_BAND + 0.5);
        g.setStroke(TimelineStyles.AXIS);
        g.setLineWidth(1.5);
        g.strokeLine(0, axisY, w, axisY);

        // Last good and first bad as lines across the chart, named at the top.
        for (String id : new String[] {bisect.lastGoodId(), bisect.firstBadId()}) {
            double x = xOf(id);
            if (Double.isNaN(x) || x < -40 || x > w + 40) {
                continue;
            }
            boolean good = id.equals(bisect.lastGoodId());
            g.setStroke(good ? TimelineStyles.GOOD : TimelineStyles.BAD);
            g.setLineWidth(2);
            g.setLineDashes(5, 4);
            g.strokeLine(x, TICK_BAND + 14, x, h);
            g.setLineDashes((double[]) null);
            g.setFont(TimelineStyles.TICK_FONT_MAJOR);
            g.setFill(good ? TimelineStyles.GOOD : TimelineStyles.BAD);
            g.setTextAlign(good ? TextAlignment.RIGHT : TextAlignment.LEFT);
            g.fillText(good ? "last good" : "first bad", good ? x - 4 : x + 4, TICK_BAND + 10);
            g.setTextAlign(TextAlignment.LEFT);
            if (good) {
                lastGoodShown = id;
            } else {
                firstBadShown = id;
            }
        }

        SnapshotRecord selected = model.selectedProperty().get();
        fanned.clear();
        List<String> prunedShown = new ArrayList<>();
        int prunedInGroups = 0;
        int drawn = 0;
        int singles = 0;
        int multi = 0;
        for (Layer layer : new Layer[] {common, rare}) {
            layer.groups = Grouping.of(layer.times, win, w, MIN_GAP_PX, MAX_GROUP_PX);
            List<Group> gs = layer.groups;
            for (int k = 0; k < gs.size(); k++) {
                Group gr = gs.get(k);
                boolean hovered = hover != null && hover.layer() == layer && hover.group().equals(gr);
                drawn += gr.size();
                if (gr.single()) {
                    singles++;
                    double x = gr.x0();
                    if (hovered) {
                        g.setFill(TimelineStyles.HOVER.deriveColor(0, 1, 1, 0.25));
                        g.fillOval(x - 10, axisY - 10, 20, 20);
                    }
                    drawGlyph(g, layer, gr.from(), x, axisY, prunedShown);
                } else if (layer == rare && gr.size() <= FAN_OUT) {
                    // A few rare ones close together are spread side by side: each kind stays readable.
                    for (int i = gr.from(); i < gr.to(); i++) {
                        double x = fanX(gr, i);
                        fanned.put(layer.records[i].id(), x);
                        drawGlyph(g, layer, i, x, axisY, prunedShown);
                    }
                } else {
                    multi++;
                    // Neighbouring counts share the space between them instead of overlapping.
                    double left = k == 0 ? Double.NEGATIVE_INFINITY : (gs.get(k - 1).x1() + gr.x0()) / 2 + 1;
                    double right = k == gs.size() - 1 ? Double.POSITIVE_INFINITY : (gr.x1() + gs.get(k + 1).x0()) / 2 - 1;
                    prunedInGroups += drawGroup(g, layer, gr, axisY, Math.max(gr.x0() - 6, left), Math.min(gr.x1() + 6, right), hovered);
                }
            }
        }

        List<String> clonesShown = drawClones(g, win, w, axisY);

        List<String> marksShown = new ArrayList<>();
        for (TimelineMark m : bisect.marks()) {
            double x = xOf(m.snapshotId());
            if (Double.isNaN(x) || x < -10 || x > w + 10) {
                continue;
            }
            TimelineStyles.badge(g, m.kind(), x, axisY - 28);
            marksShown.add(m.snapshotId());
        }

        if (selected != null) {
            double x = xOf(selected.id());
            if (!Double.isNaN(x) && x >= -10 && x <= w + 10) {
                g.setStroke(TimelineStyles.SELECTION);
                g.setLineWidth(2);
                g.strokeOval(x - 9, axisY - 9, 18, 18);
                g.setLineWidth(1);
                g.setLineDashes(2, 3);
                g.strokeLine(x, TICK_BAND, x, axisY - 10);
                g.setLineDashes((double[]) null);
            }
        }
        if (isFocused()) {
            g.setStroke(TimelineStyles.SELECTION.deriveColor(0, 1, 1, 0.5));
            g.setLineWidth(2);
            g.strokeRect(1, 1, w - 2, h - 2);
        }

        Frame f = new Frame(System.nanoTime() - began, win, step, ticks, drawn, singles, multi, List.copyOf(prunedShown), prunedInGroups,
                List.copyOf(marksShown), lastGoodShown, firstBadShown, List.copyOf(clonesShown));
        frame.set(f);
        setAccessibleText("Timeline: " + drawn + " of " + times.length + " snapshots in view, " + multi + " counts, "
                + prunedShown.size() + " would be pruned");
    }

    /** One snapshot's glyph, faded and crossed when the plan would prune it, with its pin. */
    private static void drawGlyph(GraphicsContext g, Layer layer, int i, double x, double axisY, List<String> prunedShown) {
        SnapshotRecord s = layer.records[i];
        boolean prune = layer.pruned[i];
        TimelineStyles.glyph(g, s.reason(), x, axisY, prune ? 0.35 : 1);
        if (prune) {
            TimelineStyles.pruneCross(g, x, axisY);
            prunedShown.add(s.id());
        }
        if (s.pinned()) {
            TimelineStyles.pin(g, x, axisY);
        }
    }

    private static double fanX(Group gr, int i) {
        return gr.centre() + (i - gr.from() - (gr.size() - 1) / 2.0) * FAN_STEP;
    }

    /** A count of neighbours as a pill; the rare kinds inside keep a coloured tick, pruned ones a red one below. */
    private int drawGroup(GraphicsContext g, Layer layer, Group gr, double axisY, double x0, double x1, boolean hovered) {
        g.setFill(hovered ? TimelineStyles.HOVER.deriveColor(0, 1, 1, 0.35) : TimelineStyles.GROUP_FILL);
        g.fillRoundRect(x0, axisY - 8, x1 - x0, 16, 16, 16);
        g.setStroke(TimelineStyles.GROUP_STROKE);
        g.setLineWidth(1);
        g.strokeRoundRect(x0, axisY - 8, x1 - x0, 16, 16, 16);
        int pruned = 0;
        double runStart = Double.NaN;
        double runEnd = Double.NaN;
        boolean pinned = false;
        double pinX = 0;
        TimeWindow win = window.get();
        double w = width();
        for (int i = gr.from(); i < gr.to(); i++) {
            SnapshotRecord s = layer.records[i];
            double x = win.x(layer.times[i], w);
            if (s.reason() != Reason.SCHEDULED) {
                g.setStroke(TimelineStyles.colourOf(s.reason()));
                g.setLineWidth(2);
                g.strokeLine(x, axisY - 8, x, axisY - 3);
            }
            if (layer.pruned[i]) {
                pruned++;
                // Pruned neighbours a pixel apart make one red run under the count, not a line each.
                if (Double.isNaN(runStart) || x - runEnd > 2) {
                    flushRun(g, runStart, runEnd, axisY);
                    runStart = x;
                }
                runEnd = x;
            }
            if (s.pinned() && !pinned) {
                pinned = true;
                pinX = x;
            }
        }
        flushRun(g, runStart, runEnd, axisY);
        if (pinned) {
            TimelineStyles.pin(g, pinX, axisY);
        }
        String count = String.format(locale, "%,d", gr.size());
        double tw = textWidth(count);
        g.setFont(TimelineStyles.BADGE_FONT);
        g.setFill(TimelineStyles.GROUP_TEXT);
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.CENTER);
        if (tw + 6 <= x1 - x0) {
            g.fillText(count, (x0 + x1) / 2, axisY);
        } else {
            g.fillText(count, (x0 + x1) / 2, axisY - 15);
        }
        g.setTextAlign(TextAlignment.LEFT);
        return pruned;
    }

    private static void flushRun(GraphicsContext g, double from, double to, double axisY) {
        if (Double.isNaN(from)) {
            return;
        }
        g.setFill(TimelineStyles.PRUNE);
        g.fillRect(from - 0.5, axisY + 10, to - from + 1, 3);
    }

    /** Clones hang below their snapshot, in lanes so that neighbours' names do not overlap. */
    private List<String> drawClones(GraphicsContext g, TimeWindow win, double w, double axisY) {
        record Hanging(double x, CloneItem item) {}
        List<Hanging> hanging = new ArrayList<>();
        for (Map.Entry<String, List<CloneItem>> e : model.clonesBySnapshotProperty().get().entrySet()) {
            Integer i = indexById.get(e.getKey());
            if (i == null) {
                continue;
            }
            double x = xOf(e.getKey());
            if (x < -200 || x > w + 10) {
                continue;
            }
            for (CloneItem c : e.getValue()) {
                hanging.add(new Hanging(x, c));
            }
        }
        hanging.sort(Comparator.comparingDouble(Hanging::x).thenComparing(hh -> hh.item().name()));
        double[] laneEnd = new double[CLONE_LANES];
        java.util.Arrays.fill(laneEnd, Double.NEGATIVE_INFINITY);
        List<String> shown = new ArrayList<>();
        g.setFont(TimelineStyles.SMALL_FONT);
        g.setTextBaseline(VPos.CENTER);
        g.setTextAlign(TextAlignment.LEFT);
        for (Hanging hh : hanging) {
            String text = hh.item().name() + (hh.item().running() ? " · running" : " · stopped");
            double boxW = textWidth(text) + 22;
            // Kept inside the right edge: a clone of the newest snapshot is the one most looked for.
            double left = Math.max(Math.min(hh.x() - 8, w - boxW - 2), Math.min(hh.x() - 8, 2));
            int lane = -1;
            for (int l = 0; l < CLONE_LANES; l++) {
                if (laneEnd[l] + 6 <= left) {
                    lane = l;
                    break;
                }
            }
            if (lane < 0) {
                continue;
            }
            laneEnd[lane] = left + boxW;
            double top = axisY + 24 + lane * CLONE_LANE;
            g.setStroke(TimelineStyles.CLONE_STROKE);
            g.setLineWidth(1);
            g.strokeLine(hh.x(), axisY + 8, hh.x(), top);
            g.setFill(TimelineStyles.CLONE_FILL);
            g.fillRoundRect(left, top, boxW, 18, 8, 8);
            g.strokeRoundRect(left, top, boxW, 18, 8, 8);
            g.setFill(hh.item().running() ? TimelineStyles.CLONE_RUNNING : TimelineStyles.CLONE_STOPPED);
            g.fillOval(left + 6, top + 6, 6, 6);
            g.setFill(TimelineStyles.TICK_TEXT_MAJOR);
            g.fillText(text, left + 16, top + 9);
            shown.add(hh.item().name());
        }
        return shown;
    }

    // ---- input ----

    private void scrolled(ScrollEvent e) {
        if (window.get() == null) {
            return;
        }
        if (e.getDeltaY() != 0) {
            zoom(Math.exp(e.getDeltaY() * 0.0056), e.getX());
        } else if (e.getDeltaX() != 0) {
            pan(e.getDeltaX());
        }
        e.consume();
    }

    private void pressed(MouseEvent e) {
        requestFocus();
        tip.hide();
        pressX = e.getX();
        lastDragX = e.getX();
        dragged = false;
        e.consume();
    }

    private void dragged(MouseEvent e) {
        if (!dragged && Math.abs(e.getX() - pressX) > 3) {
            dragged = true;
            setCursor(Cursor.CLOSED_HAND);
        }
        if (dragged) {
            pan(e.getX() - lastDragX);
            lastDragX = e.getX();
        }
        e.consume();
    }

    private void released(MouseEvent e) {
        setCursor(Cursor.DEFAULT);
        if (!dragged && onAxis(e.getY())) {
            Placed p = at(e.getX());
            if (p != null && p.group().single()) {
                model.selectedProperty().set(p.layer().records[p.group().from()]);
            } else if (p != null && p.layer() == rare && p.group().size() <= FAN_OUT) {
                Group gr = p.group();
                int nearest = gr.from();
                for (int i = gr.from(); i < gr.to(); i++) {
                    if (Math.abs(fanX(gr, i) - e.getX()) < Math.abs(fanX(gr, nearest) - e.getX())) {
                        nearest = i;
                    }
                }
                model.selectedProperty().set(rare.records[nearest]);
            } else if (p != null) {
                // A count opens up: its snapshots spread over the width.
                window.set(TimeWindow.fit(p.layer().times[p.group().from()], p.layer().times[p.group().to() - 1]));
            }
        }
        e.consume();
    }

    /** What is under pixel x: the rarer kinds first, as they are drawn on top. */
    private Placed at(double x) {
        for (Group r : rare.groups) {
            if (r.size() > 1 && r.size() <= FAN_OUT && Math.abs(x - r.centre()) <= (r.size() - 1) * FAN_STEP / 2 + 7) {
                return new Placed(rare, r);
            }
        }
        Group r = Grouping.at(rare.groups, x, 7);
        if (r != null) {
            return new Placed(rare, r);
        }
        Group c = Grouping.at(common.groups, x, 7);
        return c == null ? null : new Placed(common, c);
    }

    /** Glyphs, counts, pins and badges are between the ticks and the clones; below, a click only focuses. */
    private boolean onAxis(double y) {
        return y >= TICK_BAND && y <= axisY() + 16;
    }

    private void moved(MouseEvent e) {
        Placed gr = onAxis(e.getY()) ? at(e.getX()) : null;
        if (gr == null || gr.equals(hover)) {
            if (gr == null && hover != null) {
                hover = null;
                tip.hide();
                invalidate();
            }
            return;
        }
        hover = gr;
        tip.setText(describe(gr));
        tip.show(this, e.getScreenX() + 14, e.getScreenY() + 16);
        invalidate();
    }

    /** The hover text of a glyph or a count. */
    String describe(Placed p) {
        Group gr = p.group();
        if (p.layer() == rare && gr.size() > 1 && gr.size() <= FAN_OUT) {
            StringBuilder b = new StringBuilder();
            for (int i = gr.from(); i < gr.to(); i++) {
                SnapshotRecord s = rare.records[i];
                b.append(i == gr.from() ? "" : "\n").append(model.formatTime(s.createdAt())).append("  ")
                        .append(TimelineViewModel.reasonText(s)).append(s.label() == null ? "" : " · " + s.label())
                        .append(s.pinned() ? " · pinned" : "");
            }
            return b.append("\nClick one to select it.").toString();
        }
        if (!gr.single()) {
            return String.format(locale, "%,d %s snapshots%n%s%n– %s%nClick to zoom in.", gr.size(),
                    p.layer() == common ? "scheduled" : "other",
                    model.formatTime(Instant.ofEpochMilli(p.layer().times[gr.from()])),
                    model.formatTime(Instant.ofEpochMilli(p.layer().times[gr.to() - 1])));
        }
        SnapshotRecord s = p.layer().records[gr.from()];
        StringBuilder b = new StringBuilder(model.formatTime(s.createdAt()));
        b.append('\n').append(TimelineViewModel.reasonText(s));
        if (s.label() != null) {
            b.append(" · ").append(s.label());
        }
        if (s.pinned()) {
            b.append(" · pinned");
        }
        RetentionPlan.Verdict v = fates.get(s.id());
        if (v != null) {
            b.append('\n').append(v.kept() ? "kept: " : "would be pruned: ").append(String.join(", ", v.why()));
        }
        TimelineMark m = marks.get(s.id());
        if (m != null) {
            b.append('\n').append(m.kind().name().toLowerCase()).append(m.text().isEmpty() ? "" : ": " + firstLine(m.text()));
        }
        List<CloneItem> cs = model.clonesBySnapshotProperty().get().getOrDefault(s.id(), List.of());
        for (CloneItem c : cs) {
            b.append("\nclone ").append(c.name()).append(c.running() ? " (running)" : " (stopped)");
        }
        return b.toString();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + " …";
    }

    private void keyPressed(KeyEvent e) {
        boolean handled = true;
        switch (e.getCode()) {
            case PLUS, ADD, EQUALS -> zoom(1.5);
            case MINUS, SUBTRACT -> zoom(1 / 1.5);
            case LEFT, KP_LEFT -> {
                if (e.isAltDown()) {
                    step(-1);
                } else {
                    pan(width() * (e.isShiftDown() ? 0.8 : 0.15));
                }
            }
            case RIGHT, KP_RIGHT -> {
                if (e.isAltDown()) {
                    step(1);
                } else {
                    pan(-width() * (e.isShiftDown() ? 0.8 : 0.15));
                }
            }
            case HOME -> showOldest();
            case END -> showNewest();
            case DIGIT0, NUMPAD0 -> fitAll();
            case ESCAPE -> model.selectedProperty().set(null);
            default -> handled = false;
        }
        if (handled) {
            e.consume();
        }
    }

    /** Alt+arrows: the next snapshot in time; from nothing selected, the one nearest the middle. */
    private void step(int delta) {
        if (records.length == 0) {
            return;
        }
        SnapshotRecord s = model.selectedProperty().get();
        if (s == null || !indexById.containsKey(s.id())) {
            double mid = window.get() == null ? times[times.length - 1] : window.get().time(width() / 2, width());
            int i = Math.min(records.length - 1, TimeWindow.lowerBound(times, (long) mid));
            if (i > 0 && Math.abs(times[i - 1] - mid) < Math.abs(times[i] - mid)) {
                i--;
            }
            model.selectedProperty().set(records[i]);
            return;
        }
        SnapshotRecord n = model.neighbour(s, delta);
        if (n != null) {
            model.selectedProperty().set(n);
        }
    }
}
