package dev.twinshift.ui;

import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.scene.control.TableColumn;

/** What every view's tables share, so that each view only says which value goes in which column. */
public final class Tables {
    private Tables() {}

    /** A column that shows {@code value} of its row as text. */
    public static <T> void text(TableColumn<T, String> column, Function<T, String> value) {
        column.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(value.apply(cd.getValue())));
    }
}
