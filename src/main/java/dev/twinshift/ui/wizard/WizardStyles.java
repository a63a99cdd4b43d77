package dev.twinshift.ui.wizard;

/** CSS class names of the upgrade wizard and its rehearsal report, styled by wizard.css. */
public final class WizardStyles {
    private WizardStyles() {}

    /** A page's entry in the step list on the left. */
    public static final String WIZARD_STEP = "wizard-step";
    /** The step list's entry of the page shown. */
    public static final String WIZARD_STEP_CURRENT = "wizard-step-current";
    /** The step list's entries of the pages already passed. */
    public static final String WIZARD_STEP_DONE = "wizard-step-done";

    /** A preflight finding's check, in bold. */
    public static final String FINDING_CHECK = "finding-check";
    /** A preflight finding's explanation, when it says more than the check. */
    public static final String FINDING_EXPLANATION = "finding-explanation";
    /** A preflight finding's fix. */
    public static final String FINDING_FIX = "finding-fix";
    /** A sentence of the list of reasons the wizard cannot go on. */
    public static final String REFUSAL = "refusal";
    /** The icon of a finding that blocks the upgrade. */
    public static final String SEVERITY_FATAL = "severity-fatal";
    /** The icon of a finding to read before going on. */
    public static final String SEVERITY_WARNING = "severity-warning";
    /** The icon of a check that passed. */
    public static final String SEVERITY_OK = "severity-ok";

    /** The icon of a rehearsal or cutover step not started. */
    public static final String STEP_PENDING = "step-pending";
    /** The icon of the step under way. */
    public static final String STEP_RUNNING = "step-running";
    /** The icon of a step done. */
    public static final String STEP_DONE = "step-done";
    /** The icon of the step that failed. */
    public static final String STEP_FAILED = "step-failed";

    /** Fixed-width text: a command or a report's code block. */
    public static final String MONO = "mono";

    /** The rehearsal report's document, all its blocks. */
    public static final String REPORT_DOC = "report-doc";
    /** A paragraph, heading or table cell of the report: a flow of styled runs. */
    public static final String REPORT_TEXT = "report-text";
    /** A run of the report's text, styled by the blocks and emphasis around it. */
    public static final String REPORT_RUN = "report-run";
    /** A heading of the report, of any level. */
    public static final String REPORT_HEADING = "report-heading";
    /** A level 1 heading: the report's title. */
    public static final String REPORT_H1 = "report-h1";
    /** A level 2 heading: a section. */
    public static final String REPORT_H2 = "report-h2";
    /** A heading of level 3 or deeper. */
    public static final String REPORT_H3 = "report-h3";
    /** A bulleted or numbered list. */
    public static final String REPORT_LIST = "report-list";
    /** A list item's bullet or number. */
    public static final String REPORT_MARKER = "report-marker";
    /** A fenced or indented code block. */
    public static final String REPORT_CODE = "report-code";
    /** A code span within a line of text. */
    public static final String REPORT_CODE_SPAN = "report-code-span";
    /** Strong emphasis. */
    public static final String REPORT_STRONG = "report-strong";
    /** Emphasis. */
    public static final String REPORT_EM = "report-em";
    /** A table of the report. */
    public static final String REPORT_TABLE = "report-table";
    /** A table's heading cell. */
    public static final String REPORT_TH = "report-th";
    /** A table's body cell. */
    public static final String REPORT_TD = "report-td";
    /** A body cell of an even row, shaded to guide the eye along the row. */
    public static final String REPORT_TD_EVEN = "report-td-even";

    /** The heading class of a Markdown heading level: 1, 2, and 3 for the deeper ones. */
    static String reportHeading(int level) {
        return switch (Math.min(3, level)) {
            case 1 -> REPORT_H1;
            case 2 -> REPORT_H2;
            default -> REPORT_H3;
        };
    }
}
