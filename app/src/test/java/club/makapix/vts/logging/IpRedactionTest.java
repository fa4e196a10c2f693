package club.makapix.vts.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class IpRedactionTest {
    @Test
    void masksIpv4AndIpv6ButNotTimesOrVersions() {
        assertEquals("client [ip]:51234 connected", IpRedaction.redact("client 203.0.113.7:51234 connected"));
        assertEquals("peer /[ip] refused", IpRedaction.redact("peer /2001:db8::1 refused"));
        assertEquals("peer [ip]", IpRedaction.redact("peer fe80:0:0:0:202:b3ff:fe1e:8329"));
        assertEquals("mapped [ip]", IpRedaction.redact("mapped ::ffff:198.51.100.2"));
        assertEquals("at 12:21:30.123 HiveMQ 2025.5 v1.2.3", IpRedaction.redact("at 12:21:30.123 HiveMQ 2025.5 v1.2.3"));
        assertEquals("uuid 550e8400-e29b-41d4-a716-446655440000", IpRedaction.redact("uuid 550e8400-e29b-41d4-a716-446655440000"));
    }
}
