package dev.twinshift.tour;

import dev.twinshift.app.TwinshiftApp;
import dev.twinshift.inventory.Inventory;
import dev.twinshift.inventory.ServerEntry;
import dev.twinshift.lab.ConsoleSettings;
import dev.twinshift.ui.logs.ActivityView;
import dev.twinshift.ui.tasks.BackgroundTask;
import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.tasks.TaskCancel;
import dev.twinshift.upgrade.CancelRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.SplitPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Pane;
import javafx.stage.Stage;

/**
 * The console's main window with its Activity panel busy: an upgrade rehearsal under way with
 * pg_upgrade's output streaming (stderr, warnings and an error in their colours, a search's matches
 * highlighted), and ended tasks with their outcome. No server needed: the panel is fed by scripted
 * tasks. {@code --shoot FILE} captures the screen (under Xvfb, with ImageMagick's import) and exits.
 */
public final class ActivityDemo {
    private static String shootTo;

    private ActivityDemo() {}

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--shoot") && i + 1 < args.length) {
                shootTo = args[++i];
            }
        }
        Path dir = Files.createTempDirectory("twinshift-demo");
        Inventory inv = new Inventory(dir.resolve("servers.json")).load();
        inv.addAll(List.of(
                new ServerEntry("payments-db", "10.20.0.15", 22, "dba", null, "bastion", ServerEntry.Source.SSH_CONFIG),
                new ServerEntry("reporting-db", "10.20.0.31", 22, "dba", null, "bastion", ServerEntry.Source.SSH_CONFIG),
                new ServerEntry("staging", "staging.example.com", 22, "ops", null, null, ServerEntry.Source.MANUAL)));
        TwinshiftApp.useSettings(ConsoleSettings.inFolder(dir, dir.resolve("no-lab.json")));
        Application.launch(App.class, args);
    }

    /** The console, its Activity panel fed by the demo's own tasks. */
    public static final class App extends TwinshiftApp {
        @Override
        public void start(Stage stage) {
            super.start(stage);
            stage.setX(0);
            stage.setY(0);
            stage.setWidth(1280);
            stage.setHeight(800);
            LogBuffer log = new LogBuffer(LogBuffer.DEFAULT_LINES);
            FxTaskExecutor tasks = new FxTaskExecutor(log);
            ActivityView activity = new ActivityView(log, tasks);
            activity.notifyAfter(Duration.ofSeconds(2));
            activity.root().setPrefHeight(480);
            replace(stage.getScene().getRoot(), activity.root());
            log.start();
            script(log, tasks, activity);
            if (shootTo != null) {
                Thread t = new Thread(() -> shoot(Path.of(shootTo)), "shoot");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    /** Puts the demo's panel where the console's own Activity panel is. */
    private static void replace(Parent root, Parent panel) {
        Node old = root.lookup(".activity");
        if (old == null || old.getParent() == null) {
            throw new IllegalStateException("no Activity panel in the main window");
        }
        Parent p = old.getParent();
        if (p instanceof BorderPane b) {
            if (b.getBottom() == old) {
                b.setBottom(panel);
            } else if (b.getCenter() == old) {
                b.setCenter(panel);
            }
        } else if (p instanceof Pane pane) {
            pane.getChildren().set(pane.getChildren().indexOf(old), panel);
        } else if (p.getParent() != null && p.getParent().getParent() instanceof SplitPane split) {
            split.getItems().set(split.getItems().indexOf(old), panel);
        }
    }

    private static final CountDownLatch END = new CountDownLatch(1);

    private static void script(LogBuffer log, FxTaskExecutor tasks, ActivityView activity) {
        tasks.submit(BackgroundTask.of("Read clusters on payments-db", p -> {
            p.log("pg_lsclusters --json");
            p.log("13/main on port 5432, online, data in /srv/pg/13/main (btrfs)");
            Thread.sleep(600);
            return 1;
        }).cancel(TaskCancel.interrupts()));
        tasks.submit(BackgroundTask.of("Snapshot 13/main (before-upgrade)", p -> {
            p.log("CHECKPOINT");
            p.log("btrfs subvolume snapshot -r /srv/pg/13/main /srv/pg/.twinshift/snapshots/13-main/20261205T110412Z-before-upgrade");
            p.log("pinned: pre-upgrade");
            Thread.sleep(2300);
            return 1;
        }));
        tasks.submit(BackgroundTask.of("Clone audit of 13/main", p -> {
            p.log("btrfs subvolume snapshot /srv/pg/.twinshift/snapshots/13-main/20261204T230000Z /srv/pg/.twinshift/clones/audit");
            Thread.sleep(2600);
            p.logError("df: /srv/pg: 412 MiB free, floor 512 MiB");
            throw new IllegalStateException("no space left on /srv/pg: 412 MiB free, under the floor of 512 MiB");
        }).cancel(TaskCancel.interrupts()));
        CancelRequest cancel = new CancelRequest();
        tasks.submit(BackgroundTask.of("Rehearse 13/main → 15 on a twin", p -> {
            Thread.sleep(3200);
            p.message("pg_upgrade: copying user relation files");
            String[] out = {
                "Performing Consistency Checks",
                "-----------------------------",
                "Checking cluster versions                                   ok",
                "Checking database user is the install user                  ok",
                "Checking database connection settings                       ok",
                "Checking for prepared transactions                          ok",
                "Checking for system-defined composite types in user tables  ok",
                "Checking for reg* data types in user tables                 ok",
                "Checking for contrib/isn with bigint-passing mismatch       ok",
                "Creating dump of global objects                             ok",
                "Creating dump of database schemas                           ok",
                "WARNING:  database \"reports\" has 3 unlogged tables: their contents are not carried over",
                "Checking for presence of required libraries                 ok",
                "Checking database user is the install user                  ok",
                "Checking for prepared transactions                          ok",
                "Checking for new cluster tablespace directories             ok",
                "Analyzing all rows in the new cluster                       ok",
                "Freezing all rows in the new cluster                        ok",
                "Deleting files from new pg_xact                             ok",
                "Copying old pg_xact to new server                           ok",
                "Setting oldest XID for new cluster                          ok",
                "Restoring global objects in the new cluster                 ok",
                };
            for (String l : out) {
                p.log(l);
            }
            for (int i = 0; i < 160; i++) {
                p.log(String.format("copying \"base/16401/%d\" to the twin", 24576 + i * 7));
                p.progress(0.35 + i / 600.0);
                Thread.sleep(6);
            }
            p.log("copying \"base/16401/24739_toast\" (pg_toast_24739) to the twin");
            p.log("copying \"base/16401/24741\" to the twin");
            p.log("WARNING:  database \"reports\": 3 unlogged tables, their contents are not carried over");
            p.log("copying \"base/16401/24748\" to the twin");
            p.log("copying \"base/16401/24750_toast\" (pg_toast_24750) to the twin");
            p.log("Restoring database schemas in the new cluster");
            p.logError("pg_restore: while PROCESSING TOC: could not execute query: extension \"pg_stat_kcache\" is not available");
            p.logError("pg_restore: from TOC entry 2; 3079 16402 EXTENSION pg_stat_kcache");
            p.log("ERROR:  extension \"pg_stat_kcache\" is not available: the twin goes on without it, the report will say so");
            p.log("Setting next OID for new cluster                            ok");
            p.log("Sync data directory to disk                                 ok");
            p.log("Creating script to delete old cluster                       ok");
            p.log("Checking for extension updates                              notice");
            p.message("pg_upgrade: comparing the twins table by table");
            p.progress(0.74);
            END.await();
            return 1;
        }).cancel(TaskCancel.byRequest(cancel, "ops (demo)")));
        Platform.runLater(() -> {
            // The search the reader typed: toast files are highlighted where they pass.
            activity.model().searchProperty().set("toast");
        });
    }

    private static void shoot(Path file) {
        try {
            Thread.sleep(6500);
            for (int i = 0; i < 10; i++) {
                CountDownLatch pulse = new CountDownLatch(1);
                Platform.runLater(pulse::countDown);
                pulse.await(5, TimeUnit.SECONDS);
                Thread.sleep(100);
            }
            Process p = new ProcessBuilder("import", "-window", "root", "-crop", "1280x800+0+0", file.toString()).inheritIO().start();
            System.out.println(p.waitFor() == 0 ? "captured " + file : "import failed");
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            END.countDown();
            Platform.exit();
            System.exit(0);
        }
    }
}
