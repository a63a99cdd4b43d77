package dev.twinshift.ssh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An OpenSSH known_hosts file, read with OpenSSH's rules: host patterns with {@code *}, {@code ?}
 * and {@code !}, hashed names ({@code |1|salt|hash}), {@code [host]:port} for ports other than 22,
 * {@code @revoked} keys. Lines it does not understand are kept and skipped, never rewritten: new
 * keys are appended.
 */
public final class KnownHostsFile {

    /** What the file says about a key a server presented. */
    public enum Status { KNOWN, UNKNOWN, CHANGED, REVOKED }

    /**
     * @param knownFingerprints for {@link Status#CHANGED}: the fingerprints known_hosts holds for
     *                          this host and key type; otherwise empty
     */
    public record Verdict(Status status, String keyType, String fingerprint, List<String> knownFingerprints) {}

    /** One usable line: marker ("" or "@revoked", "@cert-authority"), host field, key. */
    record Entry(String marker, String hosts, String keyType, byte[] key) {}

    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_RWX = PosixFilePermissions.fromString("rwx------");
    /** One lock per JVM: two connections accepting keys at once must not interleave their lines. */
    private static final Object WRITE_LOCK = new Object();

    private final Path file;

    public KnownHostsFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The name known_hosts uses for a server: {@code host} on port 22, else {@code [host]:port}. */
    public static String hostToken(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        return port == 22 ? h : "[" + h + "]:" + port;
    }

    /** {@code SHA256:...} exactly as {@code ssh-keygen -lf} prints it (base64 without padding). */
    public static String fingerprint(byte[] keyBlob) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(keyBlob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key type written inside an SSH public key blob, e.g. {@code ssh-ed25519}. */
    public static String keyType(byte[] keyBlob) {
        ByteBuffer b = ByteBuffer.wrap(keyBlob);
        if (b.remaining() < 4) {
            throw new IllegalArgumentException("not an SSH public key");
        }
        int len = b.getInt();
        if (len <= 0 || len > b.remaining() || len > 64) {
            throw new IllegalArgumentException("not an SSH public key");
        }
        byte[] name = new byte[len];
        b.get(name);
        return new String(name, StandardCharsets.US_ASCII);
    }

    /** The line OpenSSH would append for this server and key (without hashing, without newline). */
    public static String line(String host, int port, byte[] keyBlob) {
        return hostToken(host, port) + " " + keyType(keyBlob) + " " + Base64.getEncoder().encodeToString(keyBlob);
    }

    /** Looks the presented key up. A missing or unreadable file knows nothing. */
    public Verdict check(String host, int port, byte[] keyBlob) throws IOException {
        return check(read(), host, port, keyBlob);
    }

    static Verdict check(List<Entry> entries, String host, int port, byte[] keyBlob) {
        String name = hostToken(host, port);
        String type = keyType(keyBlob);
        String fp = fingerprint(keyBlob);
        boolean known = false;
        List<String> others = new ArrayList<>();
        for (Entry e : entries) {
            if (!matches(e.hosts(), name)) {
                continue;
            }
            if ("@revoked".equals(e.marker())) {
                if (Arrays.equals(e.key(), keyBlob)) {
                    return new Verdict(Status.REVOKED, type, fp, List.of());
                }
                continue;
            }
            // RSA keys are listed as ssh-rsa whatever signature algorithm the server chose: the
            // blob's own type is what counts, on both sides.
            if (!e.marker().isEmpty() || !e.keyType().equals(type)) {
                continue;
            }
            if (Arrays.equals(e.key(), keyBlob)) {
                known = true;
            } else {
                others.add(fingerprint(e.key()));
            }
        }
        if (known) {
            return new Verdict(Status.KNOWN, type, fp, List.of());
        }
        if (!others.isEmpty()) {
            return new Verdict(Status.CHANGED, type, fp, List.copyOf(others));
        }
        return new Verdict(Status.UNKNOWN, type, fp, List.of());
    }

    /** Key types known for this server, in file order, so the key exchange can ask for those first. */
    public List<String> knownKeyTypes(String host, int port) throws IOException {
        String name = hostToken(host, port);
        List<String> types = new ArrayList<>();
        for (Entry e : read()) {
            if (e.marker().isEmpty() && matches(e.hosts(), name) && !types.contains(e.keyType())) {
                types.add(e.keyType());
            }
        }
        return types;
    }

    /** The usable entries for a server (plain ones and markers), for the SSH library's questions. */
    List<Entry> entriesFor(String hostToken) throws IOException {
        List<Entry> out = new ArrayList<>();
        for (Entry e : read()) {
            if (matches(e.hosts(), hostToken)) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Appends the key for this server, creating the file (0600) and its directory (0700) if needed.
     */
    public void append(String host, int port, byte[] keyBlob) throws IOException {
        String line = line(host, port, keyBlob) + "\n";
        synchronized (WRITE_LOCK) {
            ensureExists(file);
            boolean needsNewline = false;
            long size = Files.size(file);
            if (size > 0) {
                try (var ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
                    ch.position(size - 1);
                    ByteBuffer last = ByteBuffer.allocate(1);
                    ch.read(last);
                    needsNewline = last.get(0) != '\n';
                }
            }
            Files.writeString(file, (needsNewline ? "\n" : "") + line, StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        }
    }

    /** Creates an empty known_hosts (0600) in a 0700 directory if it does not exist yet. */
    public static void ensureExists(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            setPermissions(dir, OWNER_RWX);
        }
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            Files.createFile(file);
            setPermissions(file, OWNER_RW);
        }
    }

    private static void setPermissions(Path p, Set<PosixFilePermission> perms) {
        try {
            Files.setPosixFilePermissions(p, perms);
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system (Windows): the user's profile directory is private already.
        }
    }

    List<Entry> read() throws IOException {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    static List<Entry> parse(List<String> lines) {
        List<Entry> out = new ArrayList<>();
        for (String raw : lines) {
            String l = raw.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split("[ \t]+");
            int i = 0;
            String marker = "";
            if (f[0].startsWith("@")) {
                marker = f[0].toLowerCase(Locale.ROOT);
                i = 1;
            }
            if (f.length < i + 3) {
                continue;
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(f[i + 2]);
                if (!keyType(key).equals(f[i + 1])) {
                    continue;
                }
            } catch (IllegalArgumentException e) {
                continue;
            }
            out.add(new Entry(marker, f[i], f[i + 1], key));
        }
        return out;
    }

    /** OpenSSH's rule for the host field: a hashed name, or a pattern list with negations. */
    static boolean matches(String hostField, String name) {
        if (hostField.startsWith("|1|")) {
            return hashedMatches(hostField, name);
        }
        boolean positive = false;
        for (String p : hostField.split(",")) {
            if (p.isEmpty()) {
                continue;
            }
            boolean negated = p.startsWith("!");
            String pat = negated ? p.substring(1) : p;
            if (glob(pat.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT))) {
                if (negated) {
                    return false;
                }
                positive = true;
            }
        }
        return positive;
    }

    private static boolean hashedMatches(String field, String name) {
        String[] parts = field.substring(3).split("\\|");
        if (parts.length != 2) {
            return false;
        }
        try {
            byte[] salt = Base64.getDecoder().decode(parts[0]);
            byte[] expected = Base64.getDecoder().decode(parts[1]);
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(salt, "HmacSHA1"));
            byte[] actual = mac.doFinal(name.getBytes(StandardCharsets.UTF_8));
            return MessageDigest.isEqual(expected, actual);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }

    /** Shell-style wildcard match with {@code *} and {@code ?} (no character classes, as in OpenSSH). */
    static boolean glob(String pattern, String s) {
        int p = 0, i = 0, star = -1, mark = 0;
        while (i < s.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == s.charAt(i))) {
                p++;
                i++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = i;
            } else if (star >= 0) {
                p = star + 1;
                i = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
