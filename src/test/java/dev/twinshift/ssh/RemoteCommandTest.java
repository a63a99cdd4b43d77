package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemoteCommandTest {

    @Test
    void plainCommandRunsAsTheLoginUser() {
        RemoteCommand c = RemoteCommand.of("pg_lsclusters", "--json");
        assertNull(c.runAs());
        assertEquals(List.of("pg_lsclusters", "--json"), c.effectiveArgv());
        assertEquals("pg_lsclusters --json", c.toShell());
        assertEquals("pg_lsclusters", c.program());
    }

    @Test
    void asRootGoesThroughNonInteractiveSudo() {
        RemoteCommand c = RemoteCommand.of("btrfs", "subvolume", "list", "/srv/my data").asRoot();
        assertEquals(List.of("sudo", "-n", "--", "btrfs", "subvolume", "list", "/srv/my data"), c.effectiveArgv());
        assertEquals("sudo -n -- btrfs subvolume list '/srv/my data'", c.toShell());
    }

    @Test
    void asUserNamesTheUser() {
        RemoteCommand c = RemoteCommand.of("psql", "-c", "select 1").asUser("postgres");
        assertEquals(List.of("sudo", "-n", "-u", "postgres", "--", "psql", "-c", "select 1"), c.effectiveArgv());
        assertEquals("sudo -n -u postgres -- psql -c 'select 1'", c.toShell());
    }

    @Test
    void aHostileUserNameIsQuotedToo() {
        RemoteCommand c = RemoteCommand.of("id").asUser("x; rm -rf /");
        assertEquals("sudo -n -u 'x; rm -rf /' -- id", c.toShell());
    }

    @Test
    void argumentsAreCopiedNotShared() {
        List<String> argv = new ArrayList<>(List.of("echo", "a"));
        RemoteCommand c = RemoteCommand.of(argv);
        argv.add("b");
        assertEquals(List.of("echo", "a"), c.argv());
        assertThrows(UnsupportedOperationException.class, () -> c.argv().add("x"));
    }

    @Test
    void rejectsWhatNoRemoteProgramCouldReceive() {
        assertThrows(IllegalArgumentException.class, () -> RemoteCommand.of());
        assertThrows(IllegalArgumentException.class, () -> RemoteCommand.of("echo", "a\0b"));
        assertThrows(NullPointerException.class, () -> RemoteCommand.of("echo", null));
    }

    @Test
    void sudoPasswordNeedIsRecognisedOnlyForSudoCommands() {
        String msg = "sudo: a password is required\n";
        RemoteCommand sudo = RemoteCommand.of("true").asRoot();
        SshException e = failure(new CommandResult(sudo, 1, "", msg, Duration.ZERO));
        assertEquals(SshException.Kind.SUDO_PASSWORD_REQUIRED, e.kind());

        // The same words from a program that is not run through sudo are just its error output.
        SshException plain = failure(new CommandResult(RemoteCommand.of("cat", "f"), 1, "", msg, Duration.ZERO));
        assertEquals(SshException.Kind.COMMAND_FAILED, plain.kind());

        // sudo -n fails with exit 1; another exit code came from the command itself.
        SshException other = failure(new CommandResult(sudo, 2, "", msg, Duration.ZERO));
        assertEquals(SshException.Kind.COMMAND_FAILED, other.kind());
    }

    private static SshException failure(CommandResult r) {
        return assertThrows(SshException.class, r::requireSuccess);
    }
}
