package dev.twinshift.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the output of Debian's {@code pg_lsclusters}: the JSON form ({@code --json}, postgresql-common
 * 230 and later) when present, else the text columns
 * {@code Ver Cluster Port Status Owner Data directory Log file}.
 */
public final class PgLsClusters {
    private PgLsClusters() {}

    /** An entry of the JSON form, with the owner still a uid (the JSON has no user name). */
    public record Entry(PgCluster cluster, String ownerUid) {
    }

    public static List<Entry> parseJson(String json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("pg_lsclusters --json printed something that is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("pg_lsclusters --json did not print a JSON array");
        }
        List<Entry> out = new ArrayList<>();
        for (JsonNode n : root) {
            JsonNode cfg = n.path("config");
            boolean running = n.path("running").asInt(0) != 0;
            boolean recovery = n.path("recovery").asInt(0) != 0;
            String socketDir = text(n, "socketdir");
            if (socketDir == null) {
                socketDir = firstSocketDir(text(cfg, "unix_socket_directories"));
            }
            PgCluster c = new PgCluster(n.path("version").asText(), n.path("cluster").asText(),
                    parsePort(n.path("port").asText()), running,
                    running ? (recovery ? "online,recovery" : "online") : "down", null,
                    text(n, "pgdata"), text(n, "configdir"), socketDir, text(n, "logfile"),
                    null, List.of(), -1, PgCluster.Manager.POSTGRESQL_COMMON);
            out.add(new Entry(c, text(n, "owneruid")));
        }
        return out;
    }

    /**
     * Parses the text form. Data directories with spaces are read as far as the columns allow: the
     * log file is the last field when it looks like a path.
     */
    public static List<PgCluster> parseText(String text) {
        List<PgCluster> out = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = stripAnsi(raw).strip();
            if (line.isEmpty() || line.startsWith("Ver ")) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length < 6) {
                throw new IllegalArgumentException("unexpected pg_lsclusters line: " + line);
            }
            String status = f[3];
            String dataDir;
            String logFile = null;
            if (f.length == 6) {
                dataDir = f[5];
            } else {
                String last = f[f.length - 1];
                boolean lastIsLog = last.startsWith("/") || last.startsWith("<") || last.equals("syslog");
                int end = lastIsLog ? f.length - 1 : f.length;
                dataDir = String.join(" ", java.util.Arrays.copyOfRange(f, 5, end));
                logFile = lastIsLog && !last.startsWith("<") ? last : null;
            }
            out.add(new PgCluster(f[0], f[1], parsePort(f[2]), status.startsWith("online"), status, f[4],
                    dataDir, "/etc/postgresql/" + f[0] + "/" + f[1], null, logFile, null, List.of(), -1,
                    PgCluster.Manager.POSTGRESQL_COMMON));
        }
        return out;
    }

    static String firstSocketDir(String dirs) {
        if (dirs == null || dirs.isBlank()) {
            return null;
        }
        String first = dirs.split(",")[0].strip();
        return first.isEmpty() ? null : first;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        String s = v.asText();
        return s.isBlank() ? null : s;
    }

    private static int parsePort(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return 5432;
        }
    }

    private static String stripAnsi(String s) {
        return s.replaceAll("\u001b\\[[0-9;]*m", "");
    }
}
