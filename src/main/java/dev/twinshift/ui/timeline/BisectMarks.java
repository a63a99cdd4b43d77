package dev.twinshift.ui.timeline;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A search's results as the timeline draws them: each probe's verdict on its snapshot, and the last
 * good and first bad snapshots between which the change happened.
 *
 * @param title       what was checked, e.g. "pg_upgrade --check to 15"
 * @param marks       one per probed (or skipped) snapshot
 * @param lastGoodId  the newest snapshot that passed before the first failure, null when none passed
 * @param firstBadId  the oldest snapshot that failed, null when none failed
 */
public record BisectMarks(String title, List<TimelineMark> marks, String lastGoodId, String firstBadId) {
    public static final BisectMarks NONE = new BisectMarks("", List.of(), null, null);

    public BisectMarks {
        title = title == null ? "" : title;
        marks = List.copyOf(marks);
    }

    public Map<String, TimelineMark> byId() {
        return marks.stream().collect(Collectors.toMap(TimelineMark::snapshotId, Function.identity(), (a, b) -> b));
    }
}
