package dev.twinshift.ssh;

import java.util.List;

/** Arguments that break naive quoting; every test of the quoting path feeds all of them. */
final class HostileArgs {
    private HostileArgs() {}

    static List<String> all(String pwnedFile) {
        return List.of(
                "plain",
                "with space",
                "   ",
                "",
                "it's",
                "'",
                "''",
                "\"double\"",
                "\"",
                "$(touch " + pwnedFile + ")",
                "`touch " + pwnedFile + "`",
                "${HOME}",
                "$HOME",
                "a;touch " + pwnedFile,
                "a && touch " + pwnedFile,
                "a | touch " + pwnedFile,
                "a || b",
                "*",
                "/*",
                "?",
                "[a-z]",
                "~",
                "~root",
                "line1\nline2",
                "\n",
                "tab\there",
                "\t",
                "-n",
                "-e",
                "--",
                "--help",
                "back\\slash",
                "\\",
                "\\n",
                "trailing\\",
                "é",
                "漢字",
                "emoji 🐘🚀",
                "#comment",
                "!history",
                "a=b",
                "%s %d",
                "<in",
                ">out",
                "2>&1",
                "(sub)",
                "{a,b}",
                "\r\n",
                "\u0001\u007f");
    }
}
