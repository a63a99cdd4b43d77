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

    /** "tsadmin (alice@laptop)". */
    public String display() {
        return sshUser + " (" + workstationUser + "@" + workstationHost + ")";
    }
}
