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
        return decode(record, 0, record.byteSize());
    }

    /**
     * The record of {@code size} bytes at {@code at} in {@code buffer}: read in place, so that the buffers hand each
     * record over without a slice of their memory (an object per event, which the JIT could not elide across the
     * sink; a tenth of what the reader thread allocated).
     *
     * @throws MalformedEventException as {@link #decode(MemorySegment)}
     */
    public NetEvent decode(MemorySegment buffer, long at, long size) {
        if (size < SIZE) {
            throw new MalformedEventException("record of " + size + " bytes, expected " + SIZE);
        }
        int type = u16(buffer, at + TYPE);
        int flags = u16(buffer, at + FLAGS);
        Protocol protocol = Protocol.ofNumber(u16(buffer, at + PROTOCOL));
        if (protocol == null) {
            throw new MalformedEventException("unknown protocol " + u16(buffer, at + PROTOCOL));
        }
        Flow flow = flow(buffer, at, protocol);
        EventHeader header = new EventHeader(
                buffer.get(U64, at + TS_NS),
                new ProcessRef(buffer.get(U32, at + PID), buffer.get(U32, at + TID), buffer.get(U32, at + UID),
                        commNames.name(buffer, at + COMM, COMM_LEN)),
                buffer.get(U64, at + CGROUP_ID),
                Integer.toUnsignedLong(buffer.get(U32, at + NETNS)),
                buffer.get(U64, at + CGROUP_V1_ID));
        return switch (type) {
            case TYPE_CONNECT -> new NetEvent.Connect(header, flow, buffer.get(U32, at + RESULT));
            case TYPE_ACCEPT -> new NetEvent.Accept(header, flow);
            case TYPE_CLOSE -> new NetEvent.Close(
                    header,
                    flow,
                    (flags & F_INBOUND) != 0 ? Direction.INBOUND : Direction.OUTBOUND,
                    buffer.get(U64, at + DURATION_NS),
                    (flags & F_BYTES) != 0
                            ? new NetEvent.Traffic(
                                    buffer.get(U64, at + BYTES_SENT), buffer.get(U64, at + BYTES_RECEIVED))
                            : null);
            default -> throw new MalformedEventException("unknown event type " + type);
        };
    }

    private Flow flow(MemorySegment record, long at, Protocol protocol) {
        int family = u16(record, at + FAMILY);
        int srcPort = u16(record, at + SRC_PORT);
        int dstPort = u16(record, at + DST_PORT);
        // Addresses as two big-endian halves each: network order, so the halves compare as the bytes would.
        long srcHigh = record.get(BE64, at + SRC_ADDR);
        long srcLow = record.get(BE64, at + SRC_ADDR + 8);
        long dstHigh = record.get(BE64, at + DST_ADDR);
        long dstLow = record.get(BE64, at + DST_ADDR + 8);
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

    private static int u16(MemorySegment record, long offset) {
        return Short.toUnsignedInt(record.get(U16, offset));
    }
}
