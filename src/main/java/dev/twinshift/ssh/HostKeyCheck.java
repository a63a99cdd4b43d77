package dev.twinshift.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.UserInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The host-key decision for one connection attempt, made where JSch asks for it: known keys pass,
 * an unknown key goes to the prompt (and is appended when accepted), a changed or revoked key is
 * refused without asking. JSch runs with StrictHostKeyChecking=yes, so it never adds keys itself;
 * {@link #outcome()} tells the connector why a refusal happened.
 */
final class HostKeyCheck implements HostKeyRepository {

    enum Outcome { NOT_CHECKED, KNOWN, ACCEPTED, REJECTED, CHANGED, REVOKED, FAILED }

    private final KnownHostsFile file;
    private final String host;
    private final int port;
    private final HostKeyPrompt prompt;

    private volatile Outcome outcome = Outcome.NOT_CHECKED;
    private volatile KnownHostsFile.Verdict verdict;
    private volatile Exception failure;

    HostKeyCheck(KnownHostsFile file, String host, int port, HostKeyPrompt prompt) {
        this.file = file;
        this.host = host;
        this.port = port;
        this.prompt = prompt;
    }

    Outcome outcome() {
        return outcome;
    }

    /** The last verdict (key type, fingerprint, and for a change the known fingerprints); null before the check. */
    KnownHostsFile.Verdict verdict() {
        return verdict;
    }

    Exception failure() {
        return failure;
    }

    @Override
    public int check(String chost, byte[] key) {
        KnownHostsFile.Verdict v;
        try {
            v = file.check(host, port, key);
        } catch (IOException | RuntimeException e) {
            failure = e;
            outcome = Outcome.FAILED;
            return NOT_INCLUDED;
        }
        verdict = v;
        switch (v.status()) {
            case KNOWN -> {
                outcome = Outcome.KNOWN;
                return OK;
            }
            case CHANGED -> {
                outcome = Outcome.CHANGED;
                return CHANGED;
            }
            case REVOKED -> {
                outcome = Outcome.REVOKED;
                return NOT_INCLUDED;
            }
            default -> {
                boolean accepted;
                try {
                    accepted = prompt != null && prompt.acceptUnknownKey(host, port, v.keyType(), v.fingerprint());
                } catch (RuntimeException e) {
                    failure = e;
                    accepted = false;
                }
                if (!accepted) {
                    outcome = Outcome.REJECTED;
                    return NOT_INCLUDED;
                }
                try {
                    file.append(host, port, key);
                } catch (IOException e) {
                    // The administrator accepted the key: keep this connection, but say it was not saved.
                    failure = e;
                }
                outcome = Outcome.ACCEPTED;
                return OK;
            }
        }
    }

    @Override
    public void add(HostKey hostkey, UserInfo ui) {
        // Keys are only ever added by check(), after the prompt said yes.
    }

    @Override
    public void remove(String host, String type) {
    }

    @Override
    public void remove(String host, String type, byte[] key) {
    }

    @Override
    public String getKnownHostsRepositoryID() {
        return file.file().toString();
    }

    @Override
    public HostKey[] getHostKey() {
        return getHostKey(KnownHostsFile.hostToken(host, port), null);
    }

    @Override
    public HostKey[] getHostKey(String chost, String type) {
        List<HostKey> out = new ArrayList<>();
        String token = chost == null ? KnownHostsFile.hostToken(host, port) : chost;
        try {
            for (KnownHostsFile.Entry e : file.entriesFor(token)) {
                if (type != null && !type.equals(e.keyType())) {
                    continue;
                }
                try {
                    out.add(new HostKey(e.marker(), token, HostKey.GUESS, e.key(), null));
                } catch (JSchException ex) {
                    // A key type this JSch does not know cannot match anything it negotiates.
                }
            }
        } catch (IOException e) {
            return new HostKey[0];
        }
        return out.toArray(new HostKey[0]);
    }
}
