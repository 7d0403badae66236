package dev.netmon.decode;

import static dev.netmon.decode.EventLayout.*;

import dev.netmon.event.Direction;
import dev.netmon.event.Endpoint;
import dev.netmon.event.EventHeader;
import dev.netmon.event.Family;
import dev.netmon.event.Flow;
import dev.netmon.event.NetEvent;
import dev.netmon.event.ProcessRef;
import dev.netmon.event.Protocol;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Turns one buffer record (a {@code struct netmon_event}, host byte order) into a {@link NetEvent}.
 * Everything is copied out, so the record's memory may be reused as soon as this returns.
 */
public final class EventDecoder {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final byte[] ZERO_ADDR = new byte[ADDR_LEN];
    private static final byte[] V4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private final CommNames commNames = new CommNames();

    /**
     * @throws MalformedEventException if the record is too short or names an unknown type, family or protocol;
     *     never any other exception
     */
    public NetEvent decode(MemorySegment record) {
        if (record.byteSize() < SIZE) {
            throw new MalformedEventException("record of " + record.byteSize() + " bytes, expected " + SIZE);
        }
        int type = u16(record, TYPE);
        int flags = u16(record, FLAGS);
        Protocol protocol = Protocol.ofNumber(u16(record, PROTOCOL));
        if (protocol == null) {
            throw new MalformedEventException("unknown protocol " + u16(record, PROTOCOL));
        }
        Flow flow = flow(record, protocol);
        EventHeader header = new EventHeader(
                record.get(U64, TS_NS),
                new ProcessRef(record.get(U32, PID), record.get(U32, TID), record.get(U32, UID), comm(record)),
                record.get(U64, CGROUP_ID),
                Integer.toUnsignedLong(record.get(U32, NETNS)),
                record.get(U64, CGROUP_V1_ID));
        return switch (type) {
            case TYPE_CONNECT -> new NetEvent.Connect(header, flow, record.get(U32, RESULT));
            case TYPE_ACCEPT -> new NetEvent.Accept(header, flow);
            case TYPE_CLOSE -> new NetEvent.Close(
                    header,
                    flow,
                    (flags & F_INBOUND) != 0 ? Direction.INBOUND : Direction.OUTBOUND,
                    record.get(U64, DURATION_NS),
                    (flags & F_BYTES) != 0
                            ? new NetEvent.Traffic(record.get(U64, BYTES_SENT), record.get(U64, BYTES_RECEIVED))
                            : null);
            default -> throw new MalformedEventException("unknown event type " + type);
        };
    }

    private static Flow flow(MemorySegment record, Protocol protocol) {
        int family = u16(record, FAMILY);
        byte[] src = record.asSlice(SRC_ADDR, ADDR_LEN).toArray(ValueLayout.JAVA_BYTE);
        byte[] dst = record.asSlice(DST_ADDR, ADDR_LEN).toArray(ValueLayout.JAVA_BYTE);
        int srcPort = u16(record, SRC_PORT);
        int dstPort = u16(record, DST_PORT);
        return switch (family) {
            case AF_INET -> new Flow(protocol, Family.IPv4, v4(src, 0, srcPort), v4(dst, 0, dstPort));
            case AF_INET6 -> {
                // A dual-stack socket talking IPv4 carries ::ffff:a.b.c.d; until the local side is bound it may
                // still be ::. Either way the connection is IPv4 and is printed as such.
                if ((isV4Mapped(dst) || isV4Mapped(src)) && mappedOrZero(dst) && mappedOrZero(src)) {
                    yield new Flow(protocol, Family.IPv4, v4(src, 12, srcPort), v4(dst, 12, dstPort));
                }
                yield new Flow(protocol, Family.IPv6, v6(src, srcPort), v6(dst, dstPort));
            }
            default -> throw new MalformedEventException("unknown address family " + family);
        };
    }

    private static boolean isV4Mapped(byte[] a) {
        return Arrays.equals(a, 0, 12, V4_MAPPED_PREFIX, 0, 12);
    }

    private static boolean mappedOrZero(byte[] a) {
        return isV4Mapped(a) || Arrays.equals(a, ZERO_ADDR);
    }

    private static Endpoint v4(byte[] a, int from, int port) {
        return endpoint(Arrays.copyOfRange(a, from, from + 4), port);
    }

    private static Endpoint v6(byte[] a, int port) {
        return endpoint(a, port);
    }

    private static Endpoint endpoint(byte[] raw, int port) {
        try {
            return new Endpoint(InetAddress.getByAddress(raw), port);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    private String comm(MemorySegment record) {
        return commNames.name(record, COMM, COMM_LEN);
    }

    private static int u16(MemorySegment record, long offset) {
        return Short.toUnsignedInt(record.get(U16, offset));
    }
}
