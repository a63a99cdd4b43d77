package dev.twinshift.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerValidationTest {
    @Test
    void acceptsOrdinaryServers() {
        assertEquals(List.of(), ServerValidation.problems("db1", "db1.example.com", "22", "dba"));
        assertEquals(List.of(), ServerValidation.problems("Payments (prod)", "10.0.0.5", "2222", "postgres-admin"));
        assertEquals(List.of(), ServerValidation.problems("v6", "[2001:db8::1]", "22", "dba"));
    }

    @Test
    void explainsEachBadField() {
        List<String> p = ServerValidation.problems("", "db1 ;rm", "70000", "dba; id");
        assertEquals(4, p.size(), p.toString());
        assertTrue(p.get(1).contains("not a host name"));
        assertTrue(p.get(2).contains("1 to 65535"));
        assertTrue(p.get(3).startsWith("User:"));
    }

    @Test
    void refusesOptionLookingHosts() {
        assertTrue(ServerValidation.problems("x", "-oProxyCommand=id", "22", "dba").get(0).startsWith("Host:"));
    }

    @Test
    void tiesEveryProblemToItsField() {
        List<ServerValidation.Problem> p = ServerValidation.check("", "", "x", "");
        assertEquals(List.of(ServerValidation.Field.NAME, ServerValidation.Field.HOST, ServerValidation.Field.PORT,
                ServerValidation.Field.USER), p.stream().map(ServerValidation.Problem::field).toList());
        assertEquals("Host: enter a host name or an IP address.", p.get(1).sentence());
    }
}
