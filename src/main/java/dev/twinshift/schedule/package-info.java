/**
 * Scheduled snapshots: the policy, installing and reading the server-side job (a systemd timer or a cron
 * entry that runs {@code schedule.sh}), its status, monitoring, and the retention preview. The rules run on
 * the server; this package installs them, asks them and shows their answers.
 */
package dev.twinshift.schedule;
