package dev.twinshift.ui.wizard;

/** One line of a step list. {@code millis} is negative until the step has ended. */
public record StepRow(String step, String title, StepState state, long millis, String message) {
    public String duration() {
        return millis < 0 ? "" : String.format("%.1f s", millis / 1000.0);
    }
}
