package dev.twinshift.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleJobTest {
    @TempDir
    Path dir;

    @Test
    void theCronEntryRunsEachCatalogsScriptAsRootAtOneMinuteOfTheHour() {
        ScheduleJob j = ScheduleJob.cron(List.of("/srv/db/.twinshift", "/var/lib/postgresql/.twinshift"), 17,
                ScheduleJob.Cadence.HOURLY);
        assertEquals(ScheduleJob.Scheduler.CRON, j.scheduler());
        assertEquals("/etc/cron.d/twinshift-snapshots", j.files().get(0).path());
        String c = j.files().get(0).content();
        assertTrue(c.contains("\n17 * * * * root /bin/sh /srv/db/.twinshift/bin/schedule.sh run /srv/db/.twinshift >/dev/null 2>&1\n"), c);
        assertTrue(c.contains("\n17 * * * * root /bin/sh /var/lib/postgresql/.twinshift/bin/schedule.sh run /var/lib/postgresql/.twinshift"), c);
        assertTrue(c.endsWith("\n"), "cron ignores a last line without a newline");
        assertEquals(List.of("/srv/db/.twinshift", "/var/lib/postgresql/.twinshift"), ScheduleJob.catalogsIn(c));
        assertEquals(17, ScheduleJob.cronMinute(c));
        assertEquals("hourly at minute 17", j.cadence());

        String everyMinute = ScheduleJob.cron(List.of("/srv/db/.twinshift"), 17, ScheduleJob.Cadence.EVERY_MINUTE_FOR_TESTS_ONLY)
                .files().get(0).content();
        assertTrue(everyMinute.contains("\n* * * * * root "), everyMinute);
        assertEquals(-1, ScheduleJob.cronMinute(everyMinute));
    }

    @Test
    void theSystemdTimerIsHourlyPersistentAndRandomized() {
        ScheduleJob j = ScheduleJob.systemd(List.of("/srv/db/.twinshift"), ScheduleJob.Cadence.HOURLY);
        assertEquals(List.of("/etc/systemd/system/twinshift-snapshots.service", "/etc/systemd/system/twinshift-snapshots.timer"),
                j.files().stream().map(ScheduleJob.JobFile::path).toList());
        String service = j.files().get(0).content();
        String timer = j.files().get(1).content();
        assertTrue(service.contains("Type=oneshot\n"), service);
        assertTrue(service.contains("ExecStart=-/bin/sh /srv/db/.twinshift/bin/schedule.sh run /srv/db/.twinshift\n"), service);
        assertTrue(timer.contains("OnCalendar=hourly\n") && timer.contains("Persistent=true\n")
                && timer.contains("RandomizedDelaySec=300\n") && timer.contains("WantedBy=timers.target"), timer);
        assertEquals(List.of(List.of("systemctl", "daemon-reload"), List.of("systemctl", "enable", "--now", "twinshift-snapshots.timer")),
                j.after());
        assertEquals(List.of("/srv/db/.twinshift"), ScheduleJob.catalogsIn(service));
    }

    @Test
    void aCatalogPathThatCronOrSystemdWouldReadAsSomethingElseIsRefused() {
        for (String bad : List.of("/srv/my db/.twinshift", "/srv/100%/.twinshift", "/srv/x;reboot/.twinshift", "relative/.twinshift",
                "/srv/../etc/.twinshift", "/srv/$(id)/.twinshift")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ScheduleJob.cron(List.of(bad), 5, ScheduleJob.Cadence.HOURLY), bad);
            assertTrue(e.getMessage().contains("cannot carry unquoted"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ScheduleJob.systemd(List.of(bad), ScheduleJob.Cadence.HOURLY), bad);
        }
    }

    @Test
    void theNextCronRunIsTheMinuteInTheServersOwnTime() {
        Instant now = Instant.parse("2026-12-02T10:20:00Z");
        assertEquals(Instant.parse("2026-12-02T10:25:00Z"), ScheduleJob.nextCronRun(now, 25, ZoneOffset.UTC));
        assertEquals(Instant.parse("2026-12-02T11:17:00Z"), ScheduleJob.nextCronRun(now, 17, ZoneOffset.UTC));
        // India is 5:30 ahead: minute 17 local is minute 47 UTC.
        assertEquals(Instant.parse("2026-12-02T10:47:00Z"), ScheduleJob.nextCronRun(now, 17, ZoneOffset.ofHoursMinutes(5, 30)));
        int m = ScheduleJob.minuteFor("db1.example.org");
        assertTrue(m >= 1 && m <= 59);
        assertEquals(m, ScheduleJob.minuteFor("db1.example.org"), "the same server keeps its minute");
    }

    @Test
    void aScheduleRoundTripsAndHostileValuesAreRefusedBeforeTheyReachTheServer() throws Exception {
        ScheduleConf c = new ScheduleConf("13/main", "/srv/pg/13/main", "/srv/pg", "pg", "BTRFS", "13/main", "postgres",
                "/usr/lib/postgresql/13/bin", true, SnapshotPolicy.parse("hourly=24 daily=7 floor=10%"));
        assertEquals(c, ScheduleConf.parse(c.toText()));
        assertEquals(c.withEnabled(false), ScheduleConf.parse(c.withEnabled(false).toText()));
        ScheduleConf zfs = new ScheduleConf("15/main", "/tank/pg15/15/main", "tank/pg15", "tank_pg15", "ZFS", "", "postgres",
                "/usr/lib/postgresql/15/bin", true, SnapshotPolicy.DEFAULT);
        assertEquals(zfs, ScheduleConf.parse(zfs.toText()));
        for (String bad : List.of("/srv/pg;reboot", "/srv/pg/../etc", "/srv/$(id)", "/srv/a b", "/srv/pg\nenabled=false")) {
            assertThrows(IllegalArgumentException.class, () -> new ScheduleConf("13/main", bad, "/srv/pg", "pg", "BTRFS", "",
                    "postgres", "/usr/lib/postgresql/13/bin", true, SnapshotPolicy.DEFAULT), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new ScheduleConf("13/main", "/srv/pg", "/srv/pg", "pg", "LVM", "",
                "postgres", "/usr/lib/postgresql/13/bin", true, SnapshotPolicy.DEFAULT));

        // What the console writes, the script reads: the run gets past the configuration (to the missing cluster).
        LocalCatalog cat = new LocalCatalog(dir);
        cat.conf(new ScheduleConf("13/main", dir.resolve("no-such-pgdata").toString(), "/srv/pg", LocalCatalog.KEY, "BTRFS",
                "13/main", "postgres", "/usr/lib/postgresql/13/bin", true, SnapshotPolicy.parse("hourly=24 floor=10%")).toText());
        LocalCatalog.Result r = cat.run(Instant.parse("2026-06-01T10:00:00Z"), "run", cat.root.toString());
        assertEquals(1, r.code(), r.err());
        ScheduleStatus.LastRun last = ScheduleStatus.LastRun.parse(cat.read("schedule/" + LocalCatalog.KEY + ".status.json"));
        assertEquals("failed", last.lastOutcome());
        assertTrue(last.lastFailure().why().startsWith("cluster gone: 13/main has no PGDATA at "), last.lastFailure().why());
        assertEquals(Instant.parse("2026-06-01T10:00:00Z"), last.lastFailure().at());
        assertEquals(SnapshotPolicy.parse("hourly=24 floor=10%"), SnapshotPolicy.parse(last.policy()));
        assertEquals(List.of(), last.lastDeleted());
    }
}
