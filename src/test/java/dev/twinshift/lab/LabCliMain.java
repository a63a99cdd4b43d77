package dev.twinshift.lab;

/**
 * {@code twinshift ARGS} against the lab's admin account, as its own process, for the benchmark
 * scripts: they time the command line an administrator would type.
 */
public final class LabCliMain {
    private LabCliMain() {}

    public static void main(String[] args) {
        LabCli.Run r = LabCli.run(args);
        System.out.print(r.out());
        System.err.print(r.err());
        System.exit(r.code());
    }
}
