package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fixtures made with OpenSSH 9.2: ssh-keygen -t ..., ssh-keygen -lf, ssh-keygen -H. */
class KnownHostsFileTest {
    static final String K1 = "AAAAC3NzaC1lZDI1NTE5AAAAICLKDPFnA0ZBCqQ4/6PpO0aN7cU0JDmo8yUA1bHGolaw";
    static final String K1_FP = "SHA256:zerLL/w1Hkc6Qgvi/L4GvubGjLEoT3acdyXP5wvdKkg";
    static final String K2 = "AAAAC3NzaC1lZDI1NTE5AAAAIMPAHN3GsDn+7xNM/J20RypgBcFtgRSFDd0SRm3gBQF+";
    static final String K2_FP = "SHA256:eMWaYRIs1aDi+W1stnlBlX4metaiLSAz+UMYeOK6Q4w";
    static final String K3 = "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBLURzDoJKiD+H5OwWHhdDlkx8UB1n74RAqWP"
            + "+nqY2o75yxNtOkudVhzmXmIP4T8cAzZVAZe3Vw16nt5tlad+Kmw=";
    static final String K3_FP = "SHA256:G5PUlQNq9P2swVYb7/Cyjlpak9cmg6Xxny6MSCorW14";
    /** ssh-keygen -H of "[db1.example.com]:2222 ssh-ed25519 K1" and "db2.example.com ssh-ed25519 K2". */
    static final String HASHED = """
            |1|aV6NMmbjk58UD2HI8iXGN/4/mzc=|AJFcFv8cQ473MNFPLcsOD5EtjiQ= ssh-ed25519 %s
            |1|QOwocFUuoM0PaD+wpu82N10xcjk=|PogynT2kfnCVWkP1gTG9tFyTWHU= ssh-ed25519 %s
            """.formatted(K1, K2);

    static byte[] blob(String b64) {
        return Base64.getDecoder().decode(b64);
    }

    @Test
    void fingerprintIsWhatSshKeygenPrints() {
        assertEquals(K1_FP, KnownHostsFile.fingerprint(blob(K1)));
        assertEquals(K2_FP, KnownHostsFile.fingerprint(blob(K2)));
        assertEquals(K3_FP, KnownHostsFile.fingerprint(blob(K3)));
    }

    @Test
    void keyTypeComesFromTheBlob() {
        assertEquals("ssh-ed25519", KnownHostsFile.keyType(blob(K1)));
        assertEquals("ecdsa-sha2-nistp256", KnownHostsFile.keyType(blob(K3)));
    }

    @Test
    void linesUseBracketsForOtherPortsAsOpenSshDoes() {
        assertEquals("db1.example.com ssh-ed25519 " + K1, KnownHostsFile.line("db1.example.com", 22, blob(K1)));
        assertEquals("[127.0.0.1]:2222 ssh-ed25519 " + K1, KnownHostsFile.line("127.0.0.1", 2222, blob(K1)));
        assertEquals("[db1.example.com]:2222", KnownHostsFile.hostToken("DB1.Example.com", 2222));
    }

    @Test
    void hashedEntriesMatch(@TempDir Path dir) throws Exception {
        KnownHostsFile f = file(dir, HASHED);
        assertEquals(KnownHostsFile.Status.KNOWN, f.check("db1.example.com", 2222, blob(K1)).status());
        assertEquals(KnownHostsFile.Status.KNOWN, f.check("db2.example.com", 22, blob(K2)).status());
        // the hash is of "[db1.example.com]:2222": port 22 is another server
        assertEquals(KnownHostsFile.Status.UNKNOWN, f.check("db1.example.com", 22, blob(K1)).status());
        assertEquals(KnownHostsFile.Status.UNKNOWN, f.check("db3.example.com", 22, blob(K1)).status());
    }

    @Test
    void aDifferentKeyOfTheSameTypeIsAChangeNamingTheOldFingerprint(@TempDir Path dir) throws Exception {
        KnownHostsFile f = file(dir, HASHED);
        KnownHostsFile.Verdict v = f.check("db2.example.com", 22, blob(K1));
        assertEquals(KnownHostsFile.Status.CHANGED, v.status());
        assertEquals(List.of(K2_FP), v.knownFingerprints());
        assertEquals(K1_FP, v.fingerprint());
        assertEquals("ssh-ed25519", v.keyType());
    }

    @Test
    void aKeyOfAnotherTypeIsUnknownNotChanged(@TempDir Path dir) throws Exception {
        KnownHostsFile f = file(dir, "db2.example.com ssh-ed25519 " + K2 + "\n");
        assertEquals(KnownHostsFile.Status.UNKNOWN, f.check("db2.example.com", 22, blob(K3)).status());
    }

    @Test
    void patternsWildcardsAndNegations(@TempDir Path dir) throws Exception {
        KnownHostsFile f = file(dir, """
                # comment, then a blank line

                *.example.com,!bad.example.com ssh-ed25519 %s
                10.0.0.? ssh-ed25519 %s
                garbage line that is not a key
                @cert-authority *.example.com ssh-ed25519 %s
                """.formatted(K1, K2, K3));
        assertEquals(KnownHostsFile.Status.KNOWN, f.check("a.example.com", 22, blob(K1)).status());
        assertEquals(KnownHostsFile.Status.UNKNOWN, f.check("bad.example.com", 22, blob(K1)).status());
        assertEquals(KnownHostsFile.Status.KNOWN, f.check("10.0.0.7", 22, blob(K2)).status());
        assertEquals(KnownHostsFile.Status.UNKNOWN, f.check("10.0.0.17", 22, blob(K2)).status());
        // a CA line does not make the CA's key a host key
        assertEquals(KnownHostsFile.Status.UNKNOWN, f.check("a.example.com", 22, blob(K3)).status());
    }

    @Test
    void plainHostEntryDoesNotCoverOtherPorts(@TempDir Path dir) throws Exception {
        // OpenSSH looks up [host]:port only; an entry for port 22 must not turn into "changed".
        KnownHostsFile f = file(dir, "127.0.0.1 ssh-ed25519 " + K2 + "\n");
        assertEquals(KnownHostsFile.Status.UNKNOWN, f.check("127.0.0.1", 2222, blob(K1)).status());
    }

    @Test
    void revokedKeyIsReported(@TempDir Path dir) throws Exception {
        KnownHostsFile f = file(dir, "@revoked * ssh-ed25519 " + K1 + "\ndb ssh-ed25519 " + K1 + "\n");
        assertEquals(KnownHostsFile.Status.REVOKED, f.check("db", 22, blob(K1)).status());
    }

    @Test
    void appendCreatesAPrivateFileAndTerminatesTheLastLine(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("sub").resolve("known_hosts");
        KnownHostsFile f = new KnownHostsFile(p);
        f.append("127.0.0.1", 2222, blob(K1));
        assertEquals("[127.0.0.1]:2222 ssh-ed25519 " + K1 + "\n", Files.readString(p));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p.getParent())));

        Path q = dir.resolve("kh2");
        Files.writeString(q, "other ssh-ed25519 " + K2); // no final newline
        new KnownHostsFile(q).append("db", 22, blob(K1));
        assertEquals("other ssh-ed25519 " + K2 + "\ndb ssh-ed25519 " + K1 + "\n", Files.readString(q));
        assertEquals(KnownHostsFile.Status.KNOWN, new KnownHostsFile(q).check("db", 22, blob(K1)).status());
    }

    @Test
    void missingFileKnowsNothing(@TempDir Path dir) throws Exception {
        KnownHostsFile f = new KnownHostsFile(dir.resolve("none"));
        assertEquals(KnownHostsFile.Status.UNKNOWN, f.check("db", 22, blob(K1)).status());
        assertFalse(Files.exists(dir.resolve("none")));
        assertTrue(f.knownKeyTypes("db", 22).isEmpty());
    }

    @Test
    void globIsOpenSshs() {
        assertTrue(KnownHostsFile.glob("*", ""));
        assertTrue(KnownHostsFile.glob("db*", "db1"));
        assertTrue(KnownHostsFile.glob("*.x.org", "a.b.x.org"));
        assertFalse(KnownHostsFile.glob("db?", "db"));
        assertTrue(KnownHostsFile.glob("[127.0.0.1]:*", "[127.0.0.1]:2222"));
    }

    private static KnownHostsFile file(Path dir, String content) throws Exception {
        Path p = dir.resolve("known_hosts");
        Files.writeString(p, content);
        return new KnownHostsFile(p);
    }
}
