package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshConfigImporterTest {
    @TempDir
    Path home;
    Path ssh;
    SshConfigImporter importer;

    @BeforeEach
    void setUp() throws Exception {
        ssh = Files.createDirectories(home.resolve(".ssh"));
        importer = new SshConfigImporter(home, "alice");
    }

    private SshConfigImporter.Config parse(String config) throws Exception {
        Path f = ssh.resolve("config");
        Files.writeString(f, config);
        return importer.parse(f);
    }

    private static Map<String, SshTarget> byAlias(List<SshTarget> ts) {
        return ts.stream().collect(Collectors.toMap(SshTarget::alias, Function.identity()));
    }

    @Test
    void basicOptionsWithTildeExpansion() throws Exception {
        var c = parse("""
                Host db1
                    HostName 10.0.0.5
                    Port 2200
                    User postgres-admin
                    IdentityFile ~/.ssh/id_db1
                """);
        assertEquals(List.of("db1"), c.aliases());
        SshTarget t = c.targets().get(0);
        assertEquals("db1", t.alias());
        assertEquals("10.0.0.5", t.host());
        assertEquals(2200, t.port());
        assertEquals("postgres-admin", t.user());
        assertEquals(List.of(home.resolve(".ssh/id_db1")), t.identityFiles());
        assertNull(t.jump());
    }

    @Test
    void defaultsAreTheAliasPort22AndTheLocalUser() throws Exception {
        SshTarget t = parse("Host plain\n").targets().get(0);
        assertEquals("plain", t.host());
        assertEquals(22, t.port());
        assertEquals("alice", t.user());
        assertEquals(List.of(), t.identityFiles());
    }

    @Test
    void aHostLineWithSeveralNamesGivesOneTargetPerName() throws Exception {
        var c = parse("""
                Host web1 web2 web3
                    User deploy
                """);
        assertEquals(List.of("web1", "web2", "web3"), c.aliases());
        for (SshTarget t : c.targets()) {
            assertEquals("deploy", t.user());
            assertEquals(t.alias(), t.host());
        }
    }

    @Test
    void wildcardBlocksGiveDefaultsButAreNotListed() throws Exception {
        var c = parse("""
                Host db1
                    User specific
                Host db2

                Host *
                    User everyone
                    Port 2222
                    IdentityFile ~/.ssh/id_default
                Host db?
                    IdentityFile ~/.ssh/id_db
                """);
        assertEquals(List.of("db1", "db2"), c.aliases());
        Map<String, SshTarget> t = byAlias(c.targets());
        assertEquals("specific", t.get("db1").user());
        assertEquals("everyone", t.get("db2").user());
        assertEquals(2222, t.get("db1").port());
        // IdentityFile adds up, in the order the blocks come
        assertEquals(List.of(home.resolve(".ssh/id_default"), home.resolve(".ssh/id_db")), t.get("db2").identityFiles());
    }

    @Test
    void theFirstValueObtainedWinsAsInSsh() throws Exception {
        // A wildcard block before a specific one takes precedence: that is how ssh(1) reads it.
        var c = parse("""
                Host *
                    User first
                Host db1
                    User second
                    User third
                """);
        assertEquals("first", c.targets().get(0).user());
    }

    @Test
    void negatedPatternsExclude() throws Exception {
        var c = parse("""
                Host bastion db1
                Host * !bastion
                    ProxyJump bastion
                """);
        Map<String, SshTarget> t = byAlias(c.targets());
        assertNull(t.get("bastion").jump());
        assertEquals("bastion", t.get("db1").jump().host());
    }

    @Test
    void hostMatchingAndKeywordsIgnoreCase() throws Exception {
        var c = parse("""
                HOST DB1
                  HOSTNAME db1.example.com
                host *.EXAMPLE
                  user upper
                Host x.example
                """);
        Map<String, SshTarget> t = byAlias(c.targets());
        assertEquals("db1.example.com", t.get("DB1").host());
        assertEquals("upper", t.get("x.example").user());
    }

    @Test
    void tokensInHostNameAndIdentityFile() throws Exception {
        var c = parse("""
                Host db1
                    HostName %h.corp.example
                    User ops
                    Port 2200
                    IdentityFile %d/keys/%r@%h-%p
                    IdentityFile keys/%u
                    IdentityFile none
                    IdentityFile "/with space/100%%"
                """);
        SshTarget t = c.targets().get(0);
        assertEquals("db1.corp.example", t.host());
        assertEquals(List.of(home.resolve("keys/ops@db1.corp.example-2200"), home.resolve("keys/alice"),
                Path.of("/with space/100%")), t.identityFiles());
    }

    @Test
    void equalsSignsCommentsQuotesAndUnknownKeywords() throws Exception {
        var c = parse("""
                # a comment
                Host=db1   # trailing comment
                    HostName = db1.example.com
                    Port=2201
                    ForwardAgent yes
                    ServerAliveInterval 30
                    SomeFutureKeyword with args
                    IdentityFile "~/.ssh/my key"
                """);
        SshTarget t = c.targets().get(0);
        assertEquals("db1", t.alias());
        assertEquals("db1.example.com", t.host());
        assertEquals(2201, t.port());
        assertEquals(List.of(home.resolve(".ssh/my key")), t.identityFiles());
    }

    @Test
    void proxyJumpWithUserHostAndPort() throws Exception {
        var c = parse("""
                Host db1
                    ProxyJump jumper@gw.example.com:2022
                Host *
                    User alice2
                """);
        SshTarget t = c.targets().get(0);
        SshTarget j = t.jump();
        assertEquals("gw.example.com", j.host());
        assertEquals(2022, j.port());
        assertEquals("jumper", j.user());
        assertNull(j.jump());
        assertEquals("alice2", t.user());
    }

    @Test
    void proxyJumpToAnAliasUsesThatAliasSettings() throws Exception {
        var c = parse("""
                Host bastion
                    HostName bastion.example.com
                    User jumpuser
                    Port 2022
                    IdentityFile ~/.ssh/id_bastion
                Host db1
                    HostName 10.1.2.3
                    ProxyJump bastion
                Host db2
                    ProxyJump other@bastion:22
                """);
        Map<String, SshTarget> t = byAlias(c.targets());
        SshTarget j = t.get("db1").jump();
        assertEquals("bastion", j.alias());
        assertEquals("bastion.example.com", j.host());
        assertEquals("jumpuser", j.user());
        assertEquals(2022, j.port());
        assertEquals(List.of(home.resolve(".ssh/id_bastion")), j.identityFiles());
        // explicit user and port in ProxyJump override the alias's own
        SshTarget j2 = t.get("db2").jump();
        assertEquals("other", j2.user());
        assertEquals(22, j2.port());
        assertEquals("bastion.example.com", j2.host());
    }

    @Test
    void commaSeparatedChainsNestInOrder() throws Exception {
        var c = parse("""
                Host outer
                    HostName outer.example.com
                    ProxyJump firsthop
                Host inner
                    HostName inner.example.com
                    ProxyJump ignored-because-chained
                Host db1
                    ProxyJump outer,u@inner:2200
                """);
        SshTarget db1 = byAlias(c.targets()).get("db1");
        // db1 <- inner <- outer <- firsthop (outer's own ProxyJump; inner's is overridden by the chain)
        SshTarget last = db1.jump();
        assertEquals("inner.example.com", last.host());
        assertEquals("u", last.user());
        assertEquals(2200, last.port());
        SshTarget mid = last.jump();
        assertEquals("outer.example.com", mid.host());
        SshTarget first = mid.jump();
        assertEquals("firsthop", first.host());
        assertNull(first.jump());
    }

    @Test
    void jumpHostsOfJumpHostsAreFollowed() throws Exception {
        var c = parse("""
                Host a
                    ProxyJump b
                Host b
                    ProxyJump c
                Host c
                    HostName c.example.com
                """);
        SshTarget a = byAlias(c.targets()).get("a");
        assertEquals("b", a.jump().host());
        assertEquals("c.example.com", a.jump().jump().host());
        assertNull(a.jump().jump().jump());
    }

    @Test
    void proxyJumpNoneAndUriAndIpv6Forms() throws Exception {
        var c = parse("""
                Host direct
                    ProxyJump none
                Host *
                    ProxyJump gw
                Host uri
                    ProxyJump ssh://bob@gw.example.com:2022
                Host v6
                    ProxyJump carol@[2001:db8::1]:2200
                """);
        Map<String, SshTarget> t = byAlias(c.targets());
        assertNull(t.get("direct").jump());
        assertEquals("gw", t.get("uri").jump().host()); // Host * came first: first value wins
        SshConfigImporter.Hop h = SshConfigImporter.parseHop("ssh://bob@gw.example.com:2022");
        assertEquals(new SshConfigImporter.Hop("bob", "gw.example.com", 2022), h);
        assertEquals(new SshConfigImporter.Hop("carol", "2001:db8::1", 2200),
                SshConfigImporter.parseHop("carol@[2001:db8::1]:2200"));
        assertEquals(new SshConfigImporter.Hop(null, "2001:db8::1", -1), SshConfigImporter.parseHop("2001:db8::1"));
        assertEquals(new SshConfigImporter.Hop(null, "gw", -1), SshConfigImporter.parseHop("gw"));
        assertThrows(IllegalArgumentException.class, () -> SshConfigImporter.parseHop("gw:notaport"));
        assertThrows(IllegalArgumentException.class, () -> SshConfigImporter.parseHop("@gw"));
    }

    @Test
    void aLoopingProxyJumpIsLeftOutWithAWarning() throws Exception {
        var c = parse("""
                Host ok
                Host loop1
                    ProxyJump loop2
                Host loop2
                    ProxyJump loop1
                """);
        List<SshTarget> ts = c.targets();
        assertEquals(List.of("ok"), ts.stream().map(SshTarget::alias).toList());
        assertTrue(c.warnings().stream().anyMatch(w -> w.startsWith("loop1:") && w.contains("loop")), c.warnings().toString());
        assertThrows(IllegalArgumentException.class, () -> c.resolve("loop2"));
    }

    @Test
    void includeIsRelativeToDotSshWithGlobsInOrder() throws Exception {
        Path d = Files.createDirectories(ssh.resolve("config.d"));
        Files.writeString(d.resolve("20-b.conf"), "Host b\n  HostName b.example.com\n");
        Files.writeString(d.resolve("10-a.conf"), "Host a\n  HostName a.example.com\nHost *\n  User fromInclude\n");
        Files.writeString(d.resolve("notes.txt"), "Host ignored\n");
        Files.writeString(home.resolve("abs.conf"), "Host abs\n  Port 2022\n");
        var c = parse("""
                Include config.d/*.conf
                Include ~/abs.conf
                Include does-not-exist
                Host main
                """);
        assertEquals(List.of("a", "b", "abs", "main"), c.aliases());
        Map<String, SshTarget> t = byAlias(c.targets());
        assertEquals("a.example.com", t.get("a").host());
        assertEquals("b.example.com", t.get("b").host());
        assertEquals(2022, t.get("abs").port());
        // the included Host * applies to everything after it, main included
        assertEquals("fromInclude", t.get("main").user());
    }

    @Test
    void includeInsideAHostBlockIsConditional() throws Exception {
        Files.writeString(ssh.resolve("db.conf"), "User dbadmin\nPort 2200\n");
        var c = parse("""
                Host db*
                    Include db.conf
                Host db1 web1
                """);
        Map<String, SshTarget> t = byAlias(c.targets());
        assertEquals("dbadmin", t.get("db1").user());
        assertEquals(2200, t.get("db1").port());
        assertEquals("alice", t.get("web1").user());
        assertEquals(22, t.get("web1").port());
    }

    @Test
    void matchBlocksAreSkippedExceptMatchAll() throws Exception {
        var c = parse("""
                Host db1
                Match exec "test -f /nonexistent"
                    User fromMatch
                Match all
                    Port 2022
                """);
        SshTarget t = c.targets().get(0);
        assertEquals("alice", t.user());
        assertEquals(2022, t.port());
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("Match exec")), c.warnings().toString());
    }

    @Test
    void badValuesBecomeWarningsNotFailures() throws Exception {
        var c = parse("""
                Host good
                Host badport
                    Port twenty-two
                Host quote
                    IdentityFile "unterminated
                Host withcommand
                    ProxyCommand nc %h %p
                """);
        List<String> aliases = c.targets().stream().map(SshTarget::alias).toList();
        assertEquals(List.of("good", "quote", "withcommand"), aliases);
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("badport")), c.warnings().toString());
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("unbalanced quote")), c.warnings().toString());
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("ProxyCommand")), c.warnings().toString());
    }

    @Test
    void importDefaultReadsDotSshConfigOrNothing() throws Exception {
        assertEquals(List.of(), importer.importDefault());
        Files.writeString(ssh.resolve("config"), "Host x\n");
        assertEquals(List.of("x"), importer.importDefault().stream().map(SshTarget::alias).toList());
    }

    @Test
    void tokenizer() {
        assertEquals(List.of("Host", "a", "b"), SshConfigImporter.tokenize("  Host a b  # c"));
        assertEquals(List.of("Port", "22"), SshConfigImporter.tokenize("Port=22"));
        assertEquals(List.of("Port", "22"), SshConfigImporter.tokenize("Port = 22"));
        assertEquals(List.of("IdentityFile", "a b", "c=d"), SshConfigImporter.tokenize("IdentityFile \"a b\" c=d"));
        assertEquals(List.of(), SshConfigImporter.tokenize("   # only a comment"));
    }
}
