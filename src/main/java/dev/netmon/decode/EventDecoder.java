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
import java.nio.ByteOrder;

/**
 * Turns one buffer record (a {@code struct netmon_event}, host byte order) into a {@link NetEvent}.
 * Everything is copied out, so the record's memory may be reused as soon as this returns.
 */
public final class EventDecoder {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final CommNames commNames = new CommNames();
    private final Addresses addresses = new Addresses();

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

    private Flow flow(MemorySegment record, Protocol protocol) {
        int family = u16(record, FAMILY);
        int srcPort = u16(record, SRC_PORT);
        int dstPort = u16(record, DST_PORT);
        // Addresses as two big-endian halves each: network order, so the halves compare as the bytes would.
        long srcHigh = record.get(BE64, SRC_ADDR);
        long srcLow = record.get(BE64, SRC_ADDR + 8);
        long dstHigh = record.get(BE64, DST_ADDR);
        long dstLow = record.get(BE64, DST_ADDR + 8);
        return switch (family) {
            case AF_INET -> new Flow(protocol, Family.IPv4,
                    new Endpoint(addresses.v4((int) (srcHigh >>> 32)), srcPort),
                    new Endpoint(addresses.v4((int) (dstHigh >>> 32)), dstPort));
            case AF_INET6 -> {
                // A dual-stack socket talking IPv4 carries ::ffff:a.b.c.d; until the local side is bound it may
                // still be ::. Either way the connection is IPv4 and is printed as such.
                if ((isV4Mapped(dstHigh, dstLow) || isV4Mapped(srcHigh, srcLow))
                        && mappedOrZero(dstHigh, dstLow) && mappedOrZero(srcHigh, srcLow)) {
                    yield new Flow(protocol, Family.IPv4,
                            new Endpoint(addresses.v4((int) srcLow), srcPort),
                            new Endpoint(addresses.v4((int) dstLow), dstPort));
                }
                yield new Flow(protocol, Family.IPv6,
                        new Endpoint(addresses.v6(srcHigh, srcLow), srcPort),
                        new Endpoint(addresses.v6(dstHigh, dstLow), dstPort));
            }
            default -> throw new MalformedEventException("unknown address family " + family);
        };
    }

    /** ::ffff:0:0/96 */
    private static boolean isV4Mapped(long high, long low) {
        return high == 0 && (low >>> 32) == 0xffffL;
    }

    private static boolean mappedOrZero(long high, long low) {
        return isV4Mapped(high, low) || (high == 0 && low == 0);
    }

    private String comm(MemorySegment record) {
        return commNames.name(record, COMM, COMM_LEN);
    }

    private static int u16(MemorySegment record, long offset) {
        return Short.toUnsignedInt(record.get(U16, offset));
    }
}
