package dev.twinshift.upgrade;

import java.util.List;

/**
 * The cutover was refused before the old cluster stopped: the live cluster kept serving and was not
 * changed. The message names every reason (the readiness rule, or the blockers found on live) and
 * what to do.
 */
public class CutoverRefusedException extends UpgradeException {
    private final List<PgUpgradeCheckReport.Finding> blockers;

    public CutoverRefusedException(String message) {
        this(message, List.of());
    }

    public CutoverRefusedException(String message, List<PgUpgradeCheckReport.Finding> blockers) {
        super(message);
        this.blockers = List.copyOf(blockers);
    }

    /** What was found on live that pg_upgrade would stop at; empty for a refusal by the readiness rule. */
    public List<PgUpgradeCheckReport.Finding> blockers() {
        return blockers;
    }
}
