package dev.twinshift.ui.timeline;

import java.util.Objects;

/**
 * A verdict drawn on one snapshot, e.g. a bisect probe's.
 *
 * @param snapshotId the snapshot's id
 * @param kind       the verdict
 * @param text       what the probe said (its output, or why it was skipped), shown on hover and in the details
 */
public record TimelineMark(String snapshotId, Kind kind, String text) {
    public enum Kind { GOOD, BAD, SKIPPED, ERROR, UNTESTED }

    public TimelineMark {
        Objects.requireNonNull(snapshotId);
        Objects.requireNonNull(kind);
        text = text == null ? "" : text;
    }
}
