package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShellQuoteTest {

    @Test
    void safeWordsStayReadable() {
        assertEquals("pg_lsclusters", ShellQuote.quote("pg_lsclusters"));
        assertEquals("/srv/twinshift-lab/btrfs", ShellQuote.quote("/srv/twinshift-lab/btrfs"));
        assertEquals("--json", ShellQuote.quote("--json"));
    }

    @Test
    void everythingElseIsSingleQuoted() {
        assertEquals("''", ShellQuote.quote(""));
        assertEquals("'a b'", ShellQuote.quote("a b"));
        assertEquals("'it'\"'\"'s'", ShellQuote.quote("it's"));
        assertEquals("'$(id)'", ShellQuote.quote("$(id)"));
        assertEquals("'a\nb'", ShellQuote.quote("a\nb"));
        assertEquals("'~'", ShellQuote.quote("~"));
        assertEquals("'é'", ShellQuote.quote("é"));
    }

    @Test
    void firstWordCannotBeAnAssignmentOrAKeyword() {
        assertEquals("'A=1' rm", ShellQuote.join(List.of("A=1", "rm")));
        assertEquals("'time' x", ShellQuote.join(List.of("time", "x")));
        assertEquals("'if'", ShellQuote.join(List.of("if")));
        // later words are plain arguments: no need to quote them
        assertEquals("env A=1", ShellQuote.join(List.of("env", "A=1")));
    }

    /** What a real POSIX shell makes of the quoted text: the arguments, NUL-separated, as bytes. */
    static byte[] throughShell(String shell, List<String> args, Path cwd) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
        argv.addAll(args);
        Process p = new ProcessBuilder(shell, "-c", ShellQuote.join(argv))
                .directory(cwd.toFile())
                .redirectErrorStream(false)
                .start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor(10, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        return out;
    }

    static byte[] expected(List<String> args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String a : args) {
            b.writeBytes(a.getBytes(StandardCharsets.UTF_8));
            b.write(0);
        }
        return b.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/sh", "/bin/bash", "/bin/dash"})
    void hostileArgumentsSurviveARealShellByteForByte(String shell, @TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(shell)), shell + " not installed");
        Path pwned = dir.resolve("pwned");
        // A file in the working directory so that an unquoted * or ? would expand to something.
        Files.writeString(dir.resolve("a"), "");
        List<String> args = HostileArgs.all(pwned.toString());
        assertArrayEquals(expected(args), throughShell(shell, args, dir));
        assertFalse(Files.exists(pwned), "an argument was executed");
    }
}
