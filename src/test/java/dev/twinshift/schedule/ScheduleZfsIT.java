package dev.twinshift.schedule;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulated year of {@link ScheduleIT} on ZFS snapshots of a scratch dataset in the lab's shared pool
 * (run it only when nothing else uses the pool).
 */
class ScheduleZfsIT {
    @BeforeAll
    static void lab() {
        ScheduleIT.shell = LabShell.admin(Lab.require());
    }

    @Test
    void aSimulatedYearOnZfsKeepsExactlyThePolicysSnapshots() throws Exception {
        try (ScratchCluster sc = ScratchCluster.createZfs(ScheduleIT.shell, "15", "schedz", true)) {
            sc.sql("postgres", "CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g");
            ScheduleIT.simulateAYear(sc, "zfs");
        }
    }
}
