package dev.twinshift.ssh;

/**
 * Asked for a password when no key works. The answer is used for this connection only and never
 * written anywhere.
 */
@FunctionalInterface
public interface PasswordPrompt {
    /** @return the password, or null to give up */
    char[] password(String userAtHost);

    PasswordPrompt NONE = u -> null;
}
