package dev.twinshift.bisect;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Bisect results kept on the server: {@code .twinshift/bisect/<stamp>.json}, one per bisect. */
public final class BisectStore {
    private BisectStore() {}

    public static String directory(Catalog catalog) {
        return catalog.root() + "/bisect";
    }

    public static String path(Catalog catalog, String id) {
        return directory(catalog) + "/" + id + ".json";
    }

    public static void save(Catalog catalog, BisectResult r) throws SshException, InterruptedException {
        catalog.shell().run(RemoteCommand.of("mkdir", "-p", "--", directory(catalog)).asRoot()).requireSuccess();
        catalog.writeJson(path(catalog, r.id()), r);
    }

    /** A result from its JSON text (what {@link #save} wrote). */
    public static BisectResult parse(String json) {
        try {
            return Json.mapper().readValue(json, BisectResult.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not a bisect result: " + e.getOriginalMessage(), e);
        }
    }

    /** Every result in the catalog, newest first; files that cannot be read are named in {@code problems}. */
    public static List<BisectResult> list(Catalog catalog, List<String> problems) throws SshException, InterruptedException {
        RemoteShell shell = catalog.shell();
        CommandResult r = shell.run(RemoteCommand.of("find", directory(catalog), "-maxdepth", "1", "-name", "*.json",
                "-printf", "%f\\n").asRoot());
        List<BisectResult> out = new ArrayList<>();
        if (!r.ok()) {
            return out;
        }
        for (String f : r.stdout().split("\n")) {
            if (!f.endsWith(".json")) {
                continue;
            }
            String file = directory(catalog) + "/" + f;
            try {
                catalog.readJson(file, BisectResult.class).ifPresent(out::add);
            } catch (RuntimeException e) {
                problems.add(file + ": " + e.getMessage());
            }
        }
        out.sort(Comparator.comparing(BisectResult::id).reversed());
        return out;
    }

    /** The results of one cluster, newest first. */
    public static List<BisectResult> of(Catalog catalog, String cluster) throws SshException, InterruptedException {
        return list(catalog, new ArrayList<>()).stream().filter(b -> cluster.equals(b.cluster())).toList();
    }

    public static Optional<BisectResult> latest(Catalog catalog, String cluster) throws SshException, InterruptedException {
        return of(catalog, cluster).stream().findFirst();
    }
}
