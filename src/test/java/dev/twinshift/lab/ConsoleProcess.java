package dev.twinshift.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command line run as a process of its own against the lab, so that a test can kill it (or let a
 * fail point halt it) and see what another console then finds on the server.
 */
public final class ConsoleProcess {
    private ConsoleProcess() {}

    /** How a console process ended: its exit code (137 when a fail point halted it) and what it printed. */
    public record Ended(int code, String out, String err) {
    }

    /** A console process still running: its process, and how to wait for its end. */
    public record Running(Process process, Path out, Path err) {
        public Ended await() throws IOException, InterruptedException {
            try {
                if (!process.waitFor(5, TimeUnit.MINUTES)) {
                    process.destroyForcibly().waitFor();
                    throw new IllegalStateException("console process did not end within 5 minutes");
                }
                return new Ended(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }
    }

    /** Runs {@code twinshift ARGS} against the lab's admin account; {@code failPoint} may be null. */
    public static Ended run(String failPoint, String... args) throws IOException, InterruptedException {
        return start(failPoint, args).await();
    }

    /** Starts {@code twinshift ARGS} against the lab's admin account and returns at once. */
    public static Running start(String failPoint, String... args) throws IOException {
        Lab lab = Lab.require();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        if (failPoint != null) {
            cmd.add("-Dtwinshift.failpoint=" + failPoint);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LabCli.class.getName(), "--server",
                lab.admin().user() + "@" + lab.admin().host() + ":" + lab.admin().port(), "--identity",
                lab.admin().identityFiles().get(0).toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("twinshift-console", ".out");
        Path err = Files.createTempFile("twinshift-console", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        return new Running(p, out, err);
    }
}
