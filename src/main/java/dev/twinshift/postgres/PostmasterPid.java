package dev.twinshift.postgres;

/**
 * The contents of {@code postmaster.pid}: pid, data directory, start time, port, first socket
 * directory, listen address, shared memory key, status.
 */
public record PostmasterPid(long pid, String dataDirectory, long startEpoch, int port, String socketDirectory,
                            String listenAddresses, String status) {

    public static PostmasterPid parse(String text) {
        String[] l = text.split("\n", -1);
        if (l.length < 4) {
            throw new IllegalArgumentException("postmaster.pid is too short (" + l.length + " lines)");
        }
        try {
            return new PostmasterPid(Long.parseLong(l[0].strip()), l[1].strip(),
                    l.length > 2 && !l[2].isBlank() ? Long.parseLong(l[2].strip()) : 0,
                    Integer.parseInt(l[3].strip()),
                    l.length > 4 ? blankToNull(l[4].strip()) : null,
                    l.length > 5 ? blankToNull(l[5].strip()) : null,
                    l.length > 7 ? blankToNull(l[7].strip()) : null);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("postmaster.pid is malformed: " + e.getMessage(), e);
        }
    }

    private static String blankToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
