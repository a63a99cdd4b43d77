package dev.twinshift.ui.logs;

/** CSS class names of the log console and the task center, in one place (no inline styles). */
public final class LogStyles {
    private LogStyles() {}

    /** The log console's and the task center's stylesheet. */
    public static final String STYLESHEET = "/dev/twinshift/ui/logs/logs.css";

    /** The activity panel at the foot of the main window: the log and the task tabs. */
    public static final String ACTIVITY = "activity";
    /** The log console's pane: its toolbar above its lines. */
    public static final String PANE = "log-pane";
    /** The log console's toolbar: filter, search, and the buttons. */
    public static final String TOOLBAR = "log-toolbar";
    /** An icon of the log console's toolbar. */
    public static final String ICON = "log-icon";
    /** The log's list of lines, in a fixed-width font. */
    public static final String LIST = "log-list";
    /** The log's list of lines, the scope of the rules that colour a line. */
    public static final String CONSOLE = "log-console";
    /** A line of the log. */
    public static final String LINE = "log-line";
    /** A line from a command's error output. */
    public static final String STDERR = "log-stderr";
    /** A line that says WARNING. */
    public static final String WARNING = "log-warning";
    /** A line that says ERROR, FATAL, PANIC, or that a task failed. */
    public static final String ERROR = "log-error";
    /** A line the search finds. */
    public static final String MATCH = "log-match";
    /** How many lines the search finds, beside the search field. */
    public static final String MATCHES = "log-matches";
    /** The count of lines shown and kept, under the lines. */
    public static final String STATUS = "log-status";
    /** The button back to the newest line, shown when the view is scrolled up. */
    public static final String JUMP_TO_END = "log-jump";
    /** The bar that says the log shows one task's lines only, with its way back to all. */
    public static final String SCOPE_BAR = "log-scope";

    /** The task center's list of tasks. */
    public static final String TASK_LIST = "task-list";
    /** A task's row while it runs. */
    public static final String TASK_RUNNING = "task-running";
    /** A task's row once it succeeded. */
    public static final String TASK_SUCCEEDED = "task-succeeded";
    /** A task's row once it failed. */
    public static final String TASK_FAILED = "task-failed";
    /** A task's row once it was cancelled. */
    public static final String TASK_CANCELLED = "task-cancelled";
    /** A task's title, in bold. */
    public static final String TASK_TITLE = "task-title";
    /** A task's latest message. */
    public static final String TASK_MESSAGE = "task-message";
    /** A task's state icon, coloured by its row's state. */
    public static final String TASK_STATE = "task-state";
    /** How a task ended, in a sentence. */
    public static final String TASK_OUTCOME = "task-outcome";
    /** How long a task has run, or ran. */
    public static final String TASK_ELAPSED = "task-elapsed";
    /** A task's Cancel button. */
    public static final String TASK_CANCEL = "task-cancel";
    /** What cancelling a task would do, beside its Cancel button. */
    public static final String TASK_CANCEL_TEXT = "task-cancel-text";
    /** The note that pops up when a long task ends. */
    public static final String TOAST = "task-toast";
}
