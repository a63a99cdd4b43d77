package dev.twinshift.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CatalogLock;
import dev.twinshift.storage.Json;
import dev.twinshift.storage.LockedException;
import dev.twinshift.storage.Names;
import dev.twinshift.storage.Progress;
import dev.twinshift.storage.ServerScripts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Idle clones: clones with no client connection for a while, marked, and stopped or destroyed by the catalog's
 * policy ({@link IdleClonePolicy}) unless protected. The rule is {@code schedule.sh idle} on the server, which
 * the hourly job runs for real; this runs it with {@code --dry-run} and shows what it prints, saves the policy
 * the script reads, and marks clones protected. Everything runs as root through argument lists.
 */
public final class IdleCloneService {
    /** The policy's name in the catalog's schedule directory: {@code schedule/clones.conf}. */
    static final String POLICY_NAME = "clones";
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(30);

    private final RemoteShell shell;
    private final Progress progress;
    private final ScheduleService schedule;

    public IdleCloneService(RemoteShell shell, Progress progress) {
        this.shell = shell;
        this.progress = progress == null ? Progress.NONE : progress;
        this.schedule = new ScheduleService(shell, this.progress);
    }

    /** Where the catalog's idle-clone policy is saved: the file {@code schedule.sh idle} reads. */
    public static String policyPath(Catalog catalog) {
        return catalog.root() + "/schedule/" + POLICY_NAME + ".conf";
    }

    /** Where each stop and destroy of the policy is recorded, with why. */
    public static String logPath(Catalog catalog) {
        return catalog.root() + "/schedule/" + POLICY_NAME + ".log";
    }

    /**
     * Every clone of the catalog as the next hourly run sees it, with the saved policy: the script's own dry run
     * (which records the connections it sees, as the hourly run does, and changes nothing else).
     */
    public List<IdleClone> preview(Catalog catalog) throws SshException, InterruptedException {
        return preview(catalog, null);
    }

    /** The same with a policy not saved yet (null: the saved one): what it would stop or destroy now. */
    public List<IdleClone> preview(Catalog catalog, IdleClonePolicy policy) throws SshException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("idle", catalog.root(), "--dry-run"));
        if (policy != null) {
            args.add("--policy");
            args.add(policy.text());
        }
        CommandResult r = script(catalog, args);
        if (!r.ok()) {
            throw new SshException(SshException.Kind.COMMAND_FAILED, "the idle-clone preview on " + shell.serverName()
                    + " failed (exit " + r.exitCode() + "): " + r.stderr().strip());
        }
        return parse(r.stdout());
    }

    /** The catalog's saved policy, or {@link IdleClonePolicy#DEFAULT} when it has none. */
    public IdleClonePolicy policy(Catalog catalog) throws SshException, InterruptedException {
        String path = policyPath(catalog);
        return schedule.readFile(path).map(text -> {
            try {
                return IdleClonePolicy.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + " on " + shell.serverName() + ": " + e.getMessage(), e);
            }
        }).orElse(IdleClonePolicy.DEFAULT);
    }

    /**
     * Saves the policy where the hourly run reads it (root's, 0644, written whole), installs the script that
     * enforces it into the catalog, and makes the server's job run this catalog when the job is installed.
     */
    public void savePolicy(Catalog catalog, IdleClonePolicy policy) throws SshException, InterruptedException {
        if (policy == null) {
            throw new IllegalArgumentException("no idle-clone policy to save");
        }
        shell.run(RemoteCommand.of("sh", "-c", "mkdir -p -- \"$1\" && chmod 0755 \"$1\"", "sh", catalog.root() + "/schedule")
                .asRoot()).requireSuccess();
        String path = policyPath(catalog);
        progress.step("write " + path + " (" + policy.text() + ")");
        schedule.writeFile(path, policy.fileText(), "0644");
        install(catalog);
        schedule.ensureJobRuns(catalog);
    }

    /**
     * Protects the clone from the policy (never stopped or destroyed by it), recording who and when, or lifts
     * the protection. Under the catalog lock, so that an hourly run deciding at that moment sees one or the other.
     */
    public void protect(Catalog catalog, String clone, boolean on, Actor actor)
            throws LockedException, SshException, InterruptedException {
        Names.requireValid("clone name", clone);
        if (actor == null) {
            throw new IllegalArgumentException("who protects the clone must be known");
        }
        try (CatalogLock lock = CatalogLock.acquire(catalog, actor, (on ? "protect" : "unprotect") + " clone " + clone,
                progress)) {
            if (!catalog.exists(catalog.cloneSidecar(clone))) {
                throw new IllegalArgumentException("no clone " + clone + " in " + catalog.clonesDir());
            }
            String file = catalog.cloneProtectionFile(clone);
            if (on) {
                Map<String, Object> mark = new LinkedHashMap<>();
                mark.put("by", actor.display());
                mark.put("at", Instant.now().truncatedTo(ChronoUnit.SECONDS));
                mark.put("actor", actor);
                progress.step("protect clone " + clone + " from the idle-clone policy (" + file + ")");
                catalog.writeJson(file, mark);
            } else {
                progress.step("lift the protection of clone " + clone + " (" + file + ")");
                catalog.remove(file);
            }
        }
    }

    /**
     * Does now what the hourly run does: stops and destroys the clones that are due, under the catalog lock.
     *
     * @return one line per clone stopped or destroyed, with why (empty when none was due)
     * @throws LockedException when another operation holds the catalog lock (nothing was done)
     * @throws SshException    when a stop or destroy failed; the message has every line of what was done
     */
    public List<String> enforceNow(Catalog catalog) throws LockedException, SshException, InterruptedException {
        CommandResult r = script(catalog, List.of("idle", catalog.root()));
        List<String> lines = r.stdout().lines().filter(l -> !l.isBlank()).toList();
        if (r.exitCode() == 75) {
            throw new LockedException("the idle clones of " + catalog.root() + " were not looked at: the catalog lock is "
                    + String.join(" ", lines).replaceFirst("^skipped: lock ", ""), null);
        }
        if (!r.ok()) {
            throw new SshException(SshException.Kind.COMMAND_FAILED, "the idle-clone run on " + shell.serverName()
                    + " failed (exit " + r.exitCode() + ")" + (lines.isEmpty() ? "" : ": " + String.join("; ", lines))
                    + (r.stderr().isBlank() ? "" : " — " + r.stderr().strip()));
        }
        lines.forEach(progress::step);
        return lines;
    }

    /* The catalog's own installed script (brought up to this console's version first), so that the preview and the
       hourly run are the same file. */
    private CommandResult script(Catalog catalog, List<String> args) throws SshException, InterruptedException {
        install(catalog);
        List<String> argv = new ArrayList<>(List.of("/bin/sh", ServerScripts.path(catalog, "schedule.sh")));
        argv.addAll(args);
        return shell.run(RemoteCommand.of(argv).asRoot(), SCRIPT_TIMEOUT);
    }

    private void install(Catalog catalog) throws SshException, InterruptedException {
        List<String> written = ServerScripts.install(catalog, ServerScripts.ALL);
        if (!written.isEmpty()) {
            progress.step("installed " + String.join(", ", written) + " in " + ServerScripts.binDir(catalog));
        }
    }

    /** The clones of {@code schedule.sh idle --dry-run}'s JSON, in its order. */
    static List<IdleClone> parse(String json) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not an idle-clone preview: " + e.getMessage(), e);
        }
        JsonNode clones = root == null ? null : root.get("clones");
        if (clones == null || !clones.isArray()) {
            throw new IllegalArgumentException("not an idle-clone preview (no \"clones\" list): "
                    + json.substring(0, Math.min(200, json.length())));
        }
        List<IdleClone> out = new ArrayList<>();
        for (JsonNode c : clones) {
            JsonNode conns = c.get("connections");
            JsonNode at = c.get("lastActiveAt");
            JsonNode idle = c.get("idleSeconds");
            out.add(new IdleClone(c.path("name").asText(), c.path("running").asBoolean(),
                    conns == null || conns.isNull() ? null : conns.asInt(),
                    at == null || at.isNull() ? null : Instant.parse(at.asText()),
                    idle == null || idle.isNull() ? null : Duration.ofSeconds(idle.asLong()),
                    c.path("protected").asBoolean(), IdleClone.Verdict.valueOf(c.path("verdict").asText()),
                    c.path("reason").asText()));
        }
        return out;
    }
}
