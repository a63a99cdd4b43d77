package dev.twinshift.postgres;

/**
 * Where a cluster's WAL stood: the LSN ("0/3000148") and the timeline. Read from the running server,
 * or from pg_controldata's latest checkpoint when it is stopped.
 */
public record WalPosition(String lsn, int timeline) {

    /** Parses {@code LC_ALL=C pg_controldata} output. */
    public static WalPosition fromControlData(String out) {
        String lsn = null;
        int tli = 0;
        for (String line : out.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (key.equals("Latest checkpoint location")) {
                lsn = value;
            } else if (key.equals("Latest checkpoint's TimeLineID")) {
                tli = Integer.parseInt(value);
            }
        }
        if (lsn == null) {
            throw new IllegalArgumentException("pg_controldata printed no latest checkpoint location");
        }
        return new WalPosition(lsn, tli);
    }
}
