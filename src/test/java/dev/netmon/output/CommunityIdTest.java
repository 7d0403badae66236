package dev.netmon.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.event.Endpoint;
import dev.netmon.event.EventArbitraries;
import dev.netmon.event.Flow;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The spec's own published vectors, so that netmon's IDs join Zeek's, Suricata's and Elastic's. */
class CommunityIdTest {

    /**
     * Every port-carrying entry (TCP 6, UDP 17, SCTP 132) of github.com/corelight/community-id-spec: the "Default
     * settings" table in baseline/README.md (first block) and baseline/baseline_deflt.json (second block), each
     * flow in both directions, as published. ICMP (type/code mapping) and port-less protocols are not hashed by
     * netmon and are left out.
     */
    @ParameterizedTest(name = "{0} {1}:{3} -> {2}:{4}")
    @CsvSource({
        "6,   1.2.3.4,         5.6.7.8,         1122,  3344,  1:wCb3OG7yAFWelaUydu0D+125CLM=",
        "6,   5.6.7.8,         1.2.3.4,         3344,  1122,  1:wCb3OG7yAFWelaUydu0D+125CLM=",
        "17,  1.2.3.4,         5.6.7.8,         1122,  3344,  1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=",
        "17,  5.6.7.8,         1.2.3.4,         3344,  1122,  1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=",
        "132, 1.2.3.4,         5.6.7.8,         1122,  3344,  1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=",
        "132, 5.6.7.8,         1.2.3.4,         3344,  1122,  1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=",

        "6,   2001:470:e5bf:dead:4957:2174:e82c:4887, 2607:f8b0:400c:c03::1a, 63943, 25, 1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=",
        "6,   2607:f8b0:400c:c03::1a, 2001:470:e5bf:dead:4957:2174:e82c:4887, 25, 63943, 1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=",
        "132, 192.168.170.8,   192.168.170.56,  7,     7,     1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=",
        "132, 192.168.170.56,  192.168.170.8,   7,     7,     1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=",
        "6,   128.232.110.120, 66.35.250.204,   34855, 80,    1:LQU9qZlK+B5F3KDmev6m5PMibrg=",
        "6,   66.35.250.204,   128.232.110.120, 80,    34855, 1:LQU9qZlK+B5F3KDmev6m5PMibrg=",
        "17,  192.168.1.52,    8.8.8.8,         54585, 53,    1:d/FP5EW3wiY1vCndhwleRRKHowQ=",
        "17,  8.8.8.8,         192.168.1.52,    53,    54585, 1:d/FP5EW3wiY1vCndhwleRRKHowQ=",
    })
    void matchesTheSpecBaseline(int protocol, String srcIp, String dstIp, int srcPort, int dstPort, String expected) {
        var src = new Endpoint(EventArbitraries.literal(srcIp), srcPort);
        var dst = new Endpoint(EventArbitraries.literal(dstIp), dstPort);
        assertEquals(expected, new CommunityId().v1(protocol, src, dst));
    }

    @Property
    void swappingTheEndsGivesTheSameId(@ForAll("flows") Flow flow) {
        var ids = new CommunityId();
        var reversed = new Flow(flow.protocol(), flow.family(), flow.dst(), flow.src());
        Statistics.collect(flow.family(), flow.src().address().equals(flow.dst().address()) ? "same address" : "two addresses");
        assertEquals(ids.of(flow), ids.of(reversed));
    }

    @Property
    void isVersionOneAndBase64OfTwentyBytes(@ForAll("flows") Flow flow) {
        String id = new CommunityId().of(flow);
        assertTrue(id.matches("1:[A-Za-z0-9+/]{27}="), id);
    }

    /** Arbitrary flows, plus flows whose ends share the address, where only the ports decide the order. */
    @Provide
    Arbitrary<Flow> flows() {
        Arbitrary<Flow> sameAddress = EventArbitraries.flows()
                .map(f -> new Flow(f.protocol(), f.family(), f.src(), new Endpoint(f.src().address(), f.dst().port())));
        return Arbitraries.oneOf(EventArbitraries.flows(), sameAddress);
    }
}
