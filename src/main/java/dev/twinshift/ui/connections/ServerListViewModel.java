package dev.twinshift.ui.connections;

import dev.twinshift.inventory.Inventory;
import dev.twinshift.inventory.LabDescriptor;
import dev.twinshift.inventory.ServerEntry;
import dev.twinshift.ssh.SshConfigImporter;
import dev.twinshift.ssh.SshTarget;
import dev.twinshift.ui.tasks.BackgroundTask;
import dev.twinshift.ui.tasks.TaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** The server list: saved servers, plus the local lab when one is up. */
public final class ServerListViewModel {
    private final Inventory inventory;
    private final Path labDescriptor;
    private final Path sshConfig;
    private final TaskExecutor tasks;

    private final ObservableList<ServerEntry> servers = FXCollections.observableArrayList();
    private final ObjectProperty<ServerEntry> selected = new SimpleObjectProperty<>();
    private final ReadOnlyStringWrapper notice = new ReadOnlyStringWrapper("");
    private final StringProperty filter = new SimpleStringProperty("");
    private Consumer<ServerEntry> onRemoved = e -> { };

    public ServerListViewModel(Inventory inventory, Path labDescriptor, Path sshConfig, TaskExecutor tasks) {
        this.inventory = inventory;
        this.labDescriptor = labDescriptor;
        this.sshConfig = sshConfig;
        this.tasks = tasks;
    }

    public ObservableList<ServerEntry> servers() {
        return servers;
    }

    public ObjectProperty<ServerEntry> selectedProperty() {
        return selected;
    }

    /** What the administrator typed to narrow the tree; empty shows everything. */
    public StringProperty filterProperty() {
        return filter;
    }

    /**
     * The clusters to list under a server as the filter stands, or empty when the server itself
     * is filtered out: a server that matches shows all its clusters; otherwise only matching
     * clusters show, under their server.
     */
    public Optional<List<ClusterNode>> shown(ServerEntry e, List<ClusterNode> clusters) {
        String f = filter.get() == null ? "" : filter.get().strip().toLowerCase(Locale.ROOT);
        if (f.isEmpty() || contains(e.name(), f) || contains(e.display(), f)) {
            return Optional.of(List.copyOf(clusters));
        }
        List<ClusterNode> matching = clusters.stream().filter(c -> contains(c.id(), f)).toList();
        return matching.isEmpty() ? Optional.empty() : Optional.of(matching);
    }

    private static boolean contains(String text, String lowerNeedle) {
        return text != null && text.toLowerCase(Locale.ROOT).contains(lowerNeedle);
    }

    /** Told once a server is gone from the list, so its connection can go too. */
    public void setOnRemoved(Consumer<ServerEntry> c) {
        this.onRemoved = c;
    }

    /** The lab is listed while it is up and cannot be removed from here. */
    public boolean isRemovable(ServerEntry e) {
        return e.source() != ServerEntry.Source.LAB;
    }

    /** One line for the administrator about the last action (imported, removed, failed ...). */
    public ReadOnlyStringProperty noticeProperty() {
        return notice.getReadOnlyProperty();
    }

    public Path sshConfigPath() {
        return sshConfig;
    }

    /** Reads the saved list and looks for a lab, off the FX thread. */
    public void reload() {
        tasks.submit(BackgroundTask.of("Load servers", p -> {
            inventory.load();
            List<ServerEntry> all = new ArrayList<>();
            Optional<ServerEntry> lab = LabDescriptor.read(labDescriptor);
            lab.ifPresent(all::add);
            for (ServerEntry e : inventory.entries()) {
                if (lab.isEmpty() || !e.name().equals(lab.get().name())) {
                    all.add(e);
                }
            }
            return all;
        }).onSuccess(this::show).onFailure(t -> notice.set(t.getMessage())));
    }

    public void add(ServerEntry entry) {
        tasks.submit(BackgroundTask.of("Save server " + entry.name(), p -> {
            inventory.put(entry);
            return entry;
        }).onSuccess(e -> {
            servers.removeIf(s -> s.name().equals(e.name()));
            servers.add(e);
            selected.set(e);
            notice.set("Added " + e.name() + ".");
        }).onFailure(t -> notice.set(t.getMessage())));
    }

    public void remove(ServerEntry entry) {
        if (!isRemovable(entry)) {
            notice.set("The lab is listed while it is up; bring it down with lab.sh down to remove it.");
            return;
        }
        tasks.submit(BackgroundTask.of("Remove server " + entry.name(), p -> {
            inventory.remove(entry.name());
            return entry;
        }).onSuccess(e -> {
            servers.remove(e);
            if (selected.get() == e) {
                selected.set(null);
            }
            notice.set("Removed " + e.name() + ".");
            onRemoved.accept(e);
        }).onFailure(t -> notice.set(t.getMessage())));
    }

    /**
     * A host ~/.ssh/config would add.
     *
     * @param known already in the list under this name: importing leaves it as it is
     */
    public record ImportCandidate(ServerEntry entry, boolean known) { }

    /**
     * Reads ~/.ssh/config off the FX thread and hands every host it names to {@code preview} (on the
     * FX thread), marked when already listed; nothing is added until {@link #importEntries} is called.
     */
    public void previewImport(Consumer<List<ImportCandidate>> preview) {
        tasks.submit(BackgroundTask.of("Read " + sshConfig, p -> {
            if (!Files.isReadable(sshConfig)) {
                throw new IllegalStateException("No SSH config at " + sshConfig + ": add servers by hand, or create that file.");
            }
            List<SshTarget> targets = SshConfigImporter.standard().importFile(sshConfig);
            List<ServerEntry> entries = new ArrayList<>();
            collect(targets, entries);
            inventory.load();
            return entries.stream()
                    .map(e -> new ImportCandidate(e, inventory.find(e.name()).isPresent()
                            || servers.stream().anyMatch(s -> s.name().equals(e.name()))))
                    .toList();
        }).onSuccess(c -> {
            if (c.isEmpty()) {
                notice.set("No Host entries in " + sshConfig + ".");
            } else {
                preview.accept(c);
            }
        }).onFailure(t -> notice.set(t.getMessage())));
    }

    /**
     * Adds the chosen hosts; a chosen host's jump host comes along when it is not listed yet, so
     * that every entry's jump names an entry.
     *
     * @param candidates what the preview showed, for the jump hosts of the chosen ones
     */
    public void importEntries(List<ServerEntry> chosen, List<ImportCandidate> candidates) {
        List<ServerEntry> add = new ArrayList<>(chosen);
        for (int i = 0; i < add.size(); i++) {
            String jump = add.get(i).jump();
            if (jump != null && add.stream().noneMatch(e -> e.name().equals(jump))) {
                candidates.stream().filter(c -> !c.known() && c.entry().name().equals(jump)).findFirst()
                        .ifPresent(c -> add.add(c.entry()));
            }
        }
        if (add.isEmpty()) {
            notice.set("Nothing imported.");
            return;
        }
        tasks.submit(BackgroundTask.of("Import " + sshConfig, p -> {
            int added = inventory.addAll(add);
            return new Imported(inventory.entries(), added, add.size());
        }).onSuccess(r -> {
            List<ServerEntry> all = new ArrayList<>();
            servers.stream().filter(s -> s.source() == ServerEntry.Source.LAB).forEach(all::add);
            all.addAll(r.entries());
            show(all);
            notice.set("Imported " + r.added() + (r.added() == 1 ? " host" : " hosts") + " from " + sshConfig
                    + (r.added() < r.found() ? " (" + (r.found() - r.added()) + " already listed)." : "."));
        }).onFailure(t -> notice.set(t.getMessage())));
    }

    /** Jump hosts become entries too, so each entry's jump names an entry. */
    private static void collect(List<SshTarget> targets, List<ServerEntry> out) {
        for (SshTarget t : targets) {
            for (SshTarget j = t.jump(); j != null; j = j.jump()) {
                SshTarget jj = j;
                if (out.stream().noneMatch(e -> e.name().equals(jj.alias()))
                        && targets.stream().noneMatch(x -> x.alias().equals(jj.alias()))) {
                    out.add(ServerEntry.fromTarget(jj, ServerEntry.Source.SSH_CONFIG));
                }
            }
            out.add(ServerEntry.fromTarget(t, ServerEntry.Source.SSH_CONFIG));
        }
    }

    private void show(List<ServerEntry> all) {
        ServerEntry keep = selected.get();
        servers.setAll(all);
        if (keep != null) {
            servers.stream().filter(s -> s.name().equals(keep.name())).findFirst().ifPresent(selected::set);
        }
    }

    public SshTarget targetOf(ServerEntry e) {
        return inventory.target(e);
    }

    private record Imported(List<ServerEntry> entries, int added, int found) { }
}
