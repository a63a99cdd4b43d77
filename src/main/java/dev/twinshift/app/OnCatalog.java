package dev.twinshift.app;

import dev.twinshift.storage.Catalog;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that acts on the catalog of a cluster's filesystem (its snapshots, clones, lock, idle
 * policy): {@code --cluster} once, the root command's connection, and the catalog found for it, so
 * that each such command holds only what it does.
 */
abstract class OnCatalog implements Callable<Integer> {
    // The root rather than the parent: the command need not know at which depth it sits.
    @Spec
    CommandSpec command;
    @Mixin
    ClusterOption cluster;

    Cli cli() {
        return (Cli) command.root().userObject();
    }

    @Override
    public final Integer call() throws Exception {
        check();
        Cli cli = cli();
        return run(cli, cli.catalogOf(cluster.id()));
    }

    /** Checks the command's own values before anything connects: a typo is reported at once. */
    void check() {
    }

    /** The command's own work on {@code cat}; its exit code. */
    abstract int run(Cli cli, Catalog cat) throws Exception;
}
