package dev.twinshift.ui.tasks;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One line of the log as the console shows it. The text is kept as it came and formatted only when a
 * row is drawn, copied or saved: a million lines cost a million records, not a million formatted
 * strings held twice.
 *
 * @param seq    its position in the whole log, from 0; a save writes lines in this order
 * @param millis when it was appended
 * @param task   the task that logged it ({@link FxTaskExecutor.RunningTask#id()}), or 0
 * @param source who wrote it: a task's title, a step, a command
 * @param stderr whether it came from a command's error output
 */
public record LogLine(long seq, long millis, int task, String source, String text, boolean stderr, Level level) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** How bad the line says things are, read from the text the way PostgreSQL's tools write it. */
    public enum Level { INFO, WARNING, ERROR }

    /**
     * PostgreSQL and its tools prefix their messages ({@code WARNING:}, {@code ERROR:}, {@code FATAL:});
     * the console's own failures start with "failed". Anything else is information.
     */
    public static Level levelOf(String text) {
        if (text.startsWith("failed") || contains(text, "ERROR:") || contains(text, "FATAL:") || contains(text, "PANIC:")
                || text.regionMatches(true, 0, "error", 0, 5)) {
            return Level.ERROR;
        }
        if (contains(text, "WARNING:") || text.regionMatches(true, 0, "warning", 0, 7)) {
            return Level.WARNING;
        }
        return Level.INFO;
    }

    private static boolean contains(String text, String word) {
        return text.indexOf(word) >= 0;
    }

    /** {@code HH:mm:ss  source  text}, as the log has always read and as a save writes it. */
    public String formatted() {
        return time() + "  " + source + "  " + text;
    }

    public String time() {
        return LocalTime.ofInstant(Instant.ofEpochMilli(millis), ZoneId.systemDefault()).format(TIME);
    }
}
