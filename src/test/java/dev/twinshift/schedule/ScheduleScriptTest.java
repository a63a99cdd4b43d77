package dev.twinshift.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retention decision and the check, run through the real schedule.sh with /bin/sh on a local catalog. */
class ScheduleScriptTest {
    @TempDir
    Path dir;

    /**
     * The policy computed here, independently of the script: per level the first snapshot of each of the
     * newest N periods that hold one, plus the newest snapshot.
     */
    static Set<String> expected(List<Instant> taken, SnapshotPolicy p) {
        List<Instant> all = taken.stream().sorted().toList();
        List<Function<ZonedDateTime, Object>> keys = List.of(z -> z.truncatedTo(ChronoUnit.HOURS), ZonedDateTime::toLocalDate,
                z -> z.get(IsoFields.WEEK_BASED_YEAR) * 100 + z.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), YearMonth::from,
                ZonedDateTime::getYear);
        int[] counts = {p.hourly(), p.daily(), p.weekly(), p.monthly(), p.yearly()};
        Set<String> keep = new TreeSet<>();
        for (int l = 0; l < 5; l++) {
            Map<Object, Instant> first = new LinkedHashMap<>();
            for (Instant at : all) {
                first.putIfAbsent(keys.get(l).apply(at.atZone(ZoneOffset.UTC)), at);
            }
            List<Instant> reps = new ArrayList<>(first.values());
            reps.subList(Math.max(0, reps.size() - counts[l]), reps.size()).forEach(at -> keep.add(LocalCatalog.name(at)));
        }
        keep.add(LocalCatalog.name(all.get(all.size() - 1)));
        return keep;
    }

    static Set<String> kept(RetentionPlan plan) {
        return plan.snapshots().stream().filter(RetentionPlan.Verdict::kept).map(RetentionPlan.Verdict::name)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void aYearOfHourlySnapshotsKeepsExactlyWhatThePolicySays() throws Exception {
        LocalCatalog cat = new LocalCatalog(dir);
        // A year that ends in an ISO week of the next year (2025-12-29 is in 2026-W01), at uneven minutes,
        // with a second snapshot in some hours (a manual one) that must never count as its hour's.
        List<Instant> taken = new ArrayList<>();
        Instant start = Instant.parse("2025-01-01T00:00:00Z");
        for (int h = 0; h < 365 * 24; h++) {
            Instant at = start.plus(Duration.ofHours(h)).plusSeconds(60L * ((h * 7) % 50) + 3);
            taken.add(at);
            cat.snapshot(at, Reason.SCHEDULED, false);
            if (h % 97 == 0) {
                Instant manual = at.plusSeconds(600);
                taken.add(manual);
                cat.snapshot(manual, Reason.MANUAL, false);
            }
        }
        Instant now = taken.get(taken.size() - 1).plusSeconds(600);
        for (String text : List.of(SnapshotPolicy.DEFAULT.toString(), "hourly=24 daily=7 weekly=60 monthly=3 yearly=1")) {
            SnapshotPolicy policy = SnapshotPolicy.parse(text);
            RetentionPlan plan = cat.dryRun(now, "--policy", text);
            assertEquals(taken.size(), plan.snapshots().size(), "every snapshot has a verdict");
            assertEquals(expected(taken, policy), kept(plan), "survivors of " + text);
            assertEquals(text, plan.policy());
            for (RetentionPlan.Verdict v : plan.snapshots()) {
                assertFalse(v.why().isEmpty() || v.why().stream().anyMatch(String::isBlank), v.name() + " has no reason");
            }
            RetentionPlan.Verdict newest = plan.snapshots().get(plan.snapshots().size() - 1);
            assertTrue(newest.why().contains("newest"), newest.why().toString());
            assertTrue(newest.why().contains("hourly 1/" + policy.hourly()), newest.why().toString());
        }
        RetentionPlan plan = cat.dryRun(now);
        assertEquals(Instant.parse("2025-01-01T00:00:03Z"), plan.snapshots().get(0).createdAt());
        assertTrue(plan.snapshots().get(0).why().contains("yearly 1/3"), plan.snapshots().get(0).why().toString());
        assertTrue(plan.snapshots().stream().anyMatch(v -> v.why().contains("not first of its hour")));
        assertTrue(plan.snapshots().stream().anyMatch(v -> v.why().contains("beyond the newest 36 hours")));
        assertEquals(now, plan.now());
    }

    @Test
    void aWeekWithTheServerOffDeletesNoHourlyTheCountsStillAllow() throws Exception {
        LocalCatalog cat = new LocalCatalog(dir);
        String policy = "hourly=36 daily=7";
        cat.conf("cluster=13/main\npgdata=/srv/pg/13/main\nsource=/srv/pg/13/main\nvolumeKey=" + LocalCatalog.KEY
                + "\nmethod=COPY\nowner=postgres\nbindir=/usr/lib/postgresql/13/bin\nenabled=true\npolicy=" + policy + "\n");
        List<Instant> taken = new ArrayList<>();
        Instant at = Instant.parse("2026-03-01T00:05:00Z");
        // Three days of hourly runs (each: a snapshot, then the real prune), then the server is off for a week.
        for (int h = 0; h < 72; h += 1) {
            taken.add(at);
            cat.snapshot(at, Reason.SCHEDULED, false);
            if (h % 6 == 5 || h >= 66) {
                LocalCatalog.Result r = cat.run(at, "prune", cat.root.toString(), LocalCatalog.KEY);
                assertEquals(0, r.code(), r.err());
            }
            at = at.plus(Duration.ofHours(1));
        }
        Set<String> beforeGap = cat.sidecars();
        assertEquals(expected(taken, SnapshotPolicy.parse(policy)), beforeGap);
        Instant wake = at.plus(Duration.ofDays(7));
        taken.add(wake);
        cat.snapshot(wake, Reason.SCHEDULED, false);
        LocalCatalog.Result r = cat.run(wake, "prune", cat.root.toString(), LocalCatalog.KEY);
        assertEquals(0, r.code(), r.err());
        Set<String> after = cat.sidecars();
        assertEquals(expected(taken, SnapshotPolicy.parse(policy)), after);
        // The 35 newest hours before the gap are still the newest 36 hours with the one after it.
        List<String> lastHours = taken.subList(taken.size() - 36, taken.size() - 1).stream().map(LocalCatalog::name).toList();
        assertTrue(after.containsAll(lastHours), "hourlies kept across the week off: " + after);
        String log = cat.read("schedule/" + LocalCatalog.KEY + ".log");
        assertTrue(log.contains("deleted " + LocalCatalog.KEY + "/"), log);
        assertTrue(log.contains("beyond the newest 36 hours") || log.contains("not first of its day"), log);
    }

    @Test
    void pinnedCloneBasePreUpgradePreRollbackAndNewestAreNeverPruned() throws Exception {
        LocalCatalog cat = new LocalCatalog(dir);
        Instant t0 = Instant.parse("2026-06-01T00:00:00Z");
        SnapshotRecord pinned = cat.snapshot(t0.plusSeconds(60), Reason.MANUAL, true);
        SnapshotRecord base = cat.snapshot(t0.plusSeconds(120), Reason.MANUAL, false);
        SnapshotRecord upgrade = cat.snapshot(t0.plusSeconds(180), Reason.PRE_UPGRADE, false);
        SnapshotRecord rollback = cat.snapshot(t0.plusSeconds(240), Reason.PRE_ROLLBACK, false);
        SnapshotRecord plain = cat.snapshot(t0.plusSeconds(300), Reason.MANUAL, false);
        cat.clone("try1", base.id());
        for (int h = 1; h <= 10; h++) {
            cat.snapshot(t0.plus(Duration.ofHours(h)), Reason.SCHEDULED, false);
        }
        SnapshotRecord newest = cat.snapshot(t0.plus(Duration.ofHours(10)).plusSeconds(30), Reason.MANUAL, false);
        Instant now = t0.plus(Duration.ofHours(11));
        RetentionPlan plan = cat.dryRun(now, "--policy", "hourly=2");
        assertEquals(List.of("pinned"), plan.verdictOf(pinned.id()).orElseThrow().why());
        assertEquals(List.of("clone base: try1"), plan.verdictOf(base.id()).orElseThrow().why());
        assertEquals(List.of("pre-upgrade"), plan.verdictOf(upgrade.id()).orElseThrow().why());
        assertEquals(List.of("pre-rollback"), plan.verdictOf(rollback.id()).orElseThrow().why());
        assertEquals(RetentionPlan.Fate.PRUNE, plan.verdictOf(plain.id()).orElseThrow().fate());
        RetentionPlan.Verdict n = plan.verdictOf(newest.id()).orElseThrow();
        assertTrue(n.kept() && n.why().equals(List.of("newest")), "the newest, second in its hour: " + n.why());
        assertEquals(4 + 2 + 1, plan.snapshots().stream().filter(RetentionPlan.Verdict::kept).count());

        RetentionPlan unsafe = cat.dryRun(now, "--policy", "hourly=2 upgrade-safety=prune");
        assertEquals(RetentionPlan.Fate.PRUNE, unsafe.verdictOf(upgrade.id()).orElseThrow().fate());
        assertEquals(RetentionPlan.Fate.PRUNE, unsafe.verdictOf(rollback.id()).orElseThrow().fate());
        assertTrue(unsafe.verdictOf(pinned.id()).orElseThrow().kept());

        // With the next run's snapshot counted, the newest of now is an ordinary hourly.
        RetentionPlan next = cat.dryRun(now, "--policy", "hourly=2", "--create");
        assertEquals(LocalCatalog.name(now), next.create().name());
        assertEquals("SCHEDULED", next.create().reason());
        assertEquals(RetentionPlan.Fate.PRUNE, next.verdictOf(newest.id()).orElseThrow().fate());
    }

    @Test
    void theFloorIsMeasuredOnTheCatalogsFilesystemAndTakesTheOldestPrunableFirst() throws Exception {
        LocalCatalog cat = new LocalCatalog(dir);
        Instant t0 = Instant.parse("2026-06-01T00:00:00Z");
        SnapshotRecord pinned = cat.snapshot(t0, Reason.MANUAL, true);
        List<SnapshotRecord> hourly = new ArrayList<>();
        for (int h = 1; h <= 6; h++) {
            hourly.add(cat.snapshot(t0.plus(Duration.ofHours(h)), Reason.SCHEDULED, false));
        }
        java.nio.file.FileStore fs = Files.getFileStore(dir);
        for (int pct : List.of(1, 90)) {
            RetentionPlan plan = cat.dryRun(t0.plus(Duration.ofHours(7)), "--policy", "hourly=10 floor=" + pct + "%");
            assertNotNull(plan.floor());
            long want = fs.getTotalSpace() / 100 * pct;
            assertTrue(Math.abs(plan.floor().floorBytes() - want) <= want / 50 + 4096, plan.floor() + " vs " + want);
            assertEquals(plan.floor().availableBytes() < plan.floor().floorBytes(), plan.floor().below());
            List<RetentionPlan.Verdict> byFloor = plan.snapshots().stream()
                    .filter(v -> v.why().stream().anyMatch(w -> w.startsWith("free space below floor"))).toList();
            if (plan.floor().below()) {
                // Not the pinned one, never the newest: the oldest snapshot only a level keeps.
                assertEquals(List.of(hourly.get(0).id()), byFloor.stream().map(RetentionPlan.Verdict::id).toList());
            } else {
                assertEquals(List.of(), byFloor);
                assertEquals(0, plan.pruned().size());
            }
            assertTrue(plan.verdictOf(pinned.id()).orElseThrow().kept());
            assertTrue(plan.verdictOf(hourly.get(5).id()).orElseThrow().kept());
        }
        assertFalse(cat.dryRun(t0.plus(Duration.ofHours(7)), "--policy", "hourly=10 floor=1%").floor().below()
                && fs.getUsableSpace() > fs.getTotalSpace() / 50, "1% free is not below a 1% floor here");
    }

    @Test
    void aDryRunChangesNothingAndARealPruneDeletesWhatItSaidAndNothingOutsideTheCatalog() throws Exception {
        LocalCatalog cat = new LocalCatalog(dir);
        cat.conf("cluster=13/main\npgdata=/srv/pg/13/main\nsource=/srv/pg/13/main\nvolumeKey=" + LocalCatalog.KEY
                + "\nmethod=COPY\nowner=postgres\nbindir=/usr/lib/postgresql/13/bin\nenabled=true\npolicy=hourly=3\n");
        Instant t0 = Instant.parse("2026-06-01T00:00:00Z");
        List<SnapshotRecord> all = new ArrayList<>();
        for (int h = 0; h < 8; h++) {
            all.add(cat.snapshot(t0.plus(Duration.ofHours(h)), Reason.SCHEDULED, false));
        }
        Path outside = Files.createDirectories(dir.resolve("not-the-catalog"));
        Files.writeString(outside.resolve("precious"), "data");
        cat.rewriteLocation(all.get(0), outside.toString());
        // A snapshot taken of a clone is the clone's, not the volume's: never a candidate here.
        List<String> before = cat.tree();
        RetentionPlan plan = cat.dryRun(t0.plus(Duration.ofHours(8)));
        assertEquals(before, cat.tree(), "a dry run changes nothing");
        assertEquals(5, plan.pruned().size());

        LocalCatalog.Result r = cat.run(t0.plus(Duration.ofHours(8)), "prune", cat.root.toString(), LocalCatalog.KEY);
        assertEquals(0, r.code(), r.err());
        Set<String> left = cat.sidecars();
        Set<String> want = new TreeSet<>(kept(plan));
        want.add(all.get(0).name()); // refused: outside the catalog
        assertEquals(want, left);
        assertTrue(Files.exists(outside.resolve("precious")), "nothing outside the catalog is deleted");
        for (RetentionPlan.Verdict v : plan.pruned().subList(1, plan.pruned().size())) {
            assertFalse(Files.exists(cat.root.resolve("snapshots").resolve(LocalCatalog.KEY).resolve(v.name())), v.name());
        }
        String log = cat.read("schedule/" + LocalCatalog.KEY + ".log");
        assertTrue(log.contains("deleted " + all.get(1).id() + " (SCHEDULED, taken " + all.get(1).createdAt() + "): beyond the newest 3 hours"), log);
        assertTrue(log.contains("failed to delete " + all.get(0).id() + ": refusing to delete " + outside), log);
    }

    @Test
    void checkGivesNagiosCodesAndOneLine() throws Exception {
        LocalCatalog cat = new LocalCatalog(dir);
        String key = LocalCatalog.KEY;
        String root = cat.root.toString();
        LocalCatalog.Result none = cat.run(Instant.parse("2026-06-01T00:00:00Z"), "check", root, key, "--warn", "90m", "--crit", "6h");
        assertEquals(3, none.code(), none.out());
        assertTrue(none.out().startsWith("UNKNOWN: "), none.out());

        Instant taken = Instant.parse("2026-06-01T10:00:00Z");
        cat.snapshot(taken, Reason.SCHEDULED, false);
        Files.writeString(cat.root.resolve("schedule").resolve(key + ".status.json"), """
                {"cluster": "13/main", "volume": "pgvol", "lastRunAt": "2026-06-01T10:00:01Z", "lastOutcome": "ok",
                 "lastSuccessAt": "2026-06-01T10:00:01Z", "lastFailure": null, "lastCreated": "20260601T100000Z",
                 "lastDeleted": [], "durationMs": 800, "newestSnapshotAt": "2026-06-01T10:00:00Z",
                 "policy": "hourly=36", "scriptVersion": 1}
                """);
        LocalCatalog.Result ok = cat.run(taken.plus(Duration.ofMinutes(12)), "check", root, key, "--warn", "90m", "--crit", "6h");
        assertEquals(0, ok.code());
        assertEquals("OK: 13/main newest snapshot 12m old, last run 12m ago | newest_age=720s;5400;21600", ok.out().strip());
        LocalCatalog.Result warn = cat.run(taken.plus(Duration.ofHours(2)), "check", root, key, "--warn", "90m", "--crit", "6h");
        assertEquals(1, warn.code());
        assertTrue(warn.out().startsWith("WARNING: 13/main newest snapshot 2h old, last run 2h ago"), warn.out());
        LocalCatalog.Result crit = cat.run(taken.plus(Duration.ofHours(7)), "check", root, key, "--warn", "90m", "--crit", "6h");
        assertEquals(2, crit.code());
        assertTrue(crit.out().startsWith("CRITICAL: "), crit.out());
        assertEquals(1, crit.out().strip().lines().count(), "one line");

        for (List<String> bad : List.of(List.of("--warn", "90x", "--crit", "6h"), List.of("--warn", "6h", "--crit", "90m"),
                List.of("--warn", "90m"))) {
            List<String> a = new ArrayList<>(List.of("check", root, key));
            a.addAll(bad);
            LocalCatalog.Result r = cat.run(taken, a.toArray(String[]::new));
            assertEquals(3, r.code(), bad + ": " + r.out());
            assertTrue(r.out().startsWith("UNKNOWN: "), r.out());
        }

        // A failed last run is at least WARNING even with a fresh snapshot, and says why.
        Files.writeString(cat.root.resolve("schedule").resolve(key + ".status.json"), """
                {"cluster": "13/main", "volume": "pgvol", "lastRunAt": "2026-06-01T10:05:00Z", "lastOutcome": "failed",
                 "lastSuccessAt": "2026-06-01T10:00:01Z", "lastFailure": {"at": "2026-06-01T10:05:00Z",
                 "why": "snapshot failed (exit 1): No space left on device"}, "lastCreated": null, "lastDeleted": [],
                 "durationMs": 300, "newestSnapshotAt": "2026-06-01T10:00:00Z", "policy": "hourly=36", "scriptVersion": 1}
                """);
        LocalCatalog.Result failed = cat.run(taken.plus(Duration.ofMinutes(10)), "check", root, key, "--warn", "90m", "--crit", "6h");
        assertEquals(1, failed.code());
        assertTrue(failed.out().startsWith("WARNING: last run failed 5m ago: snapshot failed (exit 1): No space left on device"),
                failed.out());
    }

    @Test
    void aConfigurationWithHostileValuesIsRefusedNeverRunAndRecorded() throws Exception {
        LocalCatalog cat = new LocalCatalog(dir);
        Path marker = dir.resolve("pwned");
        String good = "cluster=13/main\npgdata=/srv/pg/13/main\nsource=/srv/pg/13/main\nvolumeKey=" + LocalCatalog.KEY
                + "\nmethod=COPY\nowner=postgres\nbindir=/usr/lib/postgresql/13/bin\nenabled=true\n";
        Instant now = Instant.parse("2026-06-01T10:00:00Z");
        SnapshotRecord s = cat.snapshot(now.minus(Duration.ofDays(3)), Reason.SCHEDULED, false);
        cat.snapshot(now.minus(Duration.ofDays(2)), Reason.SCHEDULED, false);
        List<String> hostile = List.of(
                good.replace("pgdata=/srv/pg/13/main", "pgdata=/srv/pg/13/main;touch " + marker),
                good.replace("cluster=13/main", "cluster=13/$(touch " + marker + ")"),
                good.replace("owner=postgres", "owner=postgres`touch " + marker + "`"),
                good.replace("method=COPY", "method=COPY\nPATH=" + dir),
                good + "policy=hourly=1;touch " + marker + "\n",
                good + "policy=hourly=0\n",
                good.replace("source=/srv/pg/13/main", "source=/srv/../etc"),
                good.replace("volumeKey=" + LocalCatalog.KEY, "volumeKey=other"));
        for (String conf : hostile) {
            cat.conf(conf);
            LocalCatalog.Result r = cat.run(now, "run", cat.root.toString());
            assertNotEquals(0, r.code(), conf);
            String status = cat.read("schedule/" + LocalCatalog.KEY + ".status.json");
            assertTrue(status.contains("\"why\": \"configuration: "), conf + " -> " + status);
            assertFalse(Files.exists(marker), "a value ran as a command: " + conf);
            LocalCatalog.Result check = cat.run(now, "check", cat.root.toString(), LocalCatalog.KEY, "--warn", "90m", "--crit", "6h");
            assertTrue(check.code() >= 1 && check.out().contains("last run failed"), check.out());
        }
        cat.conf(good);
        Files.setPosixFilePermissions(cat.root.resolve("schedule").resolve(LocalCatalog.KEY + ".conf"),
                PosixFilePermissions.fromString("rw-rw-rw-"));
        LocalCatalog.Result r = cat.run(now, "run", cat.root.toString());
        assertNotEquals(0, r.code());
        assertTrue(cat.read("schedule/" + LocalCatalog.KEY + ".status.json").contains("may be written by others"));
        assertTrue(cat.sidecars().contains(s.name()), "a failed run deletes nothing");
        assertEquals(2, cat.sidecars().size());
    }
}
