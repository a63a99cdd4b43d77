package dev.twinshift.ui.connections;

import dev.twinshift.inventory.ServerEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * The hosts an import of ~/.ssh/config would add, each with a check box, before anything is added:
 * the config often names hosts that are no database servers. Hosts already listed are shown, marked,
 * and left as they are.
 */
public final class ImportPreviewDialog {
    /** Beside a host that is already in the list. */
    public static final String KNOWN = "already listed";

    private final Dialog<List<ServerEntry>> dialog = new Dialog<>();
    private final List<CheckBox> boxes = new ArrayList<>();

    public ImportPreviewDialog(Window owner, Path config, List<ServerListViewModel.ImportCandidate> candidates) {
        dialog.initOwner(owner);
        dialog.setTitle("Import from " + config);
        dialog.setHeaderText("Choose the hosts to add. Nothing is added until you confirm; nothing is connected.");
        VBox list = new VBox(6);
        list.setId("import-hosts");
        for (ServerListViewModel.ImportCandidate c : candidates) {
            ServerEntry e = c.entry();
            String address = e.display() + (e.jump() == null ? "" : "  via " + e.jump());
            CheckBox box = new CheckBox(e.name() + "  —  " + address + (c.known() ? "  (" + KNOWN + ")" : ""));
            box.setUserData(e);
            box.setSelected(!c.known());
            box.setDisable(c.known());
            box.setMinHeight(Region.USE_PREF_SIZE);
            box.setTooltip(new Tooltip(box.getText()));
            boxes.add(box);
            list.getChildren().add(box);
        }
        ScrollPane scroll = new ScrollPane(list);
        scroll.setFitToWidth(true);
        scroll.setPrefViewportHeight(Math.min(320, 28.0 * candidates.size() + 8));
        scroll.setPrefViewportWidth(560);
        Label count = new Label();
        count.setId("import-count");
        VBox content = new VBox(10, scroll, count);
        dialog.getDialogPane().setContent(content);
        dialog.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        dialog.setResizable(true);
        Button ok = (Button) dialog.getDialogPane().lookupButton(ButtonType.OK);
        ok.setId("import-ok");
        Runnable update = () -> {
            long n = boxes.stream().filter(b -> b.isSelected() && !b.isDisabled()).count();
            ok.setText(n == 1 ? "Add 1 server" : "Add " + n + " servers");
            ok.setDisable(n == 0);
            long known = candidates.stream().filter(ServerListViewModel.ImportCandidate::known).count();
            count.setText(candidates.size() + " hosts found" + (known == 0 ? "" : ", " + known + " " + KNOWN));
        };
        boxes.forEach(b -> b.selectedProperty().addListener((o, a, v) -> update.run()));
        update.run();
        dialog.setResultConverter(b -> b == ButtonType.OK ? chosen() : null);
    }

    private List<ServerEntry> chosen() {
        return boxes.stream().filter(b -> b.isSelected() && !b.isDisabled()).map(b -> (ServerEntry) b.getUserData()).toList();
    }

    public Optional<List<ServerEntry>> showAndWait() {
        return dialog.showAndWait();
    }
}
