package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A detached job on the lab's server is stopped whole, by the same script as a cancelled command. */
class DetachedJobIT {
    @TempDir
    Path dir;
    SshConnection conn;
    String jobDir;

    @BeforeEach
    void setUp() throws Exception {
        conn = new LabSsh(Lab.require(), dir).connectAdmin();
        jobDir = conn.check(RemoteCommand.of("mktemp", "-d").asRoot()).stdout().strip() + "/job";
    }

    @AfterEach
    void tearDown() throws Exception {
        if (conn != null) {
            conn.run(RemoteCommand.of("rm", "-rf", "--", jobDir.substring(0, jobDir.lastIndexOf('/'))).asRoot());
            conn.close();
        }
    }

    @Test
    void stopEndsTheJobAndWhatLeftItsGroup() throws Exception {
        String a = LabSsh.uniqueSleep();
        String b = LabSsh.uniqueSleep();
        String c = LabSsh.uniqueSleep();
        // in the group; in a session of its own (as pg_ctl puts a server); orphaned but in the group
        DetachedJob job = DetachedJob.start(conn, jobDir, RemoteCommand.of("sh", "-c",
                "sleep \"$1\" & setsid sleep \"$2\" & (sleep \"$3\" &); wait", "sh", a, b, c).asUser("nobody"));
        for (String n : new String[] {a, b, c}) {
            LabSsh.awaitRunning(conn, "sleep", n);
        }
        assertTrue(job.stop(), "the job was running");
        for (String n : new String[] {a, b, c}) {
            assertFalse(LabSsh.running(conn, "sleep", n), "sleep " + n + " survived the stop");
        }
        DetachedJob.Status s = job.poll(0, null);
        assertTrue(s.finished(), s.toString());
        assertFalse(job.stop(), "a second stop finds nothing running");
    }

    @Test
    void aJobStoppedBeforeItStartedNeverRuns() throws Exception {
        assertFalse(new DetachedJob(conn, jobDir).stop());
        SshException e = org.junit.jupiter.api.Assertions.assertThrows(SshException.class,
                () -> DetachedJob.start(conn, jobDir, RemoteCommand.of("true")));
        assertEquals(92, e.result().exitCode(), e.getMessage());
    }
}
