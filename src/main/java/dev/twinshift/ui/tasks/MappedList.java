package dev.twinshift.ui.tasks;

import java.util.AbstractList;
import java.util.List;
import java.util.function.Function;
import javafx.collections.ListChangeListener.Change;
import javafx.collections.ObservableList;
import javafx.collections.transformation.TransformationList;

/**
 * A read-only view of a list through a function, computed on each read: the log's lines as text for
 * the views that show plain strings, without a second list of formatted copies in memory.
 */
final class MappedList<E, F> extends TransformationList<E, F> {
    private final Function<? super F, ? extends E> f;

    MappedList(ObservableList<? extends F> source, Function<? super F, ? extends E> f) {
        super(source);
        this.f = f;
    }

    @Override
    public E get(int index) {
        return f.apply(getSource().get(index));
    }

    @Override
    public int size() {
        return getSource().size();
    }

    @Override
    public int getSourceIndex(int index) {
        return index;
    }

    @Override
    public int getViewIndex(int index) {
        return index;
    }

    @Override
    protected void sourceChanged(Change<? extends F> c) {
        fireChange(new Change<E>(this) {
            @Override
            public boolean next() {
                return c.next();
            }

            @Override
            public void reset() {
                c.reset();
            }

            @Override
            public int getFrom() {
                return c.getFrom();
            }

            @Override
            public int getTo() {
                return c.getTo();
            }

            @Override
            public boolean wasUpdated() {
                return c.wasUpdated();
            }

            @Override
            public int getRemovedSize() {
                return c.getRemovedSize();
            }

            @Override
            public List<E> getRemoved() {
                // Mapped when read: a trimmed head of thousands of lines is not formatted for nobody.
                List<? extends F> removed = c.getRemoved();
                return new AbstractList<>() {
                    @Override
                    public E get(int i) {
                        return f.apply(removed.get(i));
                    }

                    @Override
                    public int size() {
                        return removed.size();
                    }
                };
            }

            @Override
            protected int[] getPermutation() {
                if (!c.wasPermutated()) {
                    return new int[0];
                }
                int[] p = new int[c.getTo() - c.getFrom()];
                for (int i = c.getFrom(); i < c.getTo(); i++) {
                    p[i - c.getFrom()] = c.getPermutation(i);
                }
                return p;
            }
        });
    }
}
