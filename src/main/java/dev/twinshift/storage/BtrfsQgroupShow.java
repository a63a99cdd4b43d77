package dev.twinshift.storage;

import java.util.Optional;

/** Reads {@code btrfs qgroup show --raw -f PATH}: the level-0 qgroup of the subvolume. */
public final class BtrfsQgroupShow {
    private BtrfsQgroupShow() {}

    public static Optional<SpaceUsage> parse(String out) {
        for (String line : out.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 3 && f[0].startsWith("0/")) {
                try {
                    return Optional.of(new SpaceUsage(Long.parseLong(f[1]), Long.parseLong(f[2])));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
