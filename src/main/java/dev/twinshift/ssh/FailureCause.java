package dev.twinshift.ssh;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that turns a failed command's error output into its cause, so that every command,
 * whoever runs it, fails with "no space left on /srv/data: 4096 bytes free" rather than a bare exit
 * code. Out of space is asked of the server itself ({@code df}) for the paths the command named,
 * because the error output rarely says which filesystem is full and never how full.
 */
public final class FailureCause {
    private static final Pattern PATH = Pattern.compile("(/[^\\s:'\"`‘’()]+)");
    private static final int MAX_PATHS = 8;

    /**
     * For each path: its nearest existing ancestor (a file that could not be written may not exist)
     * measured by df. Prints "AVAIL SIZE TARGET" per path; a path df cannot measure is left out.
     */
    static final String DF_SCRIPT = """
            for p do
              while [ ! -e "$p" ] && [ "$p" != / ]; do p=$(dirname -- "$p"); done
              df -B1 --output=avail,size,target -- "$p" 2>/dev/null | tail -n +2
            done
            exit 0
            """;

    private FailureCause() {}

    /** How a filesystem stands: bytes available to unprivileged writers, its size, its mount point. */
    public record Free(long availableBytes, long sizeBytes, String mountPoint) {}

    public enum Kind { NO_SPACE, QUOTA_EXCEEDED }

    /** Whether the error output says the storage ran out (ENOSPC or EDQUOT, in the C locale's words). */
    public static Kind outOfSpace(String stderr) {
        if (stderr == null) {
            return null;
        }
        String s = stderr.toLowerCase(Locale.ROOT);
        if (s.contains("no space left on device") || s.contains("enospc")) {
            return Kind.NO_SPACE;
        }
        if (s.contains("disk quota exceeded") || s.contains("edquot")) {
            return Kind.QUOTA_EXCEEDED;
        }
        return null;
    }

    /**
     * The paths worth measuring, most telling first: those on the error lines that name the failure,
     * then the command's own absolute-path arguments.
     */
    static List<String> pathsOf(RemoteCommand command, String stderr) {
        Set<String> out = new LinkedHashSet<>();
        if (stderr != null) {
            for (String line : stderr.split("\n")) {
                if (outOfSpace(line) == null) {
                    continue;
                }
                Matcher m = PATH.matcher(line);
                while (m.find()) {
                    out.add(m.group(1).replaceAll("[.,;]+$", ""));
                }
            }
        }
        for (String a : command.argv().subList(1, command.argv().size())) {
            if (a.startsWith("/") && a.indexOf('\n') < 0) {
                out.add(a);
            }
        }
        List<String> l = new ArrayList<>(out);
        return l.size() > MAX_PATHS ? l.subList(0, MAX_PATHS) : l;
    }

    /** Reads the probe's output: one {@link Free} per line, duplicates (same mount point) left out. */
    static List<Free> parseDf(String out) {
        List<Free> r = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String line : out.split("\n")) {
            String[] f = line.strip().split("\\s+", 3);
            if (f.length < 3) {
                continue;
            }
            try {
                Free x = new Free(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2]);
                if (seen.add(x.mountPoint())) {
                    r.add(x);
                }
            } catch (NumberFormatException e) {
                // a header or a message: not a measurement
            }
        }
        return r;
    }

    /**
     * The sentence naming the cause. The filesystem reported is the first measured one that names
     * the failure (paths from the error output come first), unless another one of the command's is
     * fuller.
     */
    static String describe(Kind kind, List<Free> measured) {
        String what = kind == Kind.QUOTA_EXCEEDED ? "disk quota exceeded" : "no space left";
        if (measured.isEmpty()) {
            return what + " (the filesystem could not be measured)";
        }
        Free pick = measured.get(0);
        for (Free f : measured) {
            if (f.availableBytes() < pick.availableBytes()) {
                pick = f;
            }
        }
        String on = what + " on " + pick.mountPoint() + ": " + pick.availableBytes() + " bytes free ("
                + human(pick.availableBytes()) + " of " + human(pick.sizeBytes()) + ")";
        return kind == Kind.QUOTA_EXCEEDED ? on + "; the volume written to has used up its quota" : on;
    }

    /**
     * The cause of a failed command, asked of the server when the error output says it ran out of
     * space; null for other failures. The probe runs as the failed command's user.
     */
    public static String diagnose(RemoteShell shell, CommandResult failed) throws InterruptedException {
        Kind kind = outOfSpace(failed.stderr());
        if (kind == null || failed.ok()) {
            return null;
        }
        return describe(kind, measure(shell, failed.command().runAs(), pathsOf(failed.command(), failed.stderr())));
    }

    /** {@link #diagnose} for an error text found elsewhere (a server log), with the paths it concerns. */
    public static String diagnose(RemoteShell shell, String runAs, String text, List<String> paths)
            throws InterruptedException {
        Kind kind = outOfSpace(text);
        if (kind == null) {
            return null;
        }
        List<String> all = new ArrayList<>(pathsOf(RemoteCommand.of("-"), text));
        all.addAll(paths);
        return describe(kind, measure(shell, runAs, all));
    }

    /** Free space of the filesystems holding these paths (an unmeasurable path is left out). */
    public static List<Free> measure(RemoteShell shell, String runAs, List<String> paths) throws InterruptedException {
        if (paths.isEmpty()) {
            return List.of();
        }
        List<String> argv = new ArrayList<>(List.of("sh", "-c", DF_SCRIPT, "twinshift-df"));
        argv.addAll(paths);
        RemoteCommand c = RemoteCommand.of(argv);
        if (runAs != null) {
            c = runAs.equals("root") ? c.asRoot() : c.asUser(runAs);
        }
        try {
            CommandResult r = shell.run(c, java.time.Duration.ofSeconds(20));
            return r.ok() ? parseDf(r.stdout()) : List.of();
        } catch (SshException e) {
            // The failure being explained is reported all the same, only without figures.
            return List.of();
        }
    }

    /** Bytes in binary units for people ("1.5 GiB"); messages give the exact count beside it. */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
