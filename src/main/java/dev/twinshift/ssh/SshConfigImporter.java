package dev.twinshift.ssh;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

public final class SshConfigImporter {
    private SshConfigImporter() {}

    public static List<SshTarget> parse(Path config) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }
}
