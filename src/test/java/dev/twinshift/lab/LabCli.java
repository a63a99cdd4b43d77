package dev.twinshift.lab;

import dev.twinshift.app.Cli;

/**
 * The command line with commands sent through the OpenSSH client, for scripts run beside the tests
 * (the benchmark) until the JSch connection is in place.
 */
public final class LabCli {
    private LabCli() {}

    public static void main(String[] args) {
        System.exit(Cli.run(new Cli(LabShell::of), args));
    }
}
