package dev.netmon.output;

import dev.netmon.event.Endpoint;
import dev.netmon.event.EventArbitraries;
import dev.netmon.event.EventHeader;
import dev.netmon.event.Family;
import dev.netmon.event.Flow;
import dev.netmon.event.ProcessRef;
import dev.netmon.event.Protocol;
import java.util.function.LongUnaryOperator;

/** The fixed values the exact-line tests of every format share, so their expected lines read alike. */
final class Samples {
    /** Boot at 2023-11-14T22:13:20Z. */
    static final LongUnaryOperator BOOTED_AT_1_7E9 = ns -> ns + 1_700_000_000_000_000_000L;

    private Samples() {}

    /** pid 1234, tid 1235, uid 1000, cgroup 42, netns 4026531840. */
    static EventHeader header(long monotonicNs, String process) {
        return new EventHeader(monotonicNs, new ProcessRef(1234, 1235, 1000, process), 42, 4_026_531_840L, 43);
    }

    static Flow tcp(String srcIp, int srcPort, String dstIp, int dstPort) {
        return flow(Protocol.TCP, srcIp, srcPort, dstIp, dstPort);
    }

    static Flow udp(String srcIp, int srcPort, String dstIp, int dstPort) {
        return flow(Protocol.UDP, srcIp, srcPort, dstIp, dstPort);
    }

    private static Flow flow(Protocol protocol, String srcIp, int srcPort, String dstIp, int dstPort) {
        var src = new Endpoint(EventArbitraries.literal(srcIp), srcPort);
        var dst = new Endpoint(EventArbitraries.literal(dstIp), dstPort);
        return new Flow(protocol, srcIp.contains(":") ? Family.IPv6 : Family.IPv4, src, dst);
    }
}
