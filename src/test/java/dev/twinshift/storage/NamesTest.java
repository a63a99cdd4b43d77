package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "before-upgrade", "v13.4_test", "0", "A-b.c_d"})
    void accepts(String name) {
        assertEquals(name, Names.requireValid("clone name", name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-x", ".hidden", "_x", "a b", "a/b", "../x", "x;rm -rf /", "$(id)", "é", "x\n",
            "x.json", "y.run", "z.tmp"})
    void refuses(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Names.requireValid("clone name", name));
        assertTrue(e.getMessage().contains("clone name"), e.getMessage());
        assertFalse(Names.isValid(name));
    }

    @Test
    void lengthLimitIs63() {
        assertTrue(Names.isValid("a".repeat(63)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Names.requireValid("snapshot label", "a".repeat(64)));
        assertTrue(e.getMessage().contains("1 to 63"), e.getMessage());
    }
}
