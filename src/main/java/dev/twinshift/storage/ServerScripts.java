package dev.twinshift.storage;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.SshException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The scripts that run on the server without a console, installed into {@code CATALOG/bin} from the
 * project's resources ({@code dev/twinshift/remote/}): the console runs the very file the server's
 * scheduled job runs. Installing is one SSH command that writes a script only when its content
 * differs from what is there, owned by root and mode 0755, so that an unchanged catalog is not
 * touched and a reader never sees half a file.
 */
public final class ServerScripts {
    /**
     * Every script of the catalog's bin directory, installed together wherever any is: a console's snapshot then
     * also brings the scheduled job's schedule.sh up to the snapshot.sh and lock.sh it calls, so the job never
     * runs one version of them against another.
     */
    public static final List<String> ALL = List.of("lock.sh", "snapshot.sh", "schedule.sh");

    /*
     * $1 the bin directory, then NAME SIZE pairs; the files' bytes follow one another on stdin.
     * head -c reads no more than it is asked for, so each file gets exactly its own bytes.
     */
    private static final String INSTALL = """
            bin=$1; shift
            mkdir -p -- "$bin" && chmod 0755 -- "$bin" || exit 1
            while [ $# -gt 1 ]; do
              name=$1; size=$2; shift 2
              tmp=$bin/.$name.new
              head -c "$size" > "$tmp" || { rm -f -- "$tmp"; exit 1; }
              if [ "$(wc -c < "$tmp")" -ne "$size" ]; then
                echo "$name arrived short: $(wc -c < "$tmp") of $size bytes" >&2; rm -f -- "$tmp"; exit 1
              fi
              if cmp -s -- "$tmp" "$bin/$name"; then
                rm -f -- "$tmp"
                chown root:root -- "$bin/$name" && chmod 0755 -- "$bin/$name" || exit 1
              else
                chown root:root -- "$tmp" && chmod 0755 -- "$tmp" && mv -f -- "$tmp" "$bin/$name" || exit 1
                echo "installed $name"
              fi
            done""";

    private ServerScripts() {}

    /** Where the catalog's scripts live on the server. */
    public static String binDir(Catalog catalog) {
        return catalog.root() + "/bin";
    }

    /** The installed path of one script. */
    public static String path(Catalog catalog, String name) {
        return binDir(catalog) + "/" + name;
    }

    /** A script's text as the project ships it. */
    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    static byte[] bytes(String name) {
        if (!name.matches("[a-z][a-z0-9-]*\\.sh")) {
            throw new IllegalArgumentException("not a server script name: " + name);
        }
        try (InputStream in = ServerScripts.class.getResourceAsStream("/dev/twinshift/remote/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource dev/twinshift/remote/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Installs these scripts into the catalog's {@code bin} directory where their content differs.
     *
     * @return the names of the scripts that were written (empty when all were up to date)
     */
    public static List<String> install(Catalog catalog, List<String> names) throws SshException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("sh", "-c", INSTALL, "install-scripts", binDir(catalog)));
        ByteArrayOutputStream stdin = new ByteArrayOutputStream();
        for (String n : names) {
            byte[] b = bytes(n);
            argv.add(n);
            argv.add(Integer.toString(b.length));
            stdin.writeBytes(b);
        }
        CommandResult r = catalog.shell().run(RemoteCommand.of(argv).asRoot(),
                ExecOptions.defaults().withStdin(stdin.toByteArray()), LineListener.IGNORE).requireSuccess();
        List<String> written = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (line.startsWith("installed ")) {
                written.add(line.substring("installed ".length()).strip());
            }
        }
        return written;
    }
}
