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
            cold = new CloneItem(cold.record(), false, cold.connectionString(), null, 212L << 20,
                    new ClusterViewModel.CloneUse("idle 9 days", "No connection since " + NOW.minus(Duration.ofDays(9))
                            + "; the policy stops an idle clone after 7 days.", true, false));
            running = new CloneItem(running.record(), true, running.connectionString(), null, 1_310L << 20,
                    new ClusterViewModel.CloneUse("in use", "2 client sessions now.", false, true));
            SnapshotRecord fixed = new SnapshotRecord("clone_billing-rehearsal/after-fix", "after-fix", "clone_billing-rehearsal",
                    NOW.minus(Duration.ofMinutes(12)), TimelineFixtures.ADMIN, Reason.MANUAL, "after-fix", "13/main", "13", "0/9A000028",
                    1, running.record().dataDirectory(), "clone:billing-rehearsal", false, running.record().method(),
                    "/srv/data/.twinshift/snapshots/clone_billing-rehearsal/after-fix", true);
            CloneItem retry = TimelineFixtures.clone("billing-retry", fixed, true);
            retry = new CloneItem(retry.record(), true, "host=/srv/data/.twinshift/clones/billing-retry.run port=54322 dbname=postgres",
                    null, 18L << 20, new ClusterViewModel.CloneUse("in use", "1 client session now.", false, false));
            List<SnapshotRecord> family = new ArrayList<>(snaps);
            family.add(fixed);
            List<CloneItem> allClones = List.of(running, retry, cold);

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
                    model.applyListing(snaps, family, allClones);
                    @SuppressWarnings("unchecked")
                    javafx.scene.control.TreeTableView<dev.twinshift.ui.clones.CloneFamily.Row> clones =
                            (javafx.scene.control.TreeTableView<dev.twinshift.ui.clones.CloneFamily.Row>) scene.lookup("#clone-tree");
                    clones.getSelectionModel().select(4);
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
