package dev.twinshift.storage;

/**
 * Named points in journaled operations where a lab test can make this process die as a {@code kill -9}
 * would: no finally block, no shutdown hook, sockets closed by the kernel. Set the system property
 * {@code twinshift.failpoint} (or the environment variable {@code TWINSHIFT_FAILPOINT}) to a point's
 * name, e.g. {@code rollback:set-aside:after}. Unset, a point costs one string comparison.
 *
 * <p>Names are {@code OPERATION:STEP:before} (the step's STARTED line is on the server, nothing of the
 * step is done) and {@code OPERATION:STEP:after} (the step is done, its DONE line is not written).
 */
public final class FailPoint {
    private static final String ARMED = armed();

    private FailPoint() {}

    private static String armed() {
        String p = System.getProperty("twinshift.failpoint");
        return p != null && !p.isBlank() ? p : System.getenv("TWINSHIFT_FAILPOINT");
    }

    public static void reached(String operation, String step, String when) {
        if (ARMED != null && ARMED.equals(operation + ":" + step + ":" + when)) {
            System.err.println("twinshift: fail point " + ARMED + " reached: halting");
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
