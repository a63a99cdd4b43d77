package dev.twinshift.ssh;

/**
 * Asked when a server presents a host key that known_hosts does not have. The call comes from the
 * connecting thread; a UI implementation hands it to the FX thread and waits for the answer.
 */
@FunctionalInterface
public interface HostKeyPrompt {
    /**
     * @param fingerprint SHA256 fingerprint as OpenSSH prints it, e.g. {@code SHA256:nThbg6kX...}
     * @return true to trust the key (it is then added to known_hosts), false to refuse the connection
     */
    boolean acceptUnknownKey(String host, int port, String keyType, String fingerprint);

    HostKeyPrompt REFUSE = (h, p, t, f) -> false;
}
