package dev.twinshift.ssh;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A remote command as an argument list. It never holds shell text: {@link #toShell()} is the only
 * way it becomes a command line, and that goes through {@link ShellQuote}.
 *
 * @param argv   program and arguments, each passed to the remote program unchanged
 * @param runAs  null to run as the login user, "root" for {@code sudo -n}, another name for
 *               {@code sudo -n -u NAME}
 */
public record RemoteCommand(List<String> argv, String runAs) {

    public RemoteCommand {
        Objects.requireNonNull(argv, "argv");
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a remote command needs a program");
        }
        for (String a : argv) {
            Objects.requireNonNull(a, "argument");
            if (a.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("an argument cannot contain a NUL byte");
            }
        }
        argv = List.copyOf(argv);
    }

    public static RemoteCommand of(String... argv) {
        return new RemoteCommand(List.of(argv), null);
    }

    public static RemoteCommand of(List<String> argv) {
        return new RemoteCommand(argv, null);
    }

    /** Runs the same command through {@code sudo -n} (never prompts: a password need is an error). */
    public RemoteCommand asRoot() {
        return new RemoteCommand(argv, "root");
    }

    /** Runs the same command as another local user of the server, e.g. {@code postgres}. */
    public RemoteCommand asUser(String user) {
        return new RemoteCommand(argv, Objects.requireNonNull(user));
    }

    public String program() {
        return argv.get(0);
    }

    /** The full argument list as executed, sudo prefix included. */
    public List<String> effectiveArgv() {
        if (runAs == null) {
            return argv;
        }
        List<String> full = new ArrayList<>();
        full.add("sudo");
        full.add("-n");
        if (!"root".equals(runAs)) {
            full.add("-u");
            full.add(runAs);
        }
        full.add("--");
        full.addAll(argv);
        return full;
    }

    /** The command line sent to the remote shell. */
    public String toShell() {
        return ShellQuote.join(effectiveArgv());
    }

    @Override
    public String toString() {
        return toShell();
    }
}
