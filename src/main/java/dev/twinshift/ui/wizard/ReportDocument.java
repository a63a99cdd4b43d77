package dev.twinshift.ui.wizard;

import java.util.List;
import javafx.geometry.HPos;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TableBlock;
import org.commonmark.ext.gfm.tables.TableCell;
import org.commonmark.ext.gfm.tables.TableHead;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.BulletList;
import org.commonmark.node.Code;
import org.commonmark.node.Emphasis;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.ListItem;
import org.commonmark.node.OrderedList;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.StrongEmphasis;
import org.commonmark.node.ThematicBreak;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * The rehearsal report, read from its Markdown by commonmark-java (GFM tables included) and laid out
 * as JavaFX nodes for the report page, or as a standalone HTML file to pass on. Nodes rather than a
 * WebView: the page stays themed like the rest of the console, needs no browser engine, and can be
 * looked at by the headless UI tests.
 */
public final class ReportDocument {
    private static final List<Extension> EXTENSIONS = List.of(TablesExtension.create());
    private static final Parser PARSER = Parser.builder().extensions(EXTENSIONS).build();
    private static final HtmlRenderer HTML = HtmlRenderer.builder().extensions(EXTENSIONS).escapeHtml(true).build();

    private ReportDocument() {}

    /** The report as a document of nodes, headings, lists, tables and code styled by wizard.css. */
    public static VBox nodes(String markdown) {
        VBox doc = new VBox(8);
        doc.getStyleClass().add(WizardStyles.REPORT_DOC);
        if (markdown == null || markdown.isBlank()) {
            return doc;
        }
        for (org.commonmark.node.Node n = PARSER.parse(markdown).getFirstChild(); n != null; n = n.getNext()) {
            doc.getChildren().add(block(n));
        }
        return doc;
    }

    /** A standalone HTML page: its own styles, no external resource, readable offline and printable. */
    public static String html(String title, String markdown) {
        String body = HTML.render(PARSER.parse(markdown == null ? "" : markdown));
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title) + "</title>\n"
                + "<style>\n" + STYLE + "</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";
    }

    private static final String STYLE = """
            body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 62rem; margin: 2rem auto;
                   padding: 0 1rem; color: #1f2328; line-height: 1.5; }
            h1 { font-size: 1.6rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
            h2 { font-size: 1.25rem; margin-top: 1.8rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
            h3 { font-size: 1.05rem; }
            table { border-collapse: collapse; margin: .5rem 0 1rem; }
            th, td { border: 1px solid #d0d7de; padding: .3rem .7rem; vertical-align: top; }
            th { background: #f6f8fa; }
            code, pre { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
            td code { white-space: pre; }
            pre { background: #f6f8fa; padding: .7rem; overflow-x: auto; }
            """;

    private static String escape(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static Node block(org.commonmark.node.Node n) {
        if (n instanceof Heading h) {
            TextFlow t = inline(h);
            t.getStyleClass().addAll(WizardStyles.REPORT_HEADING, WizardStyles.reportHeading(h.getLevel()));
            return t;
        }
        if (n instanceof Paragraph p) {
            return inline(p);
        }
        if (n instanceof BulletList || n instanceof OrderedList) {
            VBox list = new VBox(3);
            list.getStyleClass().add(WizardStyles.REPORT_LIST);
            int i = n instanceof OrderedList o && o.getMarkerStartNumber() != null ? o.getMarkerStartNumber() : 1;
            for (org.commonmark.node.Node item = n.getFirstChild(); item != null; item = item.getNext()) {
                if (item instanceof ListItem li) {
                    Label marker = new Label(n instanceof OrderedList ? (i++) + "." : "•");
                    marker.getStyleClass().add(WizardStyles.REPORT_MARKER);
                    marker.setMinWidth(18);
                    VBox content = new VBox(3);
                    for (org.commonmark.node.Node c = li.getFirstChild(); c != null; c = c.getNext()) {
                        content.getChildren().add(block(c));
                    }
                    HBox.setHgrow(content, Priority.ALWAYS);
                    list.getChildren().add(new HBox(4, marker, content));
                }
            }
            return list;
        }
        if (n instanceof FencedCodeBlock c) {
            return code(c.getLiteral());
        }
        if (n instanceof IndentedCodeBlock c) {
            return code(c.getLiteral());
        }
        if (n instanceof TableBlock t) {
            return table(t);
        }
        if (n instanceof ThematicBreak) {
            return new Separator();
        }
        if (n instanceof HtmlBlock h) {
            return code(h.getLiteral());
        }
        return inline(n);
    }

    private static Node code(String literal) {
        Label l = new Label(literal.stripTrailing());
        l.getStyleClass().addAll(WizardStyles.REPORT_CODE, WizardStyles.MONO);
        l.setMaxWidth(Double.MAX_VALUE);
        l.setMinHeight(Label.USE_PREF_SIZE);
        return l;
    }

    private static GridPane table(TableBlock t) {
        GridPane grid = new GridPane();
        grid.getStyleClass().add(WizardStyles.REPORT_TABLE);
        int row = 0;
        for (org.commonmark.node.Node section = t.getFirstChild(); section != null; section = section.getNext()) {
            boolean head = section instanceof TableHead;
            for (org.commonmark.node.Node r = section.getFirstChild(); r != null; r = r.getNext()) {
                int col = 0;
                for (org.commonmark.node.Node c = r.getFirstChild(); c != null; c = c.getNext()) {
                    TextFlow cell = inline(c);
                    cell.getStyleClass().add(head ? WizardStyles.REPORT_TH : WizardStyles.REPORT_TD);
                    if (row % 2 == 0 && !head) {
                        cell.getStyleClass().add(WizardStyles.REPORT_TD_EVEN);
                    }
                    cell.setMaxWidth(Double.MAX_VALUE);
                    cell.setMaxHeight(Double.MAX_VALUE);
                    if (c instanceof TableCell tc && tc.getAlignment() == TableCell.Alignment.RIGHT) {
                        cell.setTextAlignment(javafx.scene.text.TextAlignment.RIGHT);
                        GridPane.setHalignment(cell, HPos.RIGHT);
                    }
                    grid.add(cell, col++, row);
                }
                row++;
            }
        }
        for (int i = 0; i < grid.getColumnCount(); i++) {
            ColumnConstraints cc = new ColumnConstraints();
            cc.setHgrow(Priority.SOMETIMES);
            cc.setFillWidth(true);
            grid.getColumnConstraints().add(cc);
        }
        grid.setAlignment(Pos.TOP_LEFT);
        return grid;
    }

    /** The text of a block, its emphasis, strong emphasis and code spans each as its own styled run. */
    private static TextFlow inline(org.commonmark.node.Node parent) {
        TextFlow flow = new TextFlow();
        flow.getStyleClass().add(WizardStyles.REPORT_TEXT);
        appendInline(flow, parent, List.of());
        return flow;
    }

    private static void appendInline(TextFlow flow, org.commonmark.node.Node parent, List<String> styles) {
        for (org.commonmark.node.Node n = parent.getFirstChild(); n != null; n = n.getNext()) {
            if (n instanceof org.commonmark.node.Text t) {
                flow.getChildren().add(run(t.getLiteral(), styles));
            } else if (n instanceof Code c) {
                flow.getChildren().add(run(c.getLiteral(), with(styles, WizardStyles.REPORT_CODE_SPAN)));
            } else if (n instanceof StrongEmphasis) {
                appendInline(flow, n, with(styles, WizardStyles.REPORT_STRONG));
            } else if (n instanceof Emphasis) {
                appendInline(flow, n, with(styles, WizardStyles.REPORT_EM));
            } else if (n instanceof SoftLineBreak) {
                flow.getChildren().add(run(" ", styles));
            } else if (n instanceof HardLineBreak) {
                flow.getChildren().add(run("\n", styles));
            } else {
                appendInline(flow, n, styles);
            }
        }
    }

    private static List<String> with(List<String> styles, String s) {
        java.util.ArrayList<String> l = new java.util.ArrayList<>(styles);
        l.add(s);
        return l;
    }

    private static Text run(String s, List<String> styles) {
        Text t = new Text(s);
        t.getStyleClass().add(WizardStyles.REPORT_RUN);
        t.getStyleClass().addAll(styles);
        return t;
    }
}
