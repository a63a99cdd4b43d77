package dev.twinshift.ui.logs;

/** CSS class names of the log console and the task center, in one place (no inline styles). */
public final class LogStyles {
    private LogStyles() {}

    public static final String STYLESHEET = "/dev/twinshift/ui/logs/logs.css";

    public static final String CONSOLE = "log-console";
    public static final String LINE = "log-line";
    /** A line from a command's error output. */
    public static final String STDERR = "log-stderr";
    /** A line that says WARNING. */
    public static final String WARNING = "log-warning";
    /** A line that says ERROR, FATAL, PANIC, or that a task failed. */
    public static final String ERROR = "log-error";
    /** A line the search finds. */
    public static final String MATCH = "log-match";
    public static final String JUMP_TO_END = "log-jump";
    public static final String SCOPE_BAR = "log-scope";

    public static final String TASK_RUNNING = "task-running";
    public static final String TASK_SUCCEEDED = "task-succeeded";
    public static final String TASK_FAILED = "task-failed";
    public static final String TASK_CANCELLED = "task-cancelled";
    public static final String TASK_OUTCOME = "task-outcome";
    public static final String TASK_ELAPSED = "task-elapsed";
}
