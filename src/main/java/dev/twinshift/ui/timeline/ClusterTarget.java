package dev.twinshift.ui.timeline;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteShell;

/**
 * The cluster the timeline shows, as it was when a task was asked for: the task acts on this one even
 * if the administrator picks another before it runs.
 */
public record ClusterTarget(RemoteShell shell, String sshUser, PgCluster cluster) {}
