package dev.twinshift.ssh;

import java.time.Duration;

/**
 * @param timeout       null for none; when it expires the remote process is killed and the call
 *                      fails with {@link SshException.Kind#COMMAND_TIMEOUT}
 * @param stdin         bytes written to the command's standard input, then closed; null for none
 * @param captureLimit  how many characters of each stream the {@link CommandResult} keeps
 */
public record ExecOptions(Duration timeout, byte[] stdin, int captureLimit) {
    public static final int DEFAULT_CAPTURE = 4 * 1024 * 1024;

    public static ExecOptions defaults() {
        return new ExecOptions(Duration.ofMinutes(5), null, DEFAULT_CAPTURE);
    }

    public ExecOptions withTimeout(Duration t) {
        return new ExecOptions(t, stdin, captureLimit);
    }

    public ExecOptions withStdin(byte[] in) {
        return new ExecOptions(timeout, in, captureLimit);
    }

    public ExecOptions withCaptureLimit(int limit) {
        return new ExecOptions(timeout, stdin, limit);
    }
}
