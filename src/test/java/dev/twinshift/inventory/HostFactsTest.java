package dev.twinshift.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HostFactsTest {
    @Test
    void readsDebianOsRelease() {
        String osRelease = """
                PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
                NAME="Debian GNU/Linux"
                VERSION_ID="12"
                ID=debian
                """;
        HostFacts f = HostFacts.parse("db1 6.1.0-18-amd64 x86_64\n", osRelease);
        assertEquals("db1", f.hostname());
        assertEquals("Debian GNU/Linux 12 (bookworm)", f.os());
        assertEquals("6.1.0-18-amd64", f.kernel());
        assertEquals("x86_64", f.arch());
    }

    @Test
    void fallsBackToNameThenSaysUnknown() {
        assertEquals("Rocky Linux", HostFacts.parse("h 5.14 x86_64", "NAME='Rocky Linux'\n").os());
        assertEquals("unknown (no /etc/os-release)", HostFacts.parse("h 5.14 x86_64", "").os());
    }
}
