package dev.netmon.decode;

import java.util.List;

/**
 * Java mirror of {@code struct netmon_event} in bpf/netmon.h. EventLayoutTest checks every entry against the
 * BTF of the compiled BPF object, so a change on one side fails the build until the other follows.
 */
public final class EventLayout {
    private EventLayout() {}

    public static final int SIZE = 128;

    public static final int TS_NS = 0;
    public static final int CGROUP_ID = 8;
    public static final int DURATION_NS = 16;
    public static final int BYTES_SENT = 24;
    public static final int BYTES_RECEIVED = 32;
    public static final int PID = 40;
    public static final int TID = 44;
    public static final int UID = 48;
    public static final int NETNS = 52;
    public static final int RESULT = 56;
    public static final int TYPE = 60;
    public static final int FLAGS = 62;
    public static final int FAMILY = 64;
    public static final int PROTOCOL = 66;
    public static final int SRC_PORT = 68;
    public static final int DST_PORT = 70;
    public static final int SRC_ADDR = 72;
    public static final int DST_ADDR = 88;
    public static final int COMM = 104;
    public static final int CGROUP_V1_ID = 120;
    public static final int ADDR_LEN = 16;
    public static final int COMM_LEN = 16;

    /** enum netmon_event_type */
    public static final int TYPE_CONNECT = 1;
    public static final int TYPE_ACCEPT = 2;
    public static final int TYPE_CLOSE = 3;

    /** NETMON_F_* */
    public static final int F_BYTES = 1;
    public static final int F_INBOUND = 2;

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    /** A field of the struct: name as in netmon.h, byte offset, byte size. */
    public record Field(String name, int offset, int size) {}

    public static final List<Field> FIELDS = List.of(
            new Field("ts_ns", TS_NS, 8),
            new Field("cgroup_id", CGROUP_ID, 8),
            new Field("duration_ns", DURATION_NS, 8),
            new Field("bytes_sent", BYTES_SENT, 8),
            new Field("bytes_received", BYTES_RECEIVED, 8),
            new Field("pid", PID, 4),
            new Field("tid", TID, 4),
            new Field("uid", UID, 4),
            new Field("netns", NETNS, 4),
            new Field("result", RESULT, 4),
            new Field("type", TYPE, 2),
            new Field("flags", FLAGS, 2),
            new Field("family", FAMILY, 2),
            new Field("protocol", PROTOCOL, 2),
            new Field("src_port", SRC_PORT, 2),
            new Field("dst_port", DST_PORT, 2),
            new Field("src_addr", SRC_ADDR, ADDR_LEN),
            new Field("dst_addr", DST_ADDR, ADDR_LEN),
            new Field("comm", COMM, COMM_LEN),
            new Field("cgroup_v1_id", CGROUP_V1_ID, 8));
}
