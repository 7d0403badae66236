package dev.netmon.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netmon.decode.EventEncoder.V4Wire;
import dev.netmon.event.EventArbitraries;
import dev.netmon.event.Family;
import dev.netmon.event.NetEvent;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/** The decoder against a test-side encoder of netmon.h, and against whatever else a buffer could hold. */
class EventDecoderProperties {
    private final EventDecoder decoder = new EventDecoder();

    @Property
    void decodesWhatTheKernelSideEncodes(@ForAll("events") NetEvent event, @ForAll V4Wire wire) {
        // The wire form only varies for IPv4 flows; an IPv6 flow is always AF_INET6.
        Object form = event.flow().family() == Family.IPv4 ? wire : "AF_INET6";
        Statistics.collect(event.getClass().getSimpleName(), event.flow().family(), form);
        assertEquals(event, decoder.decode(MemorySegment.ofArray(EventEncoder.encode(event, wire))));
    }

    /** Names are kept by their raw bytes between records: a name seen before, or a slot taken, changes nothing. */
    @Property
    void aDecoderThatHasSeenOtherRecordsDecodesAsAFreshOne(@ForAll("streams") List<NetEvent> events) {
        EventDecoder seasoned = new EventDecoder();
        for (NetEvent event : events) {
            byte[] record = EventEncoder.encode(event, V4Wire.AF_INET);
            assertEquals(new EventDecoder().decode(MemorySegment.ofArray(record)),
                    seasoned.decode(MemorySegment.ofArray(record)));
        }
    }

    /** Few process names, often repeated, as a host's connections are. */
    @Provide
    Arbitrary<List<NetEvent>> streams() {
        return EventArbitraries.comms().list().ofMinSize(1).ofMaxSize(5).flatMap(names ->
                EventArbitraries.netEvents(Arbitraries.of(names)).list().ofMaxSize(50));
    }

    @Property
    void rejectsBadRecordsOnlyWithMalformedEventException(@ForAll("records") byte[] record) {
        // Any other exception would escape the reader's callback; a NetEvent or this one is all it handles.
        String outcome;
        try {
            decoder.decode(MemorySegment.ofArray(record));
            outcome = "decoded";
        } catch (MalformedEventException e) {
            outcome = "malformed";
        }
        Statistics.collect(outcome);
    }

    /** The buffers hand over a place in their memory, among other records, rather than a slice of it. */
    @Property
    void decodesARecordInPlaceAmongOtherBytes(@ForAll("events") NetEvent event, @ForAll V4Wire wire,
            @ForAll("padding") byte[] before, @ForAll("padding") byte[] after) {
        byte[] record = EventEncoder.encode(event, wire);
        MemorySegment buffer = MemorySegment.ofArray(concat(before, record, after));
        assertEquals(event, decoder.decode(buffer, before.length, record.length));
    }

    /**
     * In place too, a bad record gives MalformedEventException and nothing else; it ends where the buffer does, so
     * a read past its stated size would fail with another exception.
     */
    @Property
    void rejectsBadRecordsInPlaceWithoutReadingPastThem(
            @ForAll("padding") byte[] before, @ForAll("records") byte[] record) {
        MemorySegment buffer = MemorySegment.ofArray(concat(before, record, new byte[0]));
        String outcome;
        try {
            decoder.decode(buffer, before.length, record.length);
            outcome = "decoded";
        } catch (MalformedEventException e) {
            outcome = "malformed";
        }
        Statistics.collect(outcome);
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c) {
        byte[] all = Arrays.copyOf(a, a.length + b.length + c.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        System.arraycopy(c, 0, all, a.length + b.length, c.length);
        return all;
    }

    @Property
    void ignoresThePaddingPerfAddsAfterTheStruct(
            @ForAll("events") NetEvent event, @ForAll V4Wire wire, @ForAll("padding") byte[] padding) {
        byte[] exact = EventEncoder.encode(event, wire);
        byte[] padded = Arrays.copyOf(exact, exact.length + padding.length);
        System.arraycopy(padding, 0, padded, exact.length, padding.length);
        assertEquals(decoder.decode(MemorySegment.ofArray(exact)), decoder.decode(MemorySegment.ofArray(padded)));
    }

    @Provide
    Arbitrary<NetEvent> events() {
        return EventArbitraries.netEvents(EventArbitraries.comms());
    }

    @Provide
    Arbitrary<byte[]> padding() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64);
    }

    @Provide
    Arbitrary<byte[]> records() {
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Arbitraries.frequencyOf(Tuple.of(1, noise), Tuple.of(3, almostValid()));
    }

    /** A valid record with a few bytes overwritten, mostly at the start of a field, and maybe cut short. */
    private Arbitrary<byte[]> almostValid() {
        Arbitrary<byte[]> valid = Combinators.combine(events(), Arbitraries.of(V4Wire.class)).as(EventEncoder::encode);
        Arbitrary<Integer> offsets = Arbitraries.oneOf(
                Arbitraries.of(EventLayout.FIELDS).map(EventLayout.Field::offset),
                Arbitraries.integers().between(0, EventLayout.SIZE - 1));
        Arbitrary<List<Tuple.Tuple2<Integer, Byte>>> edits =
                Combinators.combine(offsets, Arbitraries.bytes()).as(Tuple::of).list().ofMinSize(1).ofMaxSize(4);
        Arbitrary<Integer> lengths = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(EventLayout.SIZE)),
                Tuple.of(1, Arbitraries.integers().between(0, EventLayout.SIZE + 8)));
        return Combinators.combine(valid, edits, lengths).as((bytes, changes, length) -> {
            for (var change : changes) {
                bytes[change.get1()] = change.get2();
            }
            return Arrays.copyOf(bytes, length);
        });
    }
}
