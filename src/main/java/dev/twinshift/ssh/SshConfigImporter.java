package dev.twinshift.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads an OpenSSH client configuration ({@code ~/.ssh/config}) into {@link SshTarget}s, with
 * OpenSSH's rules where they matter for a server list:
 *
 * <ul>
 *   <li>every name on a {@code Host} line that has no wildcard and no {@code !} is a server;
 *   <li>for each of them, every block whose patterns match (wildcards, negations, {@code Match all})
 *       contributes, and the first value obtained for an option wins, as in ssh(1);
 *       {@code IdentityFile} accumulates;
 *   <li>{@code HostName} (with {@code %h}), {@code Port}, {@code User}, {@code IdentityFile} (with
 *       {@code ~} and {@code %d %u %h %r %%}), {@code ProxyJump} ({@code [user@]host[:port]},
 *       {@code ssh://} URIs, comma-separated chains, names of other aliases), {@code Include}
 *       (globs; relative paths are under ~/.ssh; inside a Host block the inclusion is conditional);
 *   <li>other keywords are ignored; {@code Match} blocks other than {@code Match all} are skipped,
 *       with a warning, since their criteria need the live connection.
 * </ul>
 *
 * Relative {@code IdentityFile} paths are taken from the home directory: a desktop program has no
 * meaningful working directory.
 */
public final class SshConfigImporter {
    private static final int MAX_INCLUDE_DEPTH = 16;
    private static final int MAX_JUMPS = 8;

    private final Path home;
    private final String localUser;

    public SshConfigImporter(Path home, String localUser) {
        this.home = home;
        this.localUser = localUser;
    }

    /** The current user's home and name. */
    public static SshConfigImporter standard() {
        return new SshConfigImporter(Path.of(System.getProperty("user.home")), System.getProperty("user.name"));
    }

    /** ~/.ssh/config */
    public Path defaultConfigFile() {
        return home.resolve(".ssh").resolve("config");
    }

    /** The servers of ~/.ssh/config; none when there is no such file. */
    public List<SshTarget> importDefault() throws IOException {
        Path p = defaultConfigFile();
        return Files.isRegularFile(p) ? importFile(p) : List.of();
    }

    /** The servers a config file names, in the order they first appear. */
    public List<SshTarget> importFile(Path config) throws IOException {
        return parse(config).targets();
    }

    public Config parse(Path config) throws IOException {
        Parser p = new Parser();
        p.readFile(config, List.of(), 0);
        return new Config(p.directives, List.copyOf(p.aliases), p.warnings);
    }

    /** Parses text as if it were the named file (for tests and for pasted snippets). */
    public Config parse(String text, Path asFile) throws IOException {
        Parser p = new Parser();
        p.readLines(text.lines().toList(), asFile, List.of(), 0);
        return new Config(p.directives, List.copyOf(p.aliases), p.warnings);
    }

    /** A parsed configuration: its aliases, and any name resolved with its rules. */
    public final class Config {
        private final List<Directive> directives;
        private final List<String> aliases;
        private final List<String> warnings;

        private Config(List<Directive> directives, List<String> aliases, List<String> warnings) {
            this.directives = directives;
            this.aliases = aliases;
            this.warnings = warnings;
        }

        /** Names from Host lines, without wildcard patterns and negations, in order of appearance. */
        public List<String> aliases() {
            return aliases;
        }

        /** What could not be used, with file and line, for showing next to the import. */
        public List<String> warnings() {
            return List.copyOf(warnings);
        }

        /** One target per alias; aliases that cannot be resolved are left out with a warning. */
        public List<SshTarget> targets() {
            List<SshTarget> out = new ArrayList<>();
            for (String a : aliases) {
                try {
                    out.add(resolve(a));
                } catch (IllegalArgumentException e) {
                    warnings.add(a + ": " + e.getMessage());
                }
            }
            return out;
        }

        /**
         * What ssh(1) would connect to for this name, listed or not.
         *
         * @throws IllegalArgumentException for a ProxyJump that loops or a malformed one
         */
        public SshTarget resolve(String alias) {
            return resolve(alias, 0);
        }

        private SshTarget resolve(String alias, int depth) {
            Options o = optionsFor(alias);
            return build(alias, o, o.proxyJump, depth);
        }

        private SshTarget build(String alias, Options o, String proxyJump, int depth) {
            if (depth > MAX_JUMPS) {
                throw new IllegalArgumentException("ProxyJump goes through more than " + MAX_JUMPS
                        + " hosts; does it loop?");
            }
            String hostName = o.hostName == null ? alias : expand(o.hostName, alias, alias, null, null);
            int port = 22;
            if (o.port != null) {
                try {
                    port = Integer.parseInt(o.port);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad Port " + o.port);
                }
            }
            String user = o.user == null ? localUser : expand(o.user, alias, hostName, null, null);
            List<Path> ids = new ArrayList<>();
            for (String f : o.identityFiles) {
                if (!"none".equalsIgnoreCase(f)) {
                    ids.add(path(expand(f, alias, hostName, user, Integer.toString(port))));
                }
            }
            SshTarget jump = null;
            if (proxyJump != null && !"none".equalsIgnoreCase(proxyJump) && !jumpsToItself(alias, proxyJump)) {
                jump = chain(proxyJump, depth);
            }
            return new SshTarget(alias, hostName, port, user, ids, jump);
        }

        /**
         * "a,b,c": c is the last hop before the target and is reached through b, b through a; only
         * a (the first hop) follows its own ProxyJump, as with {@code ssh -J a,b,c}.
         */
        private SshTarget chain(String spec, int depth) {
            String[] hops = spec.split(",");
            SshTarget previous = null;
            for (int i = 0; i < hops.length; i++) {
                Hop h = parseHop(hops[i].strip());
                Options o = optionsFor(h.host);
                String jumpOfHop = i == 0 ? o.proxyJump : null;
                SshTarget t = build(h.host, o, jumpOfHop, depth + 1 + (hops.length - 1 - i));
                if (h.user != null || h.port > 0) {
                    t = new SshTarget(t.alias(), t.host(), h.port > 0 ? h.port : t.port(),
                            h.user != null ? h.user : t.user(), t.identityFiles(), t.jump());
                }
                if (i > 0) {
                    t = t.withJump(previous);
                }
                previous = t;
            }
            return previous;
        }

        /**
         * "Host * / ProxyJump gw" also matches gw itself; like ssh(1), a jump host does not jump
         * through itself.
         */
        private boolean jumpsToItself(String alias, String proxyJump) {
            String last = proxyJump.split(",")[proxyJump.split(",").length - 1].strip();
            try {
                return parseHop(last).host().equalsIgnoreCase(alias);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }

        private Options optionsFor(String alias) {
            Options o = new Options();
            String name = alias.toLowerCase(Locale.ROOT);
            for (Directive d : directives) {
                if (d.context().stream().allMatch(c -> c.matches(name))) {
                    o.apply(d.keyword(), d.args());
                }
            }
            return o;
        }
    }

    record Hop(String user, String host, int port) {}

    /** {@code [user@]host[:port]}, {@code ssh://[user@]host[:port]}, IPv6 in brackets. */
    static Hop parseHop(String spec) {
        String s = spec;
        if (s.startsWith("ssh://")) {
            s = s.substring(6);
            if (s.endsWith("/")) {
                s = s.substring(0, s.length() - 1);
            }
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty ProxyJump host");
        }
        String user = null;
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            user = s.substring(0, at);
            s = s.substring(at + 1);
        }
        String host = s;
        int port = -1;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("bad ProxyJump host " + spec);
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (rest.startsWith(":")) {
                port = parsePort(rest.substring(1), spec);
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') == colon) {
                host = s.substring(0, colon);
                port = parsePort(s.substring(colon + 1), spec);
            }
        }
        if (host.isEmpty() || (user != null && user.isEmpty())) {
            throw new IllegalArgumentException("bad ProxyJump host " + spec);
        }
        return new Hop(user, host, port);
    }

    private static int parsePort(String p, String spec) {
        try {
            int n = Integer.parseInt(p);
            if (n < 1 || n > 65535) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in ProxyJump " + spec);
        }
    }

    /** First value wins, as in ssh(1); identity files add up. */
    private static final class Options {
        String hostName;
        String port;
        String user;
        String proxyJump;
        final List<String> identityFiles = new ArrayList<>();

        void apply(String keyword, List<String> args) {
            if (args.isEmpty()) {
                return;
            }
            String v = args.get(0);
            switch (keyword) {
                case "hostname" -> hostName = hostName == null ? v : hostName;
                case "port" -> port = port == null ? v : port;
                case "user" -> user = user == null ? v : user;
                case "proxyjump" -> proxyJump = proxyJump == null ? String.join("", args) : proxyJump;
                case "identityfile" -> identityFiles.add(v);
                default -> {
                    // not needed to reach a server
                }
            }
        }
    }

    /** The tokens ssh(1) expands in these options that make sense before connecting. */
    private String expand(String s, String alias, String host, String remoteUser, String port) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%' || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            char t = s.charAt(++i);
            switch (t) {
                case '%' -> b.append('%');
                case 'h' -> b.append(host);
                case 'n' -> b.append(alias);
                case 'd' -> b.append(home);
                case 'u' -> b.append(localUser);
                case 'r' -> b.append(remoteUser == null ? "%r" : remoteUser);
                case 'p' -> b.append(port == null ? "%p" : port);
                default -> b.append('%').append(t);
            }
        }
        return b.toString();
    }

    private Path path(String p) {
        if (p.equals("~")) {
            return home;
        }
        if (p.startsWith("~/")) {
            return home.resolve(p.substring(2));
        }
        Path x = Path.of(p);
        return x.isAbsolute() ? x : home.resolve(x);
    }

    /** A condition a directive is under: a Host line, Match all, or a block that never applies. */
    interface Condition {
        boolean matches(String lowerAlias);
    }

    record HostPatterns(List<String> patterns) implements Condition {
        @Override
        public boolean matches(String name) {
            boolean positive = false;
            for (String p : patterns) {
                boolean neg = p.startsWith("!");
                String pat = (neg ? p.substring(1) : p).toLowerCase(Locale.ROOT);
                if (KnownHostsFile.glob(pat, name)) {
                    if (neg) {
                        return false;
                    }
                    positive = true;
                }
            }
            return positive;
        }
    }

    private static final Condition ALWAYS = n -> true;
    private static final Condition NEVER = n -> false;

    record Directive(List<Condition> context, String keyword, List<String> args) {}

    private final class Parser {
        final List<Directive> directives = new ArrayList<>();
        final Set<String> aliases = new LinkedHashSet<>();
        final List<String> warnings = new ArrayList<>();

        void readFile(Path file, List<Condition> outer, int depth) throws IOException {
            readLines(Files.readAllLines(file, StandardCharsets.UTF_8), file, outer, depth);
        }

        void readLines(List<String> lines, Path file, List<Condition> outer, int depth) throws IOException {
            Condition current = ALWAYS;
            int n = 0;
            for (String raw : lines) {
                n++;
                List<String> words;
                try {
                    words = tokenize(raw);
                } catch (IllegalArgumentException e) {
                    warnings.add(file + ":" + n + ": " + e.getMessage());
                    continue;
                }
                if (words.isEmpty()) {
                    continue;
                }
                String keyword = words.get(0).toLowerCase(Locale.ROOT);
                List<String> args = words.subList(1, words.size());
                switch (keyword) {
                    case "host" -> {
                        current = new HostPatterns(List.copyOf(args));
                        for (String a : args) {
                            if (!a.startsWith("!") && a.indexOf('*') < 0 && a.indexOf('?') < 0) {
                                aliases.add(a);
                            }
                        }
                    }
                    case "match" -> {
                        if (args.size() == 1 && args.get(0).equalsIgnoreCase("all")) {
                            current = ALWAYS;
                        } else {
                            current = NEVER;
                            warnings.add(file + ":" + n + ": Match " + String.join(" ", args)
                                    + " is not evaluated; its options are not imported");
                        }
                    }
                    case "include" -> {
                        List<Condition> ctx = with(outer, current);
                        if (depth >= MAX_INCLUDE_DEPTH) {
                            warnings.add(file + ":" + n + ": Include nested too deeply");
                            break;
                        }
                        for (String a : args) {
                            for (Path inc : includeTargets(a)) {
                                try {
                                    readFile(inc, ctx, depth + 1);
                                } catch (IOException e) {
                                    warnings.add(file + ":" + n + ": cannot read " + inc + ": " + e.getMessage());
                                }
                            }
                        }
                    }
                    case "proxycommand" -> {
                        directives.add(new Directive(with(outer, current), keyword, List.copyOf(args)));
                        warnings.add(file + ":" + n + ": ProxyCommand is not supported; use ProxyJump");
                    }
                    default -> directives.add(new Directive(with(outer, current), keyword, List.copyOf(args)));
                }
            }
        }

        private List<Condition> with(List<Condition> outer, Condition c) {
            List<Condition> l = new ArrayList<>(outer);
            l.add(c);
            return List.copyOf(l);
        }

        /** Relative to ~/.ssh, ~ expanded, globs sorted as glob(3) sorts them. */
        private List<Path> includeTargets(String arg) throws IOException {
            String p = arg.startsWith("~/") ? home.resolve(arg.substring(2)).toString() : arg;
            Path given = Path.of(p);
            Path path = given.isAbsolute() ? given : home.resolve(".ssh").resolve(p);
            if (p.indexOf('*') < 0 && p.indexOf('?') < 0 && p.indexOf('[') < 0) {
                return Files.isRegularFile(path) ? List.of(path) : List.of();
            }
            // Walk from the deepest directory without wildcards, as deep as the pattern goes.
            Path base = path.getRoot();
            int i = 0;
            for (; i < path.getNameCount(); i++) {
                String part = path.getName(i).toString();
                if (part.indexOf('*') >= 0 || part.indexOf('?') >= 0 || part.indexOf('[') >= 0) {
                    break;
                }
                base = base.resolve(part);
            }
            if (!Files.isDirectory(base)) {
                return List.of();
            }
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + path.toString().replace("\\", "\\\\"));
            int depth = path.getNameCount() - i;
            try (Stream<Path> s = Files.walk(base, depth)) {
                return s.filter(x -> x.getNameCount() == path.getNameCount() && m.matches(x) && Files.isRegularFile(x))
                        .sorted()
                        .toList();
            }
        }
    }

    /**
     * Splits a line as ssh(1) does: keyword, optional '=', arguments separated by blanks, double
     * quotes grouping, '#' starting a comment where a word would start.
     */
    static List<String> tokenize(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        boolean equalsAllowed = false;
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
                i++;
                continue;
            }
            if (c == '=' && equalsAllowed) {
                // "keyword=value" and "keyword = value": one '=' right after the keyword
                equalsAllowed = false;
                i++;
                continue;
            }
            if (c == '#') {
                break;
            }
            boolean keyword = out.isEmpty();
            StringBuilder w = new StringBuilder();
            boolean quoted = false;
            while (i < n) {
                c = line.charAt(i);
                if (c == '"') {
                    quoted = !quoted;
                    i++;
                    continue;
                }
                if (!quoted && (c == ' ' || c == '\t' || c == '\f' || c == '\r' || (keyword && c == '='))) {
                    break;
                }
                w.append(c);
                i++;
            }
            if (quoted) {
                throw new IllegalArgumentException("unbalanced quote");
            }
            out.add(w.toString());
            equalsAllowed = keyword;
        }
        return out;
    }
}
