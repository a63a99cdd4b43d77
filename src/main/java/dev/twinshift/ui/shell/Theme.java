package dev.twinshift.ui.shell;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import dev.twinshift.inventory.Preferences;

/** The console's two looks: AtlantaFX's Primer, light or dark, applied as the user-agent stylesheet. */
public enum Theme {
    LIGHT(Preferences.LIGHT, new PrimerLight().getUserAgentStylesheet()),
    DARK(Preferences.DARK, new PrimerDark().getUserAgentStylesheet());

    private final String key;
    private final String stylesheet;

    Theme(String key, String stylesheet) {
        this.key = key;
        this.stylesheet = stylesheet;
    }

    /** As saved in the preferences. */
    public String key() {
        return key;
    }

    public String userAgentStylesheet() {
        return stylesheet;
    }

    public static Theme of(String key) {
        return Preferences.DARK.equals(key) ? DARK : LIGHT;
    }
}
