package dev.twinshift.ui;

import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.scene.control.OverrunStyle;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeTableCell;
import javafx.scene.control.TreeTableColumn;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.util.Duration;

/** What every view's tables share: cells that never hide a value, and a selection that outlives a re-read. */
public final class Tables {
    private Tables() {}

    /** A text column cut at its end when too narrow, the whole value in a tooltip. */
    public static <T> void text(TableColumn<T, String> c, Function<T, String> f) {
        textColumn(c, f, OverrunStyle.ELLIPSIS);
    }

    /**
     * A text column whose cut-off values show whole in a tooltip; {@code overrun} says where the cut
     * falls (the middle keeps both a long id's volume and its distinguishing end).
     */
    public static <T> void textColumn(TableColumn<T, String> c, Function<T, String> f, OverrunStyle overrun) {
        c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(f.apply(cd.getValue())));
        c.setCellFactory(col -> new TableCell<>() {
            private final Tooltip tip = tooltip();

            {
                setTextOverrun(overrun);
            }

            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                if (empty || item == null || item.isEmpty()) {
                    setText(null);
                    setTooltip(null);
                } else {
                    setText(item);
                    tip.setText(item);
                    setTooltip(tip);
                }
            }
        });
    }

    /** The same for a tree table's column: cut where {@code overrun} says, the whole value in a tooltip. */
    public static <T> void treeTextColumn(TreeTableColumn<T, String> c, Function<T, String> f, OverrunStyle overrun) {
        treeTextColumn(c, f, null, overrun);
    }

    /**
     * A tree table's text column whose tooltip says more than the cell: {@code tip} gives it (the exact
     * time behind an age, the rule behind a verdict), the cell's own text when it gives null.
     */
    public static <T> void treeTextColumn(TreeTableColumn<T, String> c, Function<T, String> f, Function<T, String> tip,
                                          OverrunStyle overrun) {
        c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue() == null || cd.getValue().getValue() == null
                ? "" : f.apply(cd.getValue().getValue())));
        c.setCellFactory(col -> new TreeTableCell<>() {
            private final Tooltip tooltip = tooltip();

            {
                setTextOverrun(overrun);
            }

            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                T row = empty || getTableRow() == null ? null : getTableRow().getItem();
                String more = tip == null || row == null ? null : tip.apply(row);
                if (empty || item == null || item.isEmpty()) {
                    setText(null);
                    setTooltip(null);
                } else {
                    setText(item);
                    tooltip.setText(more == null || more.isEmpty() ? item : more);
                    setTooltip(tooltip);
                }
            }
        });
    }

    /** A cell's tooltip: shown soon, wrapped, never wider than a reader's line. */
    public static Tooltip tooltip() {
        Tooltip tip = new Tooltip();
        tip.setShowDelay(Duration.millis(400));
        tip.setWrapText(true);
        tip.setMaxWidth(640);
        return tip;
    }

    /**
     * Keeps the row selected across a re-read of the table's list, found again by its key: after a
     * refresh the rows are new objects (a pin or a start changed them), and the administrator's
     * place must not be lost. Call before the table is given {@code items}.
     */
    public static <T> void keepSelection(TableView<T> table, ObservableList<T> items, Function<T, String> key) {
        String[] before = new String[1];
        // Registered before the table's own listener: sees the selection as it was before the change.
        items.addListener((ListChangeListener<T>) ch -> {
            T sel = table.getSelectionModel().getSelectedItem();
            before[0] = sel == null ? null : key.apply(sel);
        });
        table.setItems(items);
        // Registered after it: puts the selection back once the table has dropped it.
        items.addListener((ListChangeListener<T>) ch -> {
            String k = before[0];
            if (k == null) {
                return;
            }
            T sel = table.getSelectionModel().getSelectedItem();
            if (sel != null && key.apply(sel).equals(k) && sel == items.get(table.getSelectionModel().getSelectedIndex())) {
                return;
            }
            for (int i = 0; i < items.size(); i++) {
                if (k.equals(key.apply(items.get(i)))) {
                    table.getSelectionModel().clearAndSelect(i);
                    return;
                }
            }
        });
    }

    public static void copy(String text) {
        ClipboardContent c = new ClipboardContent();
        c.putString(text);
        Clipboard.getSystemClipboard().setContent(c);
    }
}
