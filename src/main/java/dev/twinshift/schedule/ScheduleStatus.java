package dev.twinshift.schedule;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.twinshift.storage.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * A cluster's schedule as the console shows it: what is configured, whether the server's job runs it, when
 * it runs next, and what the last run did (the script's {@code KEY.status.json}).
 *
 * @param cluster      the cluster ("13/main")
 * @param catalog      the catalog directory on the server
 * @param volumeKey    the catalog's key of its volume
 * @param conf         the schedule, null when the cluster was never scheduled
 * @param jobInstalled whether the server's job (cron entry or systemd timer) runs this catalog
 * @param scheduler    which one, null when not installed
 * @param cadence      how often ("hourly at minute 17"), null when not installed
 * @param nextRun      when it runs next, null when not known
 * @param lastRun      the last run's outcome, null before the first
 */
public record ScheduleStatus(String cluster, String catalog, String volumeKey, ScheduleConf conf, boolean jobInstalled,
                             ScheduleJob.Scheduler scheduler, String cadence, Instant nextRun, LastRun lastRun) {

    public boolean enabled() {
        return conf != null && conf.enabled();
    }

    /** What schedule.sh writes after each run. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LastRun(String cluster, String volume, Instant lastRunAt, String lastOutcome, Instant lastSuccessAt,
                          Failure lastFailure, String lastCreated, List<String> lastDeleted, long durationMs,
                          Instant newestSnapshotAt, String policy, int scriptVersion) {

        public boolean failed() {
            return lastFailure != null;
        }

        public static LastRun parse(String json) {
            try {
                return Json.mapper().readValue(json, LastRun.class);
            } catch (IOException e) {
                throw new UncheckedIOException("not a schedule status: " + e.getMessage(), e);
            }
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Failure(Instant at, String why) {}

    /** A Nagios-style answer: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, and its one line. */
    public record Check(int code, String line) {}
}
