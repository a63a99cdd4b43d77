package dev.twinshift.inventory;

import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;

/** What the console shows first about a server: which system it is. Read-only. */
public record HostFacts(String hostname, String os, String kernel, String arch) {

    public static HostFacts read(RemoteShell shell) throws SshException, InterruptedException {
        String uname = shell.check(RemoteCommand.of("uname", "-n", "-r", "-m")).stdout().strip();
        var release = shell.run(RemoteCommand.of("cat", "/etc/os-release"));
        return parse(uname, release.ok() ? release.stdout() : "");
    }

    /** @param uname the output of {@code uname -n -r -m}; @param osRelease the text of /etc/os-release */
    public static HostFacts parse(String uname, String osRelease) {
        String[] u = uname.strip().split("\\s+");
        String host = u.length > 0 ? u[0] : "";
        String kernel = u.length > 1 ? u[1] : "";
        String arch = u.length > 2 ? u[2] : "";
        String os = "unknown (no /etc/os-release)";
        String name = null;
        for (String line : osRelease.split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = unquote(line.substring(eq + 1).strip());
            if (key.equals("PRETTY_NAME")) {
                os = value;
            } else if (key.equals("NAME") && name == null) {
                name = value;
            }
        }
        if (os.startsWith("unknown") && name != null) {
            os = name;
        }
        return new HostFacts(host, os, kernel, arch);
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
            return v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return v;
    }
}
