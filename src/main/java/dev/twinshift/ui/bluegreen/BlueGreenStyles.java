package dev.twinshift.ui.bluegreen;

/** CSS class names of the blue/green view, styled by bluegreen.css. */
public final class BlueGreenStyles {
    private BlueGreenStyles() {}

    /** A preflight finding's sentence, wrapped to its column. */
    public static final String FINDING_TEXT = "finding-text";
}
