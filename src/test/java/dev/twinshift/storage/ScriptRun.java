package dev.twinshift.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the server's shell scripts here with /bin/sh, as the server would. */
final class ScriptRun {

    record Result(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private ScriptRun() {}

    /** Installs the shipped scripts into {@code catalog/bin}, as ServerScripts does on a server. */
    static Path installInto(Path catalog, List<String> names) throws IOException {
        Path bin = catalog.resolve("bin");
        Files.createDirectories(bin);
        for (String n : names) {
            Path f = bin.resolve(n);
            Files.writeString(f, ServerScripts.text(n), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return bin;
    }

    static Result run(Map<String, String> env, List<String> argv) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        // Read both streams at once, so that neither fills its pipe.
        var err = new java.util.concurrent.CompletableFuture<String>();
        Thread t = new Thread(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                err.completeExceptionally(e);
            }
        });
        t.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the script did not end within 2 minutes: " + argv);
        }
        t.join();
        return new Result(p.exitValue(), out, err.join());
    }

    /** {@code sh -c SCRIPT sh ARGS...}: a few lines that source lock.sh and call it. */
    static Result sh(Map<String, String> env, String script, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", script, "sh"));
        argv.addAll(List.of(args));
        return run(env, argv);
    }
}
