package dev.twinshift.bisect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.storage.Json;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ChangeReportTest {

    static ChangeReport.State state(Map<String, String> objects, Map<String, Long[]> rows, Map<String, String> ext,
                                    Map<String, String> settings) {
        return new ChangeReport.State(new TreeMap<>(Map.of("app", new ChangeReport.DatabaseState(new TreeMap<>(objects),
                new TreeMap<>(rows), new TreeMap<>(ext)))), new TreeMap<>(settings));
    }

    @Test
    void namesAddedDroppedAndAlteredObjectsTheBiggestRowCountChangesSettingsAndExtensions() {
        ChangeReport.State before = state(Map.of("relation public.orders", "table", "column public.orders.id", "bigint NOT NULL",
                        "column public.orders.total", "numeric(12,2)", "index public.orders_old_idx", "CREATE INDEX ..."),
                Map.of("public.orders", new Long[] {2000L, 1L}, "public.big", new Long[] {1_000_000L, 0L},
                        "public.same", new Long[] {5L, 1L}),
                Map.of("plpgsql", "1.0"), Map.of("work_mem", "4096 kB"));
        ChangeReport.State after = state(Map.of("relation public.orders", "table", "column public.orders.id", "bigint NOT NULL",
                        "column public.orders.total", "numeric(14,2)", "relation public.callbacks", "table",
                        "column public.callbacks.handler", "regproc"),
                Map.of("public.orders", new Long[] {2001L, 1L}, "public.big", new Long[] {1_500_000L, 0L},
                        "public.same", new Long[] {5L, 1L}, "public.callbacks", new Long[] {1L, 1L}),
                Map.of("plpgsql", "1.0", "pgcrypto", "1.3"), Map.of("work_mem", "64 MB"));
        ChangeReport r = ChangeReport.compare("v/a", "v/b", before, after);
        ChangeReport.DatabaseChanges app = r.databases().get(0);
        assertTrue(app.schema().contains(new ChangeReport.Change(ChangeReport.Kind.ADDED, "column", "public.callbacks.handler",
                null, "regproc")), app.schema().toString());
        assertTrue(app.schema().contains(new ChangeReport.Change(ChangeReport.Kind.ALTERED, "column", "public.orders.total",
                "numeric(12,2)", "numeric(14,2)")));
        assertTrue(app.schema().stream().anyMatch(c -> c.change() == ChangeReport.Kind.DROPPED && c.name().equals("public.orders_old_idx")));
        assertEquals(4, app.schema().size(), app.schema().toString());
        assertEquals("public.big", app.rowCounts().get(0).table(), "the biggest change first");
        assertTrue(!app.rowCounts().get(0).exact(), "an estimate is said to be one");
        assertTrue(app.rowCounts().stream().noneMatch(c -> c.table().equals("public.same")), "unchanged counts are left out");
        assertTrue(app.rowCounts().stream().anyMatch(c -> c.table().equals("public.callbacks") && c.before() == null));
        assertEquals(1, app.extensions().size());
        assertEquals("pgcrypto", app.extensions().get(0).name());
        assertEquals(1, r.settings().size());
        String md = r.markdown();
        assertTrue(md.contains("| app | added | column | `public.callbacks.handler` |  | regproc |"), md);
        assertTrue(md.contains("estimate") && md.contains("exact"), md);
        assertTrue(md.contains("`work_mem`"), md);
    }

    @Test
    void identicalSnapshotsSayNothingChangedAndTheReportSurvivesJson() throws Exception {
        ChangeReport.State s = state(Map.of("relation public.t", "table"), Map.of(), Map.of(), Map.of());
        ChangeReport r = ChangeReport.compare("v/a", "v/b", s, s);
        assertTrue(r.empty());
        assertTrue(r.markdown().contains("Nothing in the schema"), r.markdown());
        ChangeReport other = ChangeReport.compare("v/a", "v/b", s, state(Map.of(), Map.of(), Map.of(), Map.of()));
        String json = Json.mapper().writeValueAsString(other);
        assertEquals(other, Json.mapper().readValue(json, ChangeReport.class));
    }
}
