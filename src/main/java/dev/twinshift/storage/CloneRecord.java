package dev.twinshift.storage;

import java.time.Instant;

/**
 * A writable clone as its sidecar records it.
 *
 * @param name            the clone's name (validated)
 * @param createdAt       when it was made
 * @param createdBy       who made it
 * @param parent          the id of the snapshot it was made from
 * @param cluster         the cluster its data came from ("13/main")
 * @param pgVersion       major version; the clone runs with this version's binaries
 * @param owner           OS user that runs it
 * @param method          how it was made
 * @param location        where its data is (path or ZFS dataset)
 * @param dataDirectory   its PGDATA
 * @param sourceConfigDirectory the source cluster's config directory (Debian keeps it outside PGDATA), null if in PGDATA
 * @param port            the port it was last given, null before the first start
 * @param socketDirectory its Unix socket directory, null before the first start
 */
public record CloneRecord(String name, Instant createdAt, Actor createdBy, String parent, String cluster, String pgVersion,
                          String owner, StorageMethod method, String location, String dataDirectory,
                          String sourceConfigDirectory, Integer port, String socketDirectory) {

    public CloneRecord withRuntime(int p, String socketDir) {
        return new CloneRecord(name, createdAt, createdBy, parent, cluster, pgVersion, owner, method, location,
                dataDirectory, sourceConfigDirectory, p, socketDir);
    }
}
