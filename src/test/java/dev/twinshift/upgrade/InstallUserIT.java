package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Json;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 13 cluster whose bootstrap superuser is {@code dba}, not {@code postgres} ({@code initdb -U dba}),
 * reached by its OS owner through a peer map: plan, preflight and rehearsal find the install user and
 * hand it to pg_upgrade and to the new cluster's initdb.
 */
class InstallUserIT {
    static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "install-user-it");

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
        CutoverIT.shell = shell;
    }

    @Test
    void planPreflightAndRehearsalWorkWithABootstrapSuperuserOtherThanPostgres() throws Exception {
        try (ScratchCluster sc = ScratchCluster.createWithInitdb(shell, "13", "dba", List.of("-U", "dba"))) {
            try {
                // The administrator's setup: the OS user postgres may log in as dba (there is no role postgres).
                String conf = "/etc/postgresql/13/" + sc.name();
                shell.run(RemoteCommand.of("sh", "-c", """
                        sed -i 's/^local\\( *\\)all\\( *\\)all\\( *\\)peer$/local all all peer map=owner/' "$1/pg_hba.conf"
                        grep -q 'map=owner' "$1/pg_hba.conf" || exit 1
                        echo 'owner postgres dba' >> "$1/pg_ident.conf"
                        """, "sh", conf).asRoot()).requireSuccess();
                sc.pgctlcluster("reload");
                PgCluster c = sc.cluster();
                shell.run(RemoteCommand.of(c.binDir() + "/psql", "-X", "-v", "ON_ERROR_STOP=1", "-h", c.socketDirectory(),
                        "-p", Integer.toString(c.port()), "-U", "dba", "-d", "postgres", "-c",
                        "CREATE TABLE items(id int PRIMARY KEY, name text); INSERT INTO items SELECT g, 'item ' || g"
                                + " FROM generate_series(1, 500) g").asUser("postgres"), Duration.ofMinutes(1)).requireSuccess();

                UpgradePlanner.Result pr = new Upgrades(shell).plan(c, "15", null);
                assertTrue(pr.ok(), String.valueOf(pr.refusals()));
                UpgradePlan plan = pr.plan();
                assertEquals("dba", Json.mapper().valueToTree(plan).path("installUser").asText(), plan.toString());

                Rehearsal.Result pre = new Rehearsal(shell, ME, null).preflight(plan);
                assertTrue(pre.compatible(), String.valueOf(pre.findings()));

                Rehearsal.Result r = new Rehearsal(shell, ME, null).rehearse(plan,
                        new Rehearsal.Options(List.of(), List.of(), 1, false));
                assertTrue(r.passed(), String.valueOf(r.findings()) + r.tables());
                assertTrue(r.tables().stream().anyMatch(t -> t.table().contains("items")), String.valueOf(r.tables()));
            } finally {
                CutoverIT.cleanUpAllOf(sc, ME);
            }
        }
    }
}
