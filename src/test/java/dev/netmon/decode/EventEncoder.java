package dev.netmon.decode;

import static dev.netmon.decode.EventLayout.*;

import dev.netmon.event.Direction;
import dev.netmon.event.Endpoint;
import dev.netmon.event.Family;
import dev.netmon.event.Flow;
import dev.netmon.event.NetEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The BPF side's half of netmon.h, written from the struct comments, so the decoder can be checked against it. */
final class EventEncoder {
    private EventEncoder() {}

    /** How an IPv4 flow reaches the decoder: from an AF_INET socket, or from a dual-stack AF_INET6 one. */
    enum V4Wire {
        AF_INET,
        /** both ends as ::ffff:a.b.c.d */
        MAPPED,
        /** as MAPPED, but a 0.0.0.0 source is still :: because the socket is not bound yet */
        MAPPED_UNBOUND_SRC
    }

    static byte[] encode(NetEvent event, V4Wire wire) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
        var header = event.header();
        var process = header.process();
        b.putLong(TS_NS, header.monotonicNs());
        b.putLong(CGROUP_ID, header.cgroupId());
        b.putLong(CGROUP_V1_ID, header.cgroupV1Id());
        b.putInt(PID, process.pid());
        b.putInt(TID, process.tid());
        b.putInt(UID, process.uid());
        b.putInt(NETNS, (int) header.netns());
        switch (event) {
            case NetEvent.Connect c -> {
                b.putShort(TYPE, (short) TYPE_CONNECT);
                b.putInt(RESULT, c.result());
            }
            case NetEvent.Accept a -> {
                b.putShort(TYPE, (short) TYPE_ACCEPT);
                b.putShort(FLAGS, (short) F_INBOUND);
            }
            case NetEvent.Close c -> {
                b.putShort(TYPE, (short) TYPE_CLOSE);
                int flags = c.direction() == Direction.INBOUND ? F_INBOUND : 0;
                b.putLong(DURATION_NS, c.durationNs());
                if (c.traffic() != null) {
                    flags |= F_BYTES;
                    b.putLong(BYTES_SENT, c.traffic().sent());
                    b.putLong(BYTES_RECEIVED, c.traffic().received());
                } else {
                    // Leftovers the decoder must ignore without NETMON_F_BYTES.
                    b.putLong(BYTES_SENT, -1).putLong(BYTES_RECEIVED, 42);
                }
                b.putShort(FLAGS, (short) flags);
            }
        }
        putFlow(b, event.flow(), wire);
        b.put(COMM, process.name().getBytes(StandardCharsets.US_ASCII)); // at most 15 bytes: the rest stays NUL
        return b.array();
    }

    private static void putFlow(ByteBuffer b, Flow flow, V4Wire wire) {
        boolean v4 = flow.family() == Family.IPv4;
        b.putShort(FAMILY, (short) (v4 && wire == V4Wire.AF_INET ? AF_INET : AF_INET6));
        b.putShort(PROTOCOL, (short) flow.protocol().number());
        b.putShort(SRC_PORT, (short) flow.src().port());
        b.putShort(DST_PORT, (short) flow.dst().port());
        b.put(SRC_ADDR, wireAddress(flow.src(), v4, wire, wire == V4Wire.MAPPED_UNBOUND_SRC));
        b.put(DST_ADDR, wireAddress(flow.dst(), v4, wire, false));
    }

    private static byte[] wireAddress(Endpoint end, boolean v4, V4Wire wire, boolean zeroAsUnspecified) {
        byte[] raw = end.address().getAddress();
        if (!v4) {
            return raw;
        }
        byte[] out = new byte[ADDR_LEN];
        if (wire == V4Wire.AF_INET) {
            System.arraycopy(raw, 0, out, 0, 4);
        } else if (!(zeroAsUnspecified && Arrays.equals(raw, new byte[4]))) {
            out[10] = (byte) 0xff;
            out[11] = (byte) 0xff;
            System.arraycopy(raw, 0, out, 12, 4);
        }
        return out;
    }
}
