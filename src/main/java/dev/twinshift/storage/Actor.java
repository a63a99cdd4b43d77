package dev.twinshift.storage;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Who acts: the account on the server and the person's workstation, recorded in sidecars and locks.
 *
 * @param sshUser         the account used on the server
 * @param workstationUser the local user name on the workstation
 * @param workstationHost the workstation's host name
 */
public record Actor(String sshUser, String workstationUser, String workstationHost) {

    public static Actor local(String sshUser) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "unknown-host");
        }
        return new Actor(sshUser, System.getProperty("user.name", "unknown"), host);
    }

    /** The workstation user the server's own scheduled job records: it runs as root on the server itself. */
    public static final String SCHEDULE_USER = "schedule";

    /** The server's scheduled job on {@code host}, as its sidecars and locks name it. */
    public static Actor schedule(String host) {
        return new Actor("root", SCHEDULE_USER, host);
    }

    public boolean fromSchedule() {
        return "root".equals(sshUser) && SCHEDULE_USER.equals(workstationUser);
    }

    /** "tsadmin (alice@laptop)", or "the scheduled snapshot job on db1". */
    public String display() {
        if (fromSchedule()) {
            return "the scheduled snapshot job on " + workstationHost;
        }
        return sshUser + " (" + workstationUser + "@" + workstationHost + ")";
    }
}
