package dev.twinshift.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Class names are written once: a view names a CSS class (or pseudo-class) through a constant of
 * Styles, of its own styles class, or of AtlantaFX's Styles, never with a literal; and every such
 * constant is a name some stylesheet still styles, so renaming one side without the other fails here
 * rather than silently unstyling a node.
 */
class StyleNamesTest {
    private static final Path UI_SOURCES = Path.of("src/main/java/dev/twinshift/ui");
    private static final Path UI_STYLESHEETS = Path.of("src/main/resources/dev/twinshift/ui");

    /**
     * Constants no stylesheet styles, each with its reason. A name that gains a rule, or disappears,
     * must leave this list too.
     */
    private static final Map<String, String> UNSTYLED = Map.ofEntries(
            Map.entry("Styles.SERVER_CELL", "MainShellTest finds the server rows by it; .server-tree .tree-cell gives their look"),
            Map.entry("Styles.CLUSTER_CELL", "marks a cluster's row as SERVER_CELL marks a server's; no rule of its own yet"),
            Map.entry("Styles.STATUS_BAR_SERVER", "MainShellTest reads the status bar's servers by it; CONNECTION_STATE, on the same label, gives its look"),
            Map.entry("Styles.SHORTCUTS", "marks the keyboard shortcuts dialog; no rule of its own yet"),
            Map.entry("Styles.CANCEL", "marks the host key prompt's Refuse button; no rule styles it, nor does AtlantaFX"),
            Map.entry("LogStyles.PANE", "marks the log console's pane; no rule of its own yet"),
            Map.entry("LogStyles.TASK_RUNNING", "a running task looks as .task-state does by default; only the ended states need rules"),
            Map.entry("LogStyles.TASK_CANCEL", "TaskCenterTest and LogConsoleTest find a task's Cancel button by it"),
            Map.entry("LogStyles.TOAST", "LogConsoleTest finds the notes by it; AtlantaFX's Notification gives their look"),
            Map.entry("WizardStyles.FINDING_EXPLANATION", "marks a finding's explanation; it reads as plain text, no rule of its own"),
            Map.entry("WizardStyles.REFUSAL", "marks a refusal's sentence; it reads as plain text, no rule of its own"),
            Map.entry("WizardStyles.REPORT_LIST", "marks a report's list; its marker and text have the rules"),
            Map.entry("WizardStyles.REPORT_TEXT", "marks a report's text flow; its runs have the rules"));

    /** A call that sets, adds, removes or asks for a class name, up to its opening parenthesis. */
    private static final Pattern CLASS_CALL = Pattern.compile(
            "getStyleClass\\(\\s*\\)\\s*\\.\\s*\\w+\\s*\\(|\\bgetPseudoClass\\s*\\(|\\b(?:add|toggle)StyleClass\\s*\\(");
    /** A class or pseudo-class in a selector. */
    private static final Pattern SELECTOR_NAME = Pattern.compile("[.:](-?[A-Za-z_][\\w-]*)");

    @Test
    void viewsNameTheirClassesThroughConstants() throws IOException {
        List<String> literals = new ArrayList<>();
        for (Path file : javaSources()) {
            String source = Files.readString(file);
            String[] lines = source.split("\n", -1);
            for (int line : literalClassNames(source)) {
                literals.add(file + ":" + line + ": " + lines[line - 1].strip());
            }
        }
        assertEquals(List.of(), literals, "a class name given as a literal; name it in Styles, the view's own styles class,"
                + " or take AtlantaFX's from atlantafx.base.theme.Styles");
    }

    /** The scan itself: it must see a literal however the call is laid out, and nothing in comments or strings. */
    @Test
    void theScanFindsLiteralsAndOnlyThem() {
        assertEquals(List.of(1), literalClassNames("n.getStyleClass().add(\"danger\");"));
        assertEquals(List.of(2), literalClassNames("int a;\nn.getStyleClass().addAll(A, \"report-h\" + level);"));
        assertEquals(List.of(1), literalClassNames("n.getStyleClass().add(\n    on ? A : \"b\");"));
        assertEquals(List.of(1), literalClassNames("n.getStyleClass()\n  .removeAll(\"a\", \"b\");"));
        assertEquals(List.of(1), literalClassNames("n.getStyleClass().contains(\"\"\"\n  a\"\"\");"));
        assertEquals(List.of(1), literalClassNames("PseudoClass IDLE = PseudoClass.getPseudoClass(\"idle\");"));
        assertEquals(List.of(1), literalClassNames("Styles.toggleStyleClass(n, \"flat\");"));

        assertEquals(List.of(), literalClassNames("// n.getStyleClass().add(\"danger\");"));
        assertEquals(List.of(), literalClassNames("/* n.getStyleClass().add(\"danger\"); */ f();"));
        assertEquals(List.of(), literalClassNames("String s = \"n.getStyleClass().add(\\\"danger\\\")\";"));
        assertEquals(List.of(), literalClassNames("n.getStyleClass().add(A); f(\"not a class\");"));
        assertEquals(List.of(), literalClassNames("n.getStyleClass().add(switch (k) { case X -> A; default -> f(')'); });"));
        assertEquals(List.of(), literalClassNames("n.getStyleClass().add(LogStyles.LINE);"));
    }

    @Test
    void everyClassNameConstantIsStyledSomewhere() throws Exception {
        Set<String> ours = selectorNames(cssFiles());
        Set<String> atlantaFx = atlantaFxNames();
        List<String> stale = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        List<Class<?>> classes = stylesClasses();
        for (Class<?> c : classes) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (!Modifier.isPublic(m) || !Modifier.isStatic(m) || !Modifier.isFinal(m) || f.getType() != String.class) {
                    continue;
                }
                String value = (String) f.get(null);
                if (value.endsWith(".css")) {
                    continue; // a stylesheet's path, not a class name
                }
                String key = c.getSimpleName() + "." + f.getName();
                seen.add(key);
                boolean styled = ours.contains(value) || atlantaFx.contains(value);
                if (UNSTYLED.containsKey(key)) {
                    if (styled) {
                        stale.add(key + " = \"" + value + "\" is styled now: drop it from UNSTYLED");
                    }
                } else if (!styled) {
                    stale.add(key + " = \"" + value + "\" is in no stylesheet under " + UI_STYLESHEETS
                            + " (as ." + value + " or :" + value + ") nor in AtlantaFX's");
                }
            }
        }
        for (String key : UNSTYLED.keySet()) {
            if (!seen.contains(key)) {
                stale.add(key + " is listed in UNSTYLED but no styles class has it");
            }
        }
        assertEquals(List.of(), stale);
        assertTrue(seen.contains("Styles.STATUS_OK") && seen.contains("LogStyles.LINE") && seen.contains("WizardStyles.WIZARD_STEP"),
                "the styles classes were found: " + classes);
    }

    /** Line numbers (from 1) of the class-name calls in {@code source} given a string literal. */
    static List<Integer> literalClassNames(String source) {
        String code = codeOnly(source);
        List<Integer> lines = new ArrayList<>();
        Matcher m = CLASS_CALL.matcher(code);
        while (m.find()) {
            int open = m.end() - 1;
            int close = closing(code, open);
            if (code.substring(open, close).indexOf('"') >= 0) {
                lines.add(lineOf(code, m.start()));
            }
        }
        return lines;
    }

    /**
     * The source with its comments blanked and its string and character literals emptied, quotes kept
     * and newlines too: what is left of a literal is its quotes, and line numbers do not move.
     */
    static String codeOnly(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            int end;
            if (s.startsWith("//", i)) {
                end = s.indexOf('\n', i);
                end = end < 0 ? n : end;
                blank(out, s, i, end);
            } else if (s.startsWith("/*", i)) {
                end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blank(out, s, i, end);
            } else if (s.startsWith("\"\"\"", i)) {
                int k = i + 3;
                while (k < n && !s.startsWith("\"\"\"", k)) {
                    k += s.charAt(k) == '\\' ? 2 : 1;
                }
                k = Math.min(k, n);
                end = Math.min(n, k + 3);
                out.append("\"\"\"");
                blank(out, s, i + 3, k);
                out.append("\"\"\"", 0, end - k);
            } else if (c == '"' || c == '\'') {
                int k = i + 1;
                while (k < n && s.charAt(k) != c && s.charAt(k) != '\n') {
                    k += s.charAt(k) == '\\' ? 2 : 1;
                }
                k = Math.min(k, n);
                end = Math.min(n, k + 1);
                out.append(c);
                blank(out, s, i + 1, k);
                if (end > k) {
                    out.append(c);
                }
            } else {
                out.append(c);
                end = i + 1;
            }
            i = end;
        }
        return out.toString();
    }

    private static void blank(StringBuilder out, String s, int from, int to) {
        for (int k = from; k < to; k++) {
            out.append(s.charAt(k) == '\n' ? '\n' : ' ');
        }
    }

    /** The index of the parenthesis closing the one at {@code open}, or the end of the text. */
    private static int closing(String code, int open) {
        int depth = 0;
        for (int k = open; k < code.length(); k++) {
            char c = code.charAt(k);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return k;
            }
        }
        return code.length();
    }

    private static int lineOf(String text, int index) {
        int line = 1;
        for (int k = 0; k < index; k++) {
            if (text.charAt(k) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static List<Path> javaSources() throws IOException {
        try (Stream<Path> files = Files.walk(UI_SOURCES)) {
            List<Path> l = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            assertFalse(l.isEmpty(), "no sources under " + UI_SOURCES.toAbsolutePath());
            return l;
        }
    }

    /** Styles and every view's own styles class: the sources under ui named *Styles.java. */
    private static List<Class<?>> stylesClasses() throws Exception {
        List<Class<?>> classes = new ArrayList<>();
        for (Path p : javaSources()) {
            if (p.getFileName().toString().endsWith("Styles.java")) {
                String relative = UI_SOURCES.relativize(p).toString().replace('\\', '/').replace('/', '.');
                classes.add(Class.forName("dev.twinshift.ui." + relative.substring(0, relative.length() - ".java".length())));
            }
        }
        return classes;
    }

    private static List<String> cssFiles() throws IOException {
        try (Stream<Path> files = Files.walk(UI_STYLESHEETS)) {
            List<String> css = new ArrayList<>();
            for (Path p : files.filter(f -> f.toString().endsWith(".css")).sorted().toList()) {
                css.add(Files.readString(p));
            }
            assertFalse(css.isEmpty(), "no stylesheets under " + UI_STYLESHEETS.toAbsolutePath());
            return css;
        }
    }

    /** The class and pseudo-class names the selectors of these stylesheets use. */
    static Set<String> selectorNames(List<String> stylesheets) {
        Set<String> names = new TreeSet<>();
        for (String css : stylesheets) {
            String selectors = css.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("\\{[^}]*}", " ");
            Matcher m = SELECTOR_NAME.matcher(selectors);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** AtlantaFX's own names (its Styles constants) that its Primer stylesheet styles. */
    private static Set<String> atlantaFxNames() throws IllegalAccessException {
        String path = new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet();
        String css;
        try (InputStream in = atlantafx.base.theme.Styles.class.getResourceAsStream(path)) {
            assertTrue(in != null, "AtlantaFX's stylesheet " + path);
            css = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> styled = selectorNames(List.of(css));
        Set<String> names = new TreeSet<>();
        for (Field f : atlantafx.base.theme.Styles.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && styled.contains((String) f.get(null))) {
                names.add((String) f.get(null));
            }
        }
        assertTrue(names.contains(atlantafx.base.theme.Styles.DANGER), "AtlantaFX's names were read: " + names);
        return names;
    }
}
