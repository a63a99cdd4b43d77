package dev.twinshift.app;

import picocli.CommandLine.Option;

/**
 * {@code --cluster VER/NAME}, the option of every command that works on one cluster, as a picocli
 * mixin: declared once, so its label, its being required and its usage errors read the same on
 * every command that takes it.
 */
final class ClusterOption {
    @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
    private String id;

    /** The cluster as typed, e.g. {@code 13/main}. */
    String id() {
        return id;
    }

    /**
     * The same option for the clone commands, whose help says which cluster is meant: a clone belongs
     * to the cluster its snapshot was taken of, not to a cluster of its own.
     */
    static final class CloneSource {
        @Option(names = "--cluster", required = true, paramLabel = "VER/NAME",
                description = "the cluster whose snapshot the clone comes from")
        private String id;

        String id() {
            return id;
        }
    }
}
