package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ZfsDriverTest {

    @Test
    void namesAndKeys() {
        assertEquals("tank", ZfsDriver.pool("tank/pg/15@x"));
        assertEquals("tank", ZfsDriver.pool("tank"));
        assertEquals("pg_15", ZfsDriver.key("tank/pg/15"));
        assertEquals("clone_try", ZfsDriver.key("tank/twinshift/clones/try"));
        ZfsDriver d = new ZfsDriver(null);
        assertEquals("tank/pg15@20250101T000000Z", d.snapshotLocation(null, "pg15", "tank/pg15", "20250101T000000Z"));
        assertEquals("tank/twinshift/clones/try", d.cloneLocation(null, "tank/pg15@s", "try"));
    }

    @Test
    void neverDestroysALiveDataset() {
        ZfsDriver d = new ZfsDriver(null);
        assertThrows(IllegalArgumentException.class, () -> d.delete("tank/pg15"));
        assertThrows(IllegalArgumentException.class, () -> d.delete("tank/other/clones/x"));
    }

    @Test
    void snapshotMustBeOfTheSource() {
        assertThrows(IllegalArgumentException.class, () -> new ZfsDriver(null).snapshot("tank/a", "tank/b@x"));
    }
}
