package dev.netmon.bpf;

import java.util.List;

/** Java mirror of {@code struct netmon_config} in bpf/netmon.h, checked against BTF by EventLayoutTest. */
public final class ConfigLayout {
    private ConfigLayout() {}

    public static final int SIZE = 36;
    public static final int EVENTS = 0;
    public static final int FILTER_PIDS = 4;
    public static final int USE_PERF = 8;
    public static final int WAKEUP_BYTES = 12;
    public static final int PROTOCOLS = 16;
    public static final int FILTER_PORTS = 20;
    public static final int FILTER_COMMS = 24;
    public static final int TASK_BTF = 28;
    public static final int TASK_STORAGE = 32;

    /** NETMON_PROTO_* */
    public static final int PROTO_TCP = 1;
    public static final int PROTO_UDP = 2;

    /** NETMON_EV_* */
    public static final int EV_CONNECT = 1;
    public static final int EV_ACCEPT = 2;
    public static final int EV_CLOSE = 4;

    public record Field(String name, int offset, int size) {}

    public static final List<Field> FIELDS = List.of(
            new Field("events", EVENTS, 4),
            new Field("filter_pids", FILTER_PIDS, 4),
            new Field("use_perf", USE_PERF, 4),
            new Field("wakeup_bytes", WAKEUP_BYTES, 4),
            new Field("protocols", PROTOCOLS, 4),
            new Field("filter_ports", FILTER_PORTS, 4),
            new Field("filter_comms", FILTER_COMMS, 4),
            new Field("task_btf", TASK_BTF, 4),
            new Field("task_storage", TASK_STORAGE, 4));
}
