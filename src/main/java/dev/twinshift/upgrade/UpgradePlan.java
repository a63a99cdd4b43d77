package dev.twinshift.upgrade;

import dev.twinshift.storage.StorageMethod;
import java.util.List;

/**
 * Everything an upgrade will do, fixed before it starts and written as the first line of its journal,
 * so that a console resuming it acts on exactly the same plan.
 *
 * @param operation          the journal's name, unique per upgrade
 * @param newTemporaryPort   the port the new cluster is created with; it takes the old port at cutover
 * @param newIsSubvolume     the new PGDATA is made a btrfs subvolume, so it can be snapshotted like the old
 * @param catalogFilesystem  the filesystem whose catalog holds the journal and the snapshots
 * @param headroomBytes      free space the upgrade needs on that filesystem
 * @param serverCpus         pg_upgrade's --jobs: it restores and links databases in parallel
 * @param installUser        the old cluster's bootstrap superuser (the role with oid 10): pg_upgrade's -U and
 *                           the new cluster's initdb -U; "postgres" in journals written before it was recorded
 */
public record UpgradePlan(String operation, String oldVersion, String oldName, int oldPort, String oldDataDirectory,
                          String oldConfigDirectory, String owner, String newVersion, String newName,
                          String newDataDirectory, int newTemporaryPort, UpgradeMethod method, StorageMethod storage,
                          boolean newIsSubvolume, String encoding, String lcCollate, String lcCtype,
                          boolean dataChecksums, long oldSizeBytes, long headroomBytes, long freeBytes,
                          String catalogFilesystem, int serverCpus, List<String> notes, String installUser) {

    public UpgradePlan {
        notes = notes == null ? List.of() : List.copyOf(notes);
        installUser = installUser == null || installUser.isBlank() ? "postgres" : installUser;
    }

    /** A plan of a cluster whose bootstrap superuser is "postgres". */
    public UpgradePlan(String operation, String oldVersion, String oldName, int oldPort, String oldDataDirectory,
                       String oldConfigDirectory, String owner, String newVersion, String newName,
                       String newDataDirectory, int newTemporaryPort, UpgradeMethod method, StorageMethod storage,
                       boolean newIsSubvolume, String encoding, String lcCollate, String lcCtype,
                       boolean dataChecksums, long oldSizeBytes, long headroomBytes, long freeBytes,
                       String catalogFilesystem, int serverCpus, List<String> notes) {
        this(operation, oldVersion, oldName, oldPort, oldDataDirectory, oldConfigDirectory, owner, newVersion, newName,
                newDataDirectory, newTemporaryPort, method, storage, newIsSubvolume, encoding, lcCollate, lcCtype,
                dataChecksums, oldSizeBytes, headroomBytes, freeBytes, catalogFilesystem, serverCpus, notes, null);
    }

    public String oldId() {
        return oldVersion + "/" + oldName;
    }

    public String newId() {
        return newVersion + "/" + newName;
    }

    public String oldBinDir() {
        return "/usr/lib/postgresql/" + oldVersion + "/bin";
    }

    public String newBinDir() {
        return "/usr/lib/postgresql/" + newVersion + "/bin";
    }

    public String newConfigDirectory() {
        return "/etc/postgresql/" + newVersion + "/" + newName;
    }

    /** A short description for the confirmation and the report. */
    public String summary() {
        return oldId() + " (port " + oldPort + ", " + oldDataDirectory + ") -> " + newId() + " (" + newDataDirectory
                + "), " + method.label() + "; the new cluster takes port " + oldPort + " and the old one is kept, stopped,"
                + " with start set to manual";
    }
}
