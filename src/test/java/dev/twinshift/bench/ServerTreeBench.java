package dev.twinshift.bench;

import atlantafx.base.theme.PrimerLight;
import dev.twinshift.inventory.Inventory;
import dev.twinshift.inventory.ServerEntry;
import dev.twinshift.ssh.SshTarget;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.connections.ClusterNode;
import dev.twinshift.ui.connections.ServerActions;
import dev.twinshift.ui.connections.ServerConnections;
import dev.twinshift.ui.connections.ServerListView;
import dev.twinshift.ui.connections.ServerListViewModel;
import dev.twinshift.ui.tasks.CurrentThreadTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.TextField;
import javafx.scene.control.TreeView;
import javafx.stage.Stage;

/**
 * The server tree with 50 servers of 10 clusters each (fake, connected, in memory): prints how long
 * it takes from handing the servers and clusters to the tree until it is laid out on screen, and
 * from typing a filter, one key per pulse as a fast typist would, until the tree shows the result.
 * Each figure is the median of several rounds; nothing fails on a timing.
 *
 *   bash src/test/bench/server-tree.sh [servers] [clusters-per-server] [rounds]   (defaults 50 10 7)
 */
public final class ServerTreeBench {
    private ServerTreeBench() {}

    public static void main(String[] args) throws Exception {
        int servers = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int perServer = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        String filter = "db-37";
        Path dir = Files.createTempDirectory("twinshift-tree-bench");
        List<ServerEntry> entries = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            entries.add(new ServerEntry(String.format("db-%02d", i), String.format("db-%02d.prod.example.com", i), 22, "dba",
                    null, null, ServerEntry.Source.MANUAL));
        }

        CompletableFuture<Void> started = new CompletableFuture<>();
        // No window is open between rounds: the toolkit must not exit then.
        Platform.setImplicitExit(false);
        Platform.startup(() -> started.complete(null));
        started.get(30, TimeUnit.SECONDS);

        long[] render = new long[rounds];
        long[] filtering = new long[rounds];
        long[] worstKey = new long[rounds];
        int[] shown = new int[1];
        for (int r = 0; r < rounds; r++) {
            Stage[] stage = new Stage[1];
            ServerListViewModel[] model = new ServerListViewModel[1];
            TreeView<?>[] tree = new TreeView<?>[1];
            long t0 = onFx(() -> {
                Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
                long start = System.nanoTime();
                ServerConnections connections = new ServerConnections(null, null, null);
                model[0] = new ServerListViewModel(new Inventory(dir.resolve("servers.json")), dir.resolve("no-lab.json"),
                        dir.resolve("ssh_config"), new CurrentThreadTaskExecutor());
                ServerListView view = new ServerListView(model[0], connections, new NoActions());
                Scene scene = new Scene(view.root(), 320, 800);
                scene.getStylesheets().add(ServerTreeBench.class.getResource(Styles.APP_STYLESHEET).toExternalForm());
                stage[0] = new Stage();
                stage[0].setScene(scene);
                stage[0].show();
                tree[0] = (TreeView<?>) scene.lookup("#server-tree");
                for (ServerEntry e : entries) {
                    connections.connected(new SshTarget(e.name(), e.host(), e.port(), e.user(), List.of(), null), null);
                }
                model[0].servers().setAll(entries);
                for (ServerEntry e : entries) {
                    List<ClusterNode> nodes = new ArrayList<>();
                    for (int c = 0; c < perServer; c++) {
                        nodes.add(new ClusterNode(e.name(), (13 + c % 4) + "/c" + c, 5432 + c, c % 3 == 0 ? "down" : "online"));
                    }
                    connections.clustersRead(e.name(), nodes);
                }
                return start;
            });
            render[r] = afterNextLayout() - t0;

            TextField field = (TextField) onFx(() -> stage[0].getScene().lookup("#server-filter"));
            long typed = System.nanoTime();
            long worst = 0;
            for (char ch : filter.toCharArray()) {
                long k = onFx(() -> {
                    long s = System.nanoTime();
                    field.appendText(String.valueOf(ch));
                    return s;
                });
                worst = Math.max(worst, afterNextLayout() - k);
            }
            filtering[r] = System.nanoTime() - typed;
            worstKey[r] = worst;
            shown[0] = onFx(() -> tree[0].getExpandedItemCount());
            onFx(() -> {
                stage[0].close();
                return 0L;
            });
        }
        System.out.printf("server tree: %d servers, %d clusters, platform %s, median of %d rounds%n", servers,
                servers * perServer, System.getProperty("glass.platform", "default"), rounds);
        System.out.printf("  render (servers and clusters handed over -> laid out): %.0f ms%n", median(render) / 1e6);
        System.out.printf("  filter \"%s\" typed one key per pulse -> result shown: %.0f ms (slowest key %.0f ms); %d rows shown%n",
                filter, median(filtering) / 1e6, median(worstKey) / 1e6, shown[0]);
        Platform.exit();
        System.exit(0);
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static <T> T onFx(java.util.concurrent.Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(c.call());
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(60, TimeUnit.SECONDS);
    }

    /** The time at the end of the next pulse's layout, when what changed is on screen. */
    private static long afterNextLayout() throws Exception {
        CompletableFuture<Long> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            javafx.stage.Window w = javafx.stage.Window.getWindows().get(0);
            Runnable[] once = new Runnable[1];
            once[0] = () -> {
                w.getScene().removePostLayoutPulseListener(once[0]);
                f.complete(System.nanoTime());
            };
            w.getScene().addPostLayoutPulseListener(once[0]);
            Platform.requestNextPulse();
        });
        return f.get(60, TimeUnit.SECONDS);
    }

    private static final class NoActions implements ServerActions {
        @Override
        public void connect(ServerEntry server) { }

        @Override
        public void disconnect(ServerEntry server) { }

        @Override
        public void refresh(ServerEntry server) { }

        @Override
        public void showCluster(ClusterNode cluster) { }
    }
}
