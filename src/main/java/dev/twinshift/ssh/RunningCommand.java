package dev.twinshift.ssh;

/** A command under way on a server. */
public interface RunningCommand {
    /** Waits for the end; throws on timeout, cancel or a lost connection. */
    CommandResult await() throws SshException, InterruptedException;

    /** Kills the remote process (its whole process group) and ends the wait. Safe to call twice. */
    void cancel();

    boolean isDone();
}
