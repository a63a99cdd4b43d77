package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailureCauseTest {

    @Test
    void outOfSpaceIsRecognisedInTheErrorOutput() {
        assertEquals(FailureCause.Kind.NO_SPACE,
                FailureCause.outOfSpace("tee: /srv/d/.twinshift/lock/owner.json.tmp: No space left on device\n"));
        assertEquals(FailureCause.Kind.QUOTA_EXCEEDED, FailureCause.outOfSpace("cp: error writing 'x': Disk quota exceeded"));
        assertNull(FailureCause.outOfSpace("mkdir: cannot create directory '/x': Permission denied"));
        assertNull(FailureCause.outOfSpace(null));
    }

    @Test
    void thePathsOnTheFailingLineComeBeforeTheCommandsArguments() {
        RemoteCommand tee = RemoteCommand.of("tee", "--", "/srv/a/owner.json.tmp").asRoot();
        List<String> p = FailureCause.pathsOf(tee,
                "warning: /etc/foo ignored\ntee: /srv/b/x.tmp: No space left on device\n");
        assertEquals(List.of("/srv/b/x.tmp", "/srv/a/owner.json.tmp"), p);
        assertEquals(List.of("/d/f"), FailureCause.pathsOf(RemoteCommand.of("dd", "if=/dev/zero", "/d/f"),
                "dd: error writing 'f': No space left on device"));
    }

    @Test
    void theFullestMeasuredFilesystemIsNamedWithItsFreeBytes() {
        List<FailureCause.Free> m = FailureCause.parseDf("   8192   1073741824 /srv/scratch\n 500 1000 /srv/scratch\n"
                + "999999 8589934592 /\n");
        assertEquals(2, m.size());
        String s = FailureCause.describe(FailureCause.Kind.NO_SPACE, m);
        assertEquals("no space left on /srv/scratch: 8192 bytes free (8.0 KiB of 1.0 GiB)", s);
        assertTrue(FailureCause.describe(FailureCause.Kind.QUOTA_EXCEEDED, m).startsWith("disk quota exceeded on /srv/scratch"));
        assertEquals("no space left (the filesystem could not be measured)",
                FailureCause.describe(FailureCause.Kind.NO_SPACE, List.of()));
    }

    @Test
    void aFailureWithACauseSaysTheCauseFirstAndKeepsTheCommandsOwnWords() {
        CommandResult r = new CommandResult(RemoteCommand.of("tee", "--", "/srv/a/x.tmp").asRoot(), 1, "",
                "tee: /srv/a/x.tmp: No space left on device\n", Duration.ZERO)
                .withCause("no space left on /srv/a: 0 bytes free (0 B of 1.0 GiB)");
        SshException e = assertThrows(SshException.class, r::requireSuccess);
        assertEquals(SshException.Kind.NO_SPACE, e.kind());
        assertTrue(e.getMessage().startsWith("no space left on /srv/a: 0 bytes free"), e.getMessage());
        assertTrue(e.getMessage().contains("tee: /srv/a/x.tmp: No space left on device"), e.getMessage());
        assertTrue(e.explain().contains("destroy clones"), e.explain());
    }

    @Test
    void aFailureThatSaidNothingSaysSo() {
        CommandResult r = new CommandResult(RemoteCommand.of("false"), 1, "", "", Duration.ZERO);
        SshException e = assertThrows(SshException.class, r::requireSuccess);
        assertEquals("`false` exited 1 (it wrote nothing to its error output)", e.getMessage());
    }
}
