package dev.twinshift.ui.clones;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The connection URL a desktop client is given for a clone reached through a local tunnel. */
public final class CloneLinks {
    private CloneLinks() {}

    /**
     * {@code postgresql://USER@localhost:PORT/DB}: what psql, pgAdmin and DBeaver all take pasted
     * whole. The user and database are percent-encoded, so an odd role name cannot change the URL's
     * meaning.
     */
    public static String tunnelUrl(String user, int localPort, String db) {
        if (localPort < 1 || localPort > 65535) {
            throw new IllegalArgumentException("not a port: " + localPort);
        }
        return "postgresql://" + encode(user) + "@localhost:" + localPort + "/" + encode(db);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
