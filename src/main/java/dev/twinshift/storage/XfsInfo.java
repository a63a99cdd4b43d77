package dev.twinshift.storage;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code xfs_info MOUNT}: whether the filesystem was made with reflink=1. */
public final class XfsInfo {
    private static final Pattern REFLINK = Pattern.compile("\\breflink=(\\d)");

    private XfsInfo() {}

    public static boolean reflink(String out) {
        Matcher m = REFLINK.matcher(out);
        return m.find() && m.group(1).equals("1");
    }
}
