package dev.netmon.bench;

import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.Direction;
import dev.netmon.event.Endpoint;
import dev.netmon.event.Enrichment;
import dev.netmon.event.EventArbitraries;
import dev.netmon.event.EventHeader;
import dev.netmon.event.Family;
import dev.netmon.event.Flow;
import dev.netmon.event.NetEvent;
import dev.netmon.event.ProcessRef;
import dev.netmon.event.Protocol;
import java.util.List;
import java.util.Map;

/** The events of one loadgen cycle, and the same in a pod, as the microbenchmarks feed them to each stage. */
public final class SampleEvents {
    private SampleEvents() {}

    public static final String CONTAINER_ID = "4c01db0b339c2a4e1b7a9d0e8f5e6b2c1d3a4f5e6b7c8d9e0f1a2b3c4d5e6f79";
    public static final String POD_UID = "8f1a2b3c-1111-2222-3333-444455556666";
    private static final long TS = 2_350_674_533_142L;
    private static final EventHeader HEADER =
            new EventHeader(TS, new ProcessRef(24233, 24234, 0, "loadgen"), 1, 4026531833L, 0);

    private static Flow loopback(Family family, String ip, int srcPort) {
        var addr = EventArbitraries.literal(ip);
        return new Flow(Protocol.TCP, family, new Endpoint(addr, srcPort), new Endpoint(addr, 46269));
    }

    private static final Flow V4 = loopback(Family.IPv4, "127.0.0.1", 33554);
    private static final Flow V6 = loopback(Family.IPv6, "::1", 33554);

    public static NetEvent connect() {
        return new NetEvent.Connect(HEADER, V4, 0);
    }

    public static NetEvent accept() {
        return new NetEvent.Accept(HEADER, V4);
    }

    public static NetEvent close(Direction direction) {
        return new NetEvent.Close(HEADER, V4, direction, 32_508, new NetEvent.Traffic(0, 0));
    }

    public static NetEvent closeV6() {
        return new NetEvent.Close(HEADER, V6, Direction.OUTBOUND, 32_508, new NetEvent.Traffic(1074, 79));
    }

    /** One loadgen cycle: CONNECT, ACCEPT, and the two CLOSEs. */
    public static List<NetEvent> cycle() {
        return List.of(connect(), accept(), close(Direction.OUTBOUND), close(Direction.INBOUND));
    }

    /** A host process on this VM: its cgroup is the root, so no unit and no container. */
    public static final Attribution HOST = new Attribution(null, null, Enrichment.FULL, "/");

    /** A container known from its cgroup path only (--no-cri): id, pod uid and runtime. */
    public static final Attribution POD = new Attribution(
            new ContainerInfo(CONTAINER_ID, null, null, null, POD_UID, "containerd", null, Map.of()), null,
            Enrichment.PARTIAL, "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
                    + POD_UID.replace('-', '_') + ".slice/cri-containerd-" + CONTAINER_ID + ".scope");

    /** The cycle's events as the writer gets them. */
    public static List<Attributed> cycle(Attribution attribution) {
        return cycle().stream().map(e -> new Attributed(e, attribution)).toList();
    }
}
