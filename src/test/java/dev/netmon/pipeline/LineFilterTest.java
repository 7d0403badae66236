package dev.netmon.pipeline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.Endpoint;
import dev.netmon.event.Enrichment;
import dev.netmon.event.EventHeader;
import dev.netmon.event.Family;
import dev.netmon.event.Flow;
import dev.netmon.event.NetEvent;
import dev.netmon.event.ProcessRef;
import dev.netmon.event.Protocol;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The user-space filters: what each flag keeps, and that unknown attribution never matches by guess. */
class LineFilterTest {
    private static final ContainerInfo WEB = new ContainerInfo("a".repeat(64), "app", "web-7d4b9", "shop",
            "8f1a2b3c-1111-2222-3333-444455556666", "containerd", "nginx", null);

    @Test
    void namespaceKeepsOnlyThatNamespaceAndNeverUnknowns() throws Exception {
        LineFilter f = new LineFilter(Set.of("shop"), Set.of(), Set.of(), List.of(), List.of());
        assertTrue(f.test(line(WEB, "10.0.0.1", "10.0.0.2")));
        assertFalse(f.test(line(null, "10.0.0.1", "10.0.0.2")), "a host process is in no namespace");
        assertFalse(f.test(line(new ContainerInfo("b".repeat(64), null, null, null, null, null, null, null),
                "10.0.0.1", "10.0.0.2")), "partial attribution: namespace unknown");
    }

    @Test
    void excludeNamespaceLeavesUnknownsIn() throws Exception {
        LineFilter f = new LineFilter(Set.of(), Set.of("shop"), Set.of(), List.of(), List.of());
        assertFalse(f.test(line(WEB, "10.0.0.1", "10.0.0.2")));
        assertTrue(f.test(line(null, "10.0.0.1", "10.0.0.2")));
    }

    @Test
    void podByNameNamespaceSlashNameOrPrefix() throws Exception {
        for (String pattern : List.of("web-7d4b9", "shop/web-7d4b9", "web-*", "shop/web*", "*")) {
            assertTrue(new LineFilter(Set.of(), Set.of(), Set.of(pattern), List.of(), List.of())
                    .test(line(WEB, "10.0.0.1", "10.0.0.2")), pattern);
        }
        for (String pattern : List.of("web", "other/web-7d4b9", "db-*", "web-7d4b9x")) {
            assertFalse(new LineFilter(Set.of(), Set.of(), Set.of(pattern), List.of(), List.of())
                    .test(line(WEB, "10.0.0.1", "10.0.0.2")), pattern);
        }
    }

    @Test
    void cidrMatchesEitherEndAndExcludeWins() throws Exception {
        LineFilter to10 = new LineFilter(Set.of(), Set.of(), Set.of(), List.of(Cidr.parse("10.0.0.0/8")), List.of());
        assertTrue(to10.test(line(null, "192.0.2.1", "10.1.1.1")));
        assertTrue(to10.test(line(null, "10.1.1.1", "192.0.2.1")));
        assertFalse(to10.test(line(null, "192.0.2.1", "198.51.100.1")));
        LineFilter both = new LineFilter(Set.of(), Set.of(), Set.of(), List.of(Cidr.parse("10.0.0.0/8")),
                List.of(Cidr.parse("10.9.0.0/16")));
        assertFalse(both.test(line(null, "10.1.1.1", "10.9.0.1")));
        assertTrue(LineFilter.NONE.test(line(null, "::1", "::1")));
    }

    private static Attributed line(ContainerInfo c, String src, String dst) throws Exception {
        Family family = src.contains(":") ? Family.IPv6 : Family.IPv4;
        Flow flow = new Flow(Protocol.TCP, family, new Endpoint(InetAddress.getByName(src), 40000),
                new Endpoint(InetAddress.getByName(dst), 443));
        var header = new EventHeader(0, new ProcessRef(1, 1, 0, "p"), 1, 4026531840L, 0);
        return new Attributed(new NetEvent.Connect(header, flow, 0),
                new Attribution(c, null, c == null ? Enrichment.FULL : Enrichment.PARTIAL, null));
    }
}
