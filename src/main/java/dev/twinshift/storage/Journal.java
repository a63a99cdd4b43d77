package dev.twinshift.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An operation's journal on the server: {@code .twinshift/journal/<operation>.jsonl}, one JSON object
 * per line, only ever appended. A line cut short by a crash is ignored when read back.
 */
public final class Journal {
    private static final ObjectWriter LINE = Json.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);
    /** Appends stdin in one write: a line is never interleaved with another writer's. */
    private static final String APPEND = """
            mkdir -p "$(dirname "$1")"
            line=$(cat)
            printf '%s\\n' "$line" >> "$1"
            # The line must survive the server going down right after the step it announces.
            sync -- "$1" 2>/dev/null || :
            """;

    private final RemoteShell shell;
    private final String path;
    private final String operation;

    public Journal(RemoteShell shell, Catalog catalog, String operation) {
        this.shell = shell;
        this.operation = operation;
        this.path = directory(catalog) + "/" + operation + ".jsonl";
    }

    public static String directory(Catalog catalog) {
        return catalog.root() + "/journal";
    }

    public String path() {
        return path;
    }

    public String operation() {
        return operation;
    }

    public void append(JournalEntry e) throws SshException, InterruptedException {
        byte[] line = toLine(e).getBytes(StandardCharsets.UTF_8);
        shell.run(RemoteCommand.of("sh", "-c", APPEND, "journal-append", path).asRoot(),
                ExecOptions.defaults().withStdin(line), LineListener.IGNORE).requireSuccess();
    }

    public List<JournalEntry> read() throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("cat", "--", path).asRoot(),
                ExecOptions.defaults().withCaptureLimit(64 * 1024 * 1024), LineListener.IGNORE);
        if (!r.ok()) {
            return List.of();
        }
        return parse(r.stdout());
    }

    public static String toLine(JournalEntry e) {
        try {
            String s = LINE.writeValueAsString(e);
            if (s.indexOf('\n') >= 0) {
                throw new IllegalStateException("a journal line cannot hold a line break");
            }
            return s;
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot write a journal line", ex);
        }
    }

    /** The entries of a journal's text; a torn last line (the writer died mid-write) is left out. */
    public static List<JournalEntry> parse(String text) {
        List<JournalEntry> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(Json.mapper().readValue(line, JournalEntry.class));
            } catch (IOException torn) {
                // only the last line can be torn; an earlier bad line means the file was edited by hand
            }
        }
        return out;
    }

    /** The operations journaled in this catalog, newest first (their names start with a timestamp). */
    public static List<String> operations(RemoteShell shell, Catalog catalog) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("find", directory(catalog), "-maxdepth", "1", "-name", "*.jsonl",
                "-printf", "%f\\n").asRoot());
        List<String> ops = new ArrayList<>();
        if (!r.ok()) {
            return ops;
        }
        for (String l : r.stdout().split("\n")) {
            if (l.endsWith(".jsonl")) {
                ops.add(l.substring(0, l.length() - ".jsonl".length()));
            }
        }
        ops.sort(java.util.Comparator.reverseOrder());
        return ops;
    }

    /**
     * For a lock held by a journaled operation ({@code "rollback OP"}, {@code "upgrade OP"}): where that
     * operation stands and what to run to finish or undo it; empty when the lock names no journal or the
     * operation has ended.
     */
    public static Optional<String> explainHolder(Catalog catalog, LockOwner holder) throws InterruptedException {
        if (holder == null || holder.operation() == null) {
            return Optional.empty();
        }
        String[] kindAndOp = holder.operation().split(" ", 2);
        if (kindAndOp.length != 2 || !kindAndOp[1].matches("[0-9]{8}T[0-9]{6}Z-[A-Za-z0-9_.-]+")) {
            return Optional.empty();
        }
        try {
            OperationState st = OperationState.read(new Journal(catalog.shell(), catalog, kindAndOp[1]));
            if (st.plan().isEmpty() || st.outcome() != null && !st.outcome().endsWith("FAILED") && !st.outcome().equals("STUCK")) {
                return Optional.empty();
            }
            return Optional.of("its " + kindAndOp[0] + " " + kindAndOp[1]
                    + Optional.ofNullable(st.plan().get("cluster")).map(c -> " of " + c).orElse("") + " " + st.where()
                    + "; if that console is gone, " + st.howToGoOn());
        } catch (SshException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
