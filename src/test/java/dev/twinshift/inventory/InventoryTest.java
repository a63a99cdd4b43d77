package dev.twinshift.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.ssh.SshTarget;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryTest {
    @TempDir Path dir;

    @Test
    void savesAndReloadsWithoutSecrets() throws Exception {
        Path f = dir.resolve("conf/servers.json");
        Inventory inv = new Inventory(f).load();
        inv.put(new ServerEntry("db1", "db1.example.com", 22, "dba", "~/.ssh/id_ed25519", null, ServerEntry.Source.MANUAL));
        inv.put(new ServerEntry("db1", "db1.example.com", 2222, "dba", null, null, ServerEntry.Source.MANUAL));
        List<ServerEntry> back = new Inventory(f).load().entries();
        assertEquals(1, back.size(), "same name replaces");
        assertEquals(2222, back.get(0).port());
        assertNull(back.get(0).identityFile());
        assertTrue(!Files.readString(f).toLowerCase().contains("password"));
    }

    @Test
    void resolvesJumpChainsAndRefusesLoops() {
        Inventory inv = new Inventory(dir.resolve("s.json")).load();
        inv.put(new ServerEntry("bastion", "bastion.example.com", 22, "ops", null, null, null));
        inv.put(new ServerEntry("db", "10.0.0.5", 22, "dba", "~/.ssh/k", "bastion", null));
        SshTarget t = inv.target(inv.find("db").orElseThrow());
        assertEquals("bastion.example.com", t.jump().host());
        assertEquals(System.getProperty("user.home") + "/.ssh/k", t.identityFiles().get(0).toString());

        inv.put(new ServerEntry("bastion", "bastion.example.com", 22, "ops", null, "db", null));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> inv.target(inv.find("db").orElseThrow()));
        assertTrue(e.getMessage().contains("loop"));
    }

    @Test
    void aCorruptFileIsReportedAndNotOverwritten() throws Exception {
        Path f = dir.resolve("servers.json");
        Files.writeString(f, "[{oops");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> new Inventory(f).load());
        assertTrue(e.getMessage().contains("nothing was overwritten"));
        assertEquals("[{oops", Files.readString(f));
    }

    @Test
    void addAllKeepsExistingNames() {
        Inventory inv = new Inventory(dir.resolve("s.json")).load();
        inv.put(new ServerEntry("a", "a.example.com", 22, "me", null, null, null));
        int added = inv.addAll(List.of(new ServerEntry("a", "other", 22, "me", null, null, ServerEntry.Source.SSH_CONFIG),
                new ServerEntry("b", "b.example.com", 22, "me", null, null, ServerEntry.Source.SSH_CONFIG)));
        assertEquals(1, added);
        assertEquals("a.example.com", inv.find("a").orElseThrow().host());
    }

    @Test
    void labDescriptorBecomesAServer() throws Exception {
        Path key = Files.writeString(dir.resolve("id"), "k");
        Path d = Files.writeString(dir.resolve("console.json"),
                "{\"name\":\"Twinshift lab\",\"host\":\"127.0.0.1\",\"port\":2222,\"user\":\"tsadmin\",\"identityFile\":\"" + key + "\"}");
        ServerEntry e = LabDescriptor.read(d).orElseThrow();
        assertEquals(ServerEntry.Source.LAB, e.source());
        assertEquals("tsadmin@127.0.0.1:2222", e.display());
        assertTrue(LabDescriptor.read(dir.resolve("missing.json")).isEmpty());
    }
}
