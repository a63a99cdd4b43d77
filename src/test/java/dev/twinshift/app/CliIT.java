package dev.twinshift.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.storage.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The command line against the lab, the way an administrator would type it. */
class CliIT {
    static Lab lab;

    @BeforeAll
    static void lab() {
        lab = Lab.require();
    }

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of("--server", lab.admin().user() + "@" + lab.admin().host() + ":"
                + lab.admin().port(), "--identity", lab.admin().identityFiles().get(0).toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new Cli(LabShell::of), new PrintWriter(out, true), new PrintWriter(err, true),
                all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void clustersAsTableAndJson() throws Exception {
        Run t = cli("clusters");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("13/main") && t.out().contains("BTRFS_SUBVOLUME"), t.out());
        Run j = cli("clusters", "--json");
        assertEquals(0, j.code(), j.err());
        JsonNode arr = Json.mapper().readTree(j.out());
        JsonNode main = null;
        for (JsonNode n : arr) {
            if (n.path("cluster").path("name").asText().equals("main") && n.path("cluster").path("version").asText().equals("13")) {
                main = n;
            }
        }
        assertTrue(main != null, j.out());
        assertEquals(5433, main.path("cluster").path("port").asInt());
        assertEquals("BTRFS_SUBVOLUME", main.path("storage").path("method").asText());
    }

    @Test
    void snapshotCloneAndRollbackRefusalFromTheCommandLine() throws Exception {
        String tag = "cli-" + UUID.randomUUID().toString().substring(0, 6);
        Run s = cli("--json", "snapshot", "create", "--cluster", "13/main", "--label", tag);
        assertEquals(0, s.code(), s.err());
        JsonNode snap = Json.mapper().readTree(s.out());
        String id = snap.path("id").asText();
        try {
            Run list = cli("snapshot", "list", "--cluster", "13/main");
            assertTrue(list.out().contains(snap.path("name").asText()), list.out());

            Run no = cli("rollback", "--cluster", "13/main", "--to", id);
            assertEquals(Cli.EXIT_REFUSED, no.code());
            assertTrue(no.err().contains("discards every change made to 13/main since then"), no.err());
            assertTrue(no.err().contains("Nothing was changed"), no.err());

            Run c = cli("--json", "clone", "create", "--cluster", "13/main", "--from", id, tag);
            assertEquals(0, c.code(), c.err());
            try {
                Run st = cli("--json", "clone", "start", "--cluster", "13/main", tag);
                assertEquals(0, st.code(), st.err());
                JsonNode started = Json.mapper().readTree(st.out());
                assertTrue(started.path("running").asBoolean(), st.out());
                assertTrue(started.path("connection").asText().contains("port="), st.out());
                Run cl = cli("clone", "list", "--cluster", "13/main");
                assertTrue(cl.out().contains(tag) && cl.out().contains("running"), cl.out());

                Run del = cli("snapshot", "delete", "--cluster", "13/main", id);
                assertEquals(Cli.EXIT_REFUSED, del.code(), "a snapshot with a clone is kept");
                assertTrue(del.err().contains("has clones (" + tag + ")"), del.err());
                Run tree = cli("snapshot", "tree", "--cluster", "13/main");
                assertTrue(tree.out().contains(snap.path("name").asText() + " (MANUAL)\n    clone " + tag), tree.out());
                Run pin = cli("snapshot", "pin", "--cluster", "13/main", id);
                assertEquals(0, pin.code(), pin.err());
                assertTrue(cli("snapshot", "tree", "--cluster", "13/main").out().contains("(MANUAL, pinned)"));
                assertEquals(0, cli("snapshot", "pin", "--off", "--cluster", "13/main", id).code());
                Run lock = cli("lock", "show", "--cluster", "13/main");
                assertEquals("not locked", lock.out().strip());
            } finally {
                Run d = cli("clone", "destroy", "--cluster", "13/main", tag);
                assertEquals(0, d.code(), d.err());
            }
        } finally {
            Run d = cli("snapshot", "delete", "--cluster", "13/main", id);
            assertEquals(0, d.code(), d.err());
        }
        Run none = cli("rollback", "--cluster", "13/main", "--to", id, "--yes");
        assertEquals(Cli.EXIT_REFUSED, none.code());
        assertTrue(none.err().contains("no snapshot " + id), none.err());
    }

    @Test
    void upgradePlanIsReadOnlyAndCutoverWantsConfirmation() throws Exception {
        Run plan = cli("upgrade", "plan", "--cluster", "13/main", "--to", "15", "--json");
        assertEquals(0, plan.code(), plan.err());
        JsonNode p = Json.mapper().readTree(plan.out());
        assertEquals("CLONE", p.path("method").asText(), "btrfs: pg_upgrade --clone");
        assertEquals("15", p.path("newVersion").asText());
        assertEquals(5433, p.path("oldPort").asInt());
        // Debian's postgresql-15 package makes a 15/main of its own: then the new cluster needs another name.
        boolean has15main = cli("clusters").out().lines().anyMatch(l -> l.startsWith("15/main "));
        assertEquals(has15main ? "main_15" : "main", p.path("newName").asText());

        Run refused = cli("upgrade", "plan", "--cluster", "13/main", "--to", "17");
        assertEquals(3, refused.code());
        assertTrue(refused.err().contains("install postgresql-17 first"), refused.err());

        Run noYes = cli("upgrade", "cutover", "--cluster", "13/main");
        assertEquals(3, noYes.code());
        assertTrue(noYes.err().contains("Nothing was changed. Add --yes"), noYes.err());
        Run status = cli("upgrade", "status", "--cluster", "13/main");
        assertEquals(0, status.code(), status.err());
        assertTrue(cli("clusters").out().contains("13/main"), "13/main is still there");
    }
}
