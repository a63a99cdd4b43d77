package dev.twinshift.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabCli;
import dev.twinshift.lab.LabShell;
import dev.twinshift.ssh.KnownHostsFile;
import dev.twinshift.storage.Json;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line against the lab, the way an administrator would type it. */
class CliIT {
    static Lab lab;

    @BeforeAll
    static void lab() {
        lab = Lab.require();
    }


    static LabCli.Run cli(String... args) {
        return LabCli.run(args);
    }

    @Test
    void clustersAsTableAndJson() throws Exception {
        LabCli.Run t = cli("clusters");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("13/main") && t.out().contains("BTRFS_SUBVOLUME"), t.out());
        LabCli.Run j = cli("clusters", "--json");
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
        LabCli.Run s = cli("--json", "snapshot", "create", "--cluster", "13/main", "--label", tag);
        assertEquals(0, s.code(), s.err());
        JsonNode snap = Json.mapper().readTree(s.out());
        String id = snap.path("id").asText();
        try {
            LabCli.Run list = cli("snapshot", "list", "--cluster", "13/main");
            assertTrue(list.out().contains(snap.path("name").asText()), list.out());

            LabCli.Run no = cli("rollback", "--cluster", "13/main", "--to", id);
            assertEquals(Cli.EXIT_REFUSED, no.code());
            assertTrue(no.err().contains("discards every change made to 13/main since then"), no.err());
            assertTrue(no.err().contains("Nothing was changed"), no.err());

            LabCli.Run c = cli("--json", "clone", "create", "--cluster", "13/main", "--from", id, tag);
            assertEquals(0, c.code(), c.err());
            try {
                LabCli.Run st = cli("--json", "clone", "start", "--cluster", "13/main", tag);
                assertEquals(0, st.code(), st.err());
                JsonNode started = Json.mapper().readTree(st.out());
                assertTrue(started.path("running").asBoolean(), st.out());
                assertTrue(started.path("connection").asText().contains("port="), st.out());
                LabCli.Run cl = cli("clone", "list", "--cluster", "13/main");
                assertTrue(cl.out().contains(tag) && cl.out().contains("running"), cl.out());

                LabCli.Run del = cli("snapshot", "delete", "--cluster", "13/main", id);
                assertEquals(Cli.EXIT_REFUSED, del.code(), "a snapshot with a clone is kept");
                assertTrue(del.err().contains("has clones (" + tag + ")"), del.err());
                LabCli.Run tree = cli("snapshot", "tree", "--cluster", "13/main");
                assertTrue(tree.out().contains(snap.path("name").asText() + " (MANUAL)\n    clone " + tag), tree.out());
                LabCli.Run pin = cli("snapshot", "pin", "--cluster", "13/main", id);
                assertEquals(0, pin.code(), pin.err());
                assertTrue(cli("snapshot", "tree", "--cluster", "13/main").out().contains("(MANUAL, pinned)"));
                assertEquals(0, cli("snapshot", "pin", "--off", "--cluster", "13/main", id).code());
                LabCli.Run lock = cli("lock", "show", "--cluster", "13/main");
                assertEquals("not locked", lock.out().strip());
            } finally {
                LabCli.Run d = cli("clone", "destroy", "--cluster", "13/main", tag);
                assertEquals(0, d.code(), d.err());
            }
        } finally {
            LabCli.Run d = cli("snapshot", "delete", "--cluster", "13/main", id);
            assertEquals(0, d.code(), d.err());
        }
        LabCli.Run none = cli("rollback", "--cluster", "13/main", "--to", id, "--yes");
        assertEquals(Cli.EXIT_REFUSED, none.code());
        assertTrue(none.err().contains("no snapshot " + id), none.err());
    }

    @Test
    void upgradePlanIsReadOnlyAndCutoverWantsConfirmation() throws Exception {
        LabCli.Run plan = cli("upgrade", "plan", "--cluster", "13/main", "--to", "15", "--json");
        assertEquals(0, plan.code(), plan.err());
        JsonNode p = Json.mapper().readTree(plan.out());
        assertEquals("CLONE", p.path("method").asText(), "btrfs: pg_upgrade --clone");
        assertEquals("15", p.path("newVersion").asText());
        assertEquals(5433, p.path("oldPort").asInt());
        // Debian's postgresql-15 package makes a 15/main of its own: then the new cluster needs another name.
        boolean has15main = cli("clusters").out().lines().anyMatch(l -> l.startsWith("15/main "));
        assertEquals(has15main ? "main_15" : "main", p.path("newName").asText());

        LabCli.Run refused = cli("upgrade", "plan", "--cluster", "13/main", "--to", "17");
        assertEquals(3, refused.code());
        assertTrue(refused.err().contains("install postgresql-17 first"), refused.err());

        LabCli.Run noYes = cli("upgrade", "cutover", "--cluster", "13/main");
        assertEquals(3, noYes.code());
        assertTrue(noYes.err().contains("Nothing was changed. Add --yes"), noYes.err());
        LabCli.Run status = cli("upgrade", "status", "--cluster", "13/main");
        assertEquals(0, status.code(), status.err());
        assertTrue(cli("clusters").out().contains("13/main"), "13/main is still there");
    }

    /**
     * The shipped main class in a process of its own, as an administrator runs it from a script: no
     * terminal, HOME (and so ~/.ssh/known_hosts) in {@code home}, no ssh-agent, only the lab's key.
     */
    static LabCli.Run process(Path home, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"), "dev.twinshift.app.Launcher",
                "--server", lab.admin().user() + "@" + lab.admin().host() + ":" + lab.admin().port(),
                "--identity", lab.admin().identityFiles().get(0).toString()));
        cmd.addAll(Arrays.asList(args));
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("SSH_AUTH_SOCK");
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the command line did not end within 120 s: " + cmd);
        }
        return new LabCli.Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void anUnknownHostKeyWithoutATerminalSaysItsFingerprintAndHowToAcceptIt(@TempDir Path home) throws Exception {
        LabCli.Run r = process(home, "lock", "show", "--cluster", "13/main");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains(lab.hostKeyFingerprint()), r.err());
        assertTrue(r.err().contains("--accept-new-host-key"), r.err());
        assertTrue(r.err().contains("ssh-keyscan -p " + lab.admin().port() + " " + lab.admin().host() + " >> "
                + home.resolve(".ssh/known_hosts")), r.err());
        assertEquals("", Files.readString(home.resolve(".ssh/known_hosts")), "nothing was trusted");
    }

    @Test
    void acceptNewHostKeyTrustsAnUnknownKeyOnceAndStillRefusesAChangedOne(@TempDir Path home) throws Exception {
        Path knownHosts = home.resolve(".ssh/known_hosts");
        LabCli.Run first = process(home, "--accept-new-host-key", "lock", "show", "--cluster", "13/main");
        assertEquals(0, first.code(), first.err());
        assertEquals("not locked", first.out().strip());
        assertTrue(first.err().contains(lab.hostKeyFingerprint()) && first.err().contains(knownHosts.toString()), first.err());
        String token = KnownHostsFile.hostToken(lab.admin().host(), lab.admin().port());
        List<String> lines = Files.readAllLines(knownHosts);
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith(token + " ssh-ed25519 "), lines.toString());

        LabCli.Run known = process(home, "lock", "show", "--cluster", "13/main");
        assertEquals(0, known.code(), known.err());
        assertEquals("", known.err(), "a known key is neither announced nor asked about");

        // Another key for the same host: the server's key has changed, and accept-new does not cover that.
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(blob);
        byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
        d.writeInt(type.length);
        d.write(type);
        d.writeInt(32);
        d.write(new byte[32]);
        String other = token + " ssh-ed25519 " + Base64.getEncoder().encodeToString(blob.toByteArray()) + "\n";
        Files.writeString(knownHosts, other);
        LabCli.Run changed = process(home, "--accept-new-host-key", "lock", "show", "--cluster", "13/main");
        assertEquals(1, changed.code(), changed.err());
        assertTrue(changed.err().contains("has changed") && changed.err().contains(lab.hostKeyFingerprint()), changed.err());
        assertTrue(!changed.err().contains("Trusting"), changed.err());
        assertEquals(other, Files.readString(knownHosts), "known_hosts untouched");
    }

    /**
     * The README's command-line walk-through, run line by line as written (the placeholder
     * SNAPSHOT replaced by the snapshot the walk-through takes, the clone under a name of its own),
     * then the read-only upgrade lines; the README's other upgrade lines change the cluster and are
     * only parsed, by CliTest.
     */
    @Test
    void theReadmeCommandLinesWorkAsWritten() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("## Command line"));
        section = section.substring(0, section.indexOf("\n## ", 3));
        List<String> walk = section.lines().filter(l -> l.startsWith("$ts ")).toList();
        List<String> upgrade = readme.lines().filter(l -> l.startsWith("$ts upgrade plan ") || l.startsWith("$ts upgrade status "))
                .toList();
        assertTrue(walk.size() >= 6 && upgrade.size() == 2, walk + " " + upgrade);
        String clone = "readme-" + UUID.randomUUID().toString().substring(0, 6);
        String snapshot = null;
        List<String> cleanup = new ArrayList<>();
        try {
            for (String line : walk) {
                List<String> args = new ArrayList<>();
                for (String w : CliTest.words(line.substring(4))) {
                    args.add(w.equals("SNAPSHOT") ? snapshot : w.equals("rehearsal") ? clone : w);
                }
                LabCli.Run r = cli(args.toArray(String[]::new));
                boolean preview = args.get(0).equals("rollback") && !args.contains("--yes");
                assertEquals(preview ? Cli.EXIT_REFUSED : 0, r.code(), line + "\n" + r.err());
                if (preview) {
                    assertTrue(r.err().contains("Nothing was changed"), r.err());
                }
                if (args.get(0).equals("snapshot") && args.get(1).equals("create")) {
                    Matcher m = Pattern.compile("^(\\S+)  taken at WAL").matcher(r.out());
                    assertTrue(m.find(), r.out());
                    snapshot = m.group(1);
                    cleanup.add(0, "snapshot delete --cluster 13/main " + snapshot);
                }
                if (args.get(0).equals("clone") && args.get(1).equals("create")) {
                    cleanup.add(0, "clone destroy --cluster 13/main " + clone);
                }
            }
            for (String line : upgrade) {
                LabCli.Run r = cli(CliTest.words(line.substring(4)).toArray(String[]::new));
                assertEquals(0, r.code(), line + "\n" + r.err());
            }
        } finally {
            for (String c : cleanup) {
                LabCli.Run r = cli(c.split(" "));
                assertEquals(0, r.code(), c + "\n" + r.err());
            }
        }
    }
}
