package dev.twinshift.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The server-wide job that runs {@code schedule.sh run CATALOG} for each catalog with schedules: exactly the
 * files it consists of, so that they can be shown before they are written.
 *
 * @param scheduler the systemd timer (systemd is PID 1) or a cron entry
 * @param files     what is written, path and content
 * @param after     commands run as root once the files are in place (systemctl daemon-reload, enable)
 * @param catalogs  the catalogs the job runs, in order
 * @param cadence   "hourly at minute 17", "hourly (randomized delay up to 5 min)", or every minute for tests
 */
public record ScheduleJob(Scheduler scheduler, List<JobFile> files, List<List<String>> after, List<String> catalogs,
                          String cadence) {

    public enum Scheduler { SYSTEMD, CRON }

    /** How often the job runs. Only tests run it every minute. */
    public enum Cadence { HOURLY, EVERY_MINUTE_FOR_TESTS_ONLY }

    public record JobFile(String path, String content) {}

    public static final String NAME = "twinshift-snapshots";
    public static final String CRON_FILE = "/etc/cron.d/" + NAME;
    public static final String SERVICE_FILE = "/etc/systemd/system/" + NAME + ".service";
    public static final String TIMER_FILE = "/etc/systemd/system/" + NAME + ".timer";
    static final int RANDOMIZED_DELAY_SECONDS = 300;
    /* What a cron line and a unit's ExecStart can carry without quoting: cron takes % as a newline, systemd
       takes it as a specifier, and both split on spaces. */
    private static final Pattern PLAIN_PATH = Pattern.compile("/[A-Za-z0-9._/@+-]*");

    public ScheduleJob {
        files = List.copyOf(files);
        after = List.copyOf(after);
        catalogs = List.copyOf(catalogs);
    }

    static String requirePlainPath(String catalog) {
        if (!PLAIN_PATH.matcher(catalog).matches() || catalog.contains("/../") || catalog.endsWith("/..")) {
            throw new IllegalArgumentException("the catalog " + catalog + " has characters a cron line or a systemd unit"
                    + " cannot carry unquoted (only letters, digits and . _ / @ + -): move the cluster's volume to such a path");
        }
        return catalog;
    }

    static String scriptOf(String catalog) {
        return catalog + "/bin/schedule.sh";
    }

    /** The cron file: one line per catalog, as root, at a minute chosen once per server so servers do not all run at :00. */
    static ScheduleJob cron(List<String> catalogs, int minute, Cadence cadence) {
        StringBuilder b = new StringBuilder();
        b.append("# Twinshift scheduled snapshots: written by Twinshift, removed by `twinshift schedule uninstall`.\n");
        b.append("# Each line runs the server's own schedule.sh for one catalog: a snapshot of every enabled cluster,\n");
        b.append("# retention by its policy, the outcome in CATALOG/schedule/KEY.status.json and KEY.log.\n");
        b.append("SHELL=/bin/sh\n");
        b.append("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
        String when = cadence == Cadence.EVERY_MINUTE_FOR_TESTS_ONLY ? "* * * * *" : minute + " * * * *";
        for (String c : catalogs) {
            requirePlainPath(c);
            b.append(when).append(" root /bin/sh ").append(scriptOf(c)).append(" run ").append(c).append(" >/dev/null 2>&1\n");
        }
        return new ScheduleJob(Scheduler.CRON, List.of(new JobFile(CRON_FILE, b.toString())), List.of(), catalogs,
                cadence == Cadence.EVERY_MINUTE_FOR_TESTS_ONLY ? "every minute (tests only)" : "hourly at minute " + minute);
    }

    /** The systemd service (one ExecStart per catalog; a failing one does not stop the next) and its timer. */
    static ScheduleJob systemd(List<String> catalogs, Cadence cadence) {
        StringBuilder s = new StringBuilder();
        s.append("# Written by Twinshift, removed by `twinshift schedule uninstall`.\n");
        s.append("[Unit]\nDescription=Twinshift scheduled snapshots and retention\nAfter=local-fs.target\n\n");
        s.append("[Service]\nType=oneshot\n");
        for (String c : catalogs) {
            requirePlainPath(c);
            s.append("ExecStart=-/bin/sh ").append(scriptOf(c)).append(" run ").append(c).append('\n');
        }
        String calendar = cadence == Cadence.EVERY_MINUTE_FOR_TESTS_ONLY ? "minutely" : "hourly";
        String t = "# Written by Twinshift, removed by `twinshift schedule uninstall`.\n"
                + "[Unit]\nDescription=Twinshift scheduled snapshots, " + calendar + "\n\n"
                + "[Timer]\nOnCalendar=" + calendar + "\nPersistent=true\n"
                + "RandomizedDelaySec=" + (cadence == Cadence.EVERY_MINUTE_FOR_TESTS_ONLY ? 0 : RANDOMIZED_DELAY_SECONDS) + "\n"
                + "AccuracySec=1s\n\n"
                + "[Install]\nWantedBy=timers.target\n";
        return new ScheduleJob(Scheduler.SYSTEMD, List.of(new JobFile(SERVICE_FILE, s.toString()), new JobFile(TIMER_FILE, t)),
                List.of(List.of("systemctl", "daemon-reload"), List.of("systemctl", "enable", "--now", NAME + ".timer")),
                catalogs, cadence == Cadence.EVERY_MINUTE_FOR_TESTS_ONLY ? "every minute (tests only)"
                        : "hourly (randomized delay up to " + RANDOMIZED_DELAY_SECONDS / 60 + " min, missed runs caught up)");
    }

    /** A minute of the hour for this server, stable across installs (1..59: :00 is when everything else runs). */
    static int minuteFor(String server) {
        return 1 + Math.floorMod(server.hashCode(), 59);
    }

    /** The catalogs a written cron file or service runs, read back from its lines. */
    static List<String> catalogsIn(String content) {
        List<String> out = new ArrayList<>();
        for (String line : content.split("\n")) {
            int i = line.indexOf("/bin/schedule.sh run ");
            if (i > 0 && !line.startsWith("#")) {
                String rest = line.substring(i + "/bin/schedule.sh run ".length()).strip();
                int sp = rest.indexOf(' ');
                out.add(sp < 0 ? rest : rest.substring(0, sp));
            }
        }
        return out;
    }

    /** The next hourly run of a cron entry at {@code minute} in a zone {@code offset} from UTC, after {@code now}. */
    static Instant nextCronRun(Instant now, int minute, ZoneOffset offset) {
        var local = now.atOffset(offset).withSecond(0).withNano(0).withMinute(minute);
        if (!local.toInstant().isAfter(now)) {
            local = local.plus(Duration.ofHours(1));
        }
        return local.toInstant();
    }

    /** The minute of the hour a cron file runs at, -1 when every minute or not read. */
    static int cronMinute(String content) {
        for (String line : content.split("\n")) {
            if (line.contains("/bin/schedule.sh run ") && !line.startsWith("#")) {
                String m = line.split("\\s+")[0];
                return m.matches("[0-9]{1,2}") ? Integer.parseInt(m) : -1;
            }
        }
        return -1;
    }
}
