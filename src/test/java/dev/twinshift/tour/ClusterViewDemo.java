package dev.twinshift.tour;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import dev.twinshift.ssh.PortForwarding;
import dev.twinshift.ssh.Tunnel;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.clones.ClusterView;
import dev.twinshift.ui.clones.ClusterViewModel;
import dev.twinshift.ui.clones.ClusterViewModel.CloneItem;
import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.timeline.TimelineFixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableView;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;

/**
 * A cluster's snapshots and clones with a realistic catalog (hourlies, a manual one, an upgrade's
 * safety snapshot, two rollbacks' undo snapshots, a running clone with its tunnel open), no server
 * needed. {@code --size WxH}, {@code --dark}, {@code --shoot FILE} (under Xvfb, with ImageMagick's
 * import, then exits).
 */
public final class ClusterViewDemo {
    static final Instant NOW = Instant.parse("2026-12-01T18:42:07Z");
    private static String shootTo;
    private static int width = 1280;
    private static int height = 800;
    private static boolean dark;

    public static void main(String[] args) {
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--shoot" -> shootTo = args[++i];
                case "--size" -> {
                    String[] wh = args[++i].split("x");
                    width = Integer.parseInt(wh[0]);
                    height = Integer.parseInt(wh[1]);
                }
                case "--dark" -> dark = true;
                default -> { }
            }
        }
        Application.launch(App.class, args);
    }

    /** A server that is not there but forwards ports, so the tunnel can be shown. */
    static final class DemoServer implements dev.twinshift.ssh.RemoteShell, PortForwarding {
        @Override
        public String serverName() {
            return "db1";
        }

        @Override
        public dev.twinshift.ssh.RunningCommand start(dev.twinshift.ssh.RemoteCommand c, dev.twinshift.ssh.ExecOptions o,
                                                     dev.twinshift.ssh.LineListener l) throws dev.twinshift.ssh.SshException {
            throw new dev.twinshift.ssh.SshException(dev.twinshift.ssh.SshException.Kind.COMMAND_FAILED, "demo");
        }

        @Override
        public Tunnel openTunnel(String host, int remotePort, int preferred) {
            return new Tunnel() {
                public int localPort() { return preferred; }
                public String remoteHost() { return host; }
                public int remotePort() { return remotePort; }
                public boolean isOpen() { return true; }
                public void close() { }
            };
        }
    }

    public static final class App extends Application {
        @Override
        public void start(Stage stage) {
            Application.setUserAgentStylesheet(dark ? new PrimerDark().getUserAgentStylesheet()
                    : new PrimerLight().getUserAgentStylesheet());
            List<SnapshotRecord> snaps = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                snaps.add(TimelineFixtures.snapshot(NOW.minus(Duration.ofHours(i)).minusSeconds(3 + i % 7), Reason.SCHEDULED, null, false));
            }
            snaps.add(TimelineFixtures.snapshot(NOW.minusSeconds(95), Reason.MANUAL, "before-billing-migration", false));
            snaps.add(TimelineFixtures.snapshot(NOW.minusSeconds(42), Reason.MANUAL, "before-billing-migration-2", false));
            snaps.add(TimelineFixtures.snapshot(NOW.minusSeconds(3), Reason.MANUAL, "before-billing-migration-3", true));
            snaps.add(TimelineFixtures.snapshot(NOW.minus(Duration.ofMinutes(20)), Reason.PRE_ROLLBACK, "pre-rollback", false));
            snaps.add(TimelineFixtures.snapshot(NOW.minus(Duration.ofHours(6)).plusSeconds(17), Reason.PRE_ROLLBACK, "pre-rollback", false));
            snaps.add(TimelineFixtures.snapshot(NOW.minus(Duration.ofDays(2)), Reason.PRE_UPGRADE, "before-15", true));
            snaps.sort(Comparator.comparing(SnapshotRecord::createdAt).reversed());
            SnapshotRecord migration = snaps.stream().filter(s -> "before-billing-migration".equals(s.label())).findFirst().orElseThrow();
            CloneItem running = TimelineFixtures.clone("billing-rehearsal", migration, true);
            CloneItem cold = TimelineFixtures.clone("index-test", snaps.get(12), false);

            ClusterViewModel model = new ClusterViewModel(new FxTaskExecutor(new LogBuffer(100)));
            model.setZone(ZoneId.of("Europe/Paris"));
            model.show(new DemoServer(), "tsadmin", TimelineFixtures.cluster("main"));
            ClusterView view = new ClusterView(model);
            VBox page = new VBox(view.root());
            page.setPadding(new Insets(16));
            page.getStyleClass().add("dashboard");
            ScrollPane scroll = new ScrollPane(page);
            scroll.setFitToWidth(true);
            Scene scene = new Scene(scroll, width, height);
            scene.getStylesheets().add(ClusterViewDemo.class.getResource(Styles.APP_STYLESHEET).toExternalForm());
            stage.setTitle("Twinshift cluster view");
            stage.setScene(scene);
            stage.setX(0);
            stage.setY(0);
            stage.show();
            // After the view's own (failing) read: the catalog as a re-read brings it, a clone selected, its tunnel open.
            new Thread(() -> {
                pulses(10);
                Platform.runLater(() -> {
                    model.snapshots().setAll(snaps);
                    model.clones().setAll(List.of(running, cold));
                    @SuppressWarnings("unchecked")
                    TableView<CloneItem> clones = (TableView<CloneItem>) scene.lookup("#clone-table");
                    clones.getSelectionModel().select(0);
                    @SuppressWarnings("unchecked")
                    TableView<SnapshotRecord> st = (TableView<SnapshotRecord>) scene.lookup("#snapshot-table");
                    st.getSelectionModel().select(2);
                    ((javafx.scene.control.Button) scene.lookup("#open-tunnel")).fire();
                });
                if (shootTo != null) {
                    pulses(20);
                    shoot(Path.of(shootTo));
                }
            }, "demo").start();
        }
    }

    private static void pulses(int n) {
        try {
            for (int i = 0; i < n; i++) {
                CountDownLatch pulse = new CountDownLatch(1);
                Platform.runLater(pulse::countDown);
                pulse.await(5, TimeUnit.SECONDS);
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void shoot(Path file) {
        try {
            Process p = new ProcessBuilder("import", "-window", "root", "-crop", width + "x" + height + "+0+0", file.toString())
                    .inheritIO().start();
            System.out.println(p.waitFor() == 0 ? "captured " + file : "import failed");
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            Platform.exit();
            System.exit(0);
        }
    }
}
