package dev.twinshift.lab;

import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshTarget;

/** The one place the integration tests get their shell to the lab from. */
public final class LabShell {
    private LabShell() {}

    /** The admin account (key login, passwordless sudo). */
    public static RemoteShell admin(Lab lab) {
        return of(lab.admin());
    }

    public static RemoteShell of(SshTarget target) {
        return new OpenSshShell(target);
    }
}
