package dev.twinshift.inventory;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the console looked when it was last closed: theme, window bounds, split pane dividers.
 * Nothing here changes what the console does to a server; losing it only costs a re-arrangement.
 *
 * @param version  the file format; a file of a newer format is kept aside, not overwritten
 * @param theme    "light" or "dark"
 * @param window   the window's bounds, or null before the first close (the screen decides)
 * @param dividers each split pane's divider positions (0..1), by the pane's name
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Preferences(int version, String theme, WindowBounds window, Map<String, double[]> dividers) {
    public static final int CURRENT_VERSION = 1;
    public static final String LIGHT = "light";
    public static final String DARK = "dark";

    public Preferences {
        theme = DARK.equals(theme) ? DARK : LIGHT;
        dividers = dividers == null ? Map.of() : Map.copyOf(dividers);
    }

    public static Preferences defaults() {
        return new Preferences(CURRENT_VERSION, LIGHT, null, Map.of());
    }

    public Preferences withTheme(String t) {
        return new Preferences(version, t, window, dividers);
    }

    public Preferences withWindow(WindowBounds w) {
        return new Preferences(version, theme, w, dividers);
    }

    public Preferences withDividers(String pane, double[] positions) {
        Map<String, double[]> m = new LinkedHashMap<>(dividers);
        m.put(pane, positions.clone());
        return new Preferences(version, theme, window, m);
    }

    /** A window's place and size in screen coordinates; maximized keeps the size it had before. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record WindowBounds(double x, double y, double width, double height, boolean maximized) { }
}
