package dev.netmon.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * RingReader against a producer written here from the kernel's side of the protocol (kernel/bpf/ringbuf.c): the
 * same header bits, the same 8-byte rounding, positions that only grow. The real kernel's side is exercised by the
 * privileged ITs, which read every event through RingBuffer.
 */
class RingReaderTest {

    /** The kernel's half, over plain memory: reserve, fill, commit or discard. */
    static final class Producer {
        private static final VarHandle POS = JAVA_LONG.varHandle();
        private static final VarHandle HEADER = JAVA_INT.varHandle();

        final Arena arena = Arena.ofAuto();
        final MemorySegment consumerPos = arena.allocate(8, 8);
        final MemorySegment producerPos = arena.allocate(8, 8);
        final MemorySegment data;
        final long mask;
        byte next = 1;

        Producer(int dataSize, long start) {
            data = arena.allocate(dataSize, 8);
            mask = dataSize - 1;
            consumerPos.set(JAVA_LONG, 0, start);
            producerPos.set(JAVA_LONG, 0, start);
        }

        /** Bytes not yet handed back by the reader; its position read as the kernel reads it (acquire). */
        long free() {
            return mask + 1 - (producerPos.get(JAVA_LONG, 0) - (long) POS.getAcquire(consumerPos, 0L));
        }

        static long footprint(int size) {
            return (size + RingReader.HEADER + 7) & ~7L;
        }

        /** Reserves a record of {@code size} bytes, filled with a running byte pattern; its position, or -1 if full. */
        long reserve(int size, List<byte[]> expected, boolean discard) {
            if (footprint(size) > free()) {
                return -1;
            }
            byte[] payload = new byte[size];
            for (int i = 0; i < size; i++) {
                payload[i] = next++;
            }
            if (!discard) {
                expected.add(payload);
            }
            return place(payload);
        }

        /**
         * As the kernel reserves and fills a record: the header with the busy bit, the position published (a release
         * store, as smp_store_release), then the payload. Whether there is room is the caller's to check.
         */
        long place(byte[] payload) {
            long pos = producerPos.get(JAVA_LONG, 0); // only the producer writes it
            data.set(JAVA_INT, pos & mask, payload.length | RingReader.BUSY);
            POS.setRelease(producerPos, 0L, pos + footprint(payload.length));
            for (int i = 0; i < payload.length; i++) {
                data.set(JAVA_BYTE, (pos + RingReader.HEADER + i) & mask, payload[i]);
            }
            return pos;
        }

        /** As the kernel commits or discards: the header without the busy bit, with a release store. */
        void commit(long pos, boolean discard) {
            int header = data.get(JAVA_INT, pos & mask) & ~RingReader.BUSY;
            HEADER.setRelease(data, pos & mask, discard ? header | RingReader.DISCARD : header);
        }

        RingReader reader(List<byte[]> got) {
            return new RingReader(consumerPos, producerPos, data,
                    (buf, at, size) -> got.add(buf.asSlice(at, size).toArray(JAVA_BYTE)), arena);
        }
    }

    record Step(int size, boolean discard, int readAfter) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.integers().between(1, 120), Arbitraries.integers().between(0, 4),
                        Arbitraries.integers().between(0, 3))
                .as((size, d, r) -> new Step(size, d == 0, r))
                .list().ofMaxSize(80);
    }

    /**
     * Whatever the start position, sizes and moments of reading: every committed record arrives once, whole and in
     * order (wrapped ones too), discarded ones never, and each read hands back all it read.
     */
    @Property
    void recordsArriveWholeInOrderAndOnce(@ForAll("steps") List<Step> steps,
            @ForAll @IntRange(min = 0, max = 100_000) int startWords) {
        Producer p = new Producer(256, 8L * startWords);
        List<byte[]> expected = new ArrayList<>();
        List<byte[]> got = new ArrayList<>();
        RingReader reader = p.reader(got);
        for (Step s : steps) {
            long pos = p.reserve(s.size(), expected, s.discard());
            if (pos < 0) {
                reader.consume();
                pos = p.reserve(s.size(), expected, s.discard());
            }
            p.commit(pos, s.discard());
            if (s.readAfter() == 0) {
                reader.consume();
                assertEquals(p.producerPos.get(JAVA_LONG, 0), p.consumerPos.get(JAVA_LONG, 0));
            }
        }
        reader.consume();
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), got.get(i), "record " + i);
        }
        assertEquals(p.producerPos.get(JAVA_LONG, 0), p.consumerPos.get(JAVA_LONG, 0));
    }

    /**
     * The protocol under real concurrency: a producer thread reserves, fills and commits (or discards) records in a
     * one-page ring while this thread reads, so the ring wraps thousands of times and a reservation is often caught
     * busy. Every committed record must arrive once, in order and untorn: a record whose space were handed back
     * before its sink was done could be overwritten under it. Bounded by a deadline; it never sleeps.
     */
    @Test
    void aConcurrentProducerAndReaderAgreeOnEveryRecord() throws Exception {
        int records = 200_000;
        Producer p = new Producer(4096, 0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        AtomicReference<Throwable> producerFailed = new AtomicReference<>();
        AtomicBoolean readerGaveUp = new AtomicBoolean();
        Thread producer = Thread.ofPlatform().name("ring-producer").start(() -> {
            try {
                for (int seq = 0; seq < records; seq++) {
                    byte[] payload = new byte[sizeOf(seq)];
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] = payloadByte(seq, i);
                    }
                    // As the kernel's reserve: the ring never fills completely, at least 8 bytes stay free.
                    while (Producer.footprint(payload.length) >= p.free()) {
                        if (readerGaveUp.get()) {
                            return;
                        }
                        if (System.nanoTime() - deadline > 0) {
                            throw new AssertionError("the reader never made room for record " + seq);
                        }
                        Thread.onSpinWait();
                    }
                    p.commit(p.place(payload), isDiscarded(seq));
                }
            } catch (Throwable t) {
                producerFailed.set(t);
            }
        });
        int expected = 0;
        for (int seq = 0; seq < records; seq++) {
            expected += isDiscarded(seq) ? 0 : 1;
        }
        int[] next = {0}; // the sequence number the next delivered record must carry
        List<String> problems = new ArrayList<>();
        RingReader reader = new RingReader(p.consumerPos, p.producerPos, p.data, (buf, at, size) -> {
            while (isDiscarded(next[0])) {
                next[0]++;
            }
            int seq = next[0]++;
            if (size != sizeOf(seq)) {
                problems.add("record " + seq + ": " + size + " bytes, expected " + sizeOf(seq));
                return;
            }
            for (int i = 0; i < size; i++) {
                if (buf.get(JAVA_BYTE, at + i) != payloadByte(seq, i)) {
                    problems.add("record " + seq + " torn at byte " + i);
                    return;
                }
            }
        }, p.arena);
        int delivered = 0;
        try {
            while (delivered < expected && problems.isEmpty() && producerFailed.get() == null) {
                assertTrue(System.nanoTime() - deadline < 0, "only " + delivered + " of " + expected + " records read");
                delivered += reader.consume();
            }
        } finally {
            readerGaveUp.set(true); // a producer waiting for room stops waiting
        }
        producer.join(TimeUnit.SECONDS.toMillis(30));
        // The last records may be discarded ones the loop did not need to reach: the producer is done, read them.
        delivered += reader.consume();
        assertEquals(List.of(), problems.stream().limit(5).toList());
        assertEquals(null, producerFailed.get());
        assertEquals(expected, delivered);
        assertEquals(0, reader.sinkFailures());
        assertEquals(p.producerPos.get(JAVA_LONG, 0), p.consumerPos.get(JAVA_LONG, 0));
    }

    /** 1-120 bytes, so that records wrap at every offset of a 4 KiB ring. */
    private static int sizeOf(int seq) {
        return 1 + (seq * 7) % 120;
    }

    private static boolean isDiscarded(int seq) {
        return seq % 10 == 9;
    }

    private static byte payloadByte(int seq, int i) {
        return (byte) (seq * 31 + i);
    }

    @Test
    void aReservedRecordHoldsBackTheCommittedOnesBehindIt() {
        Producer p = new Producer(4096, 0);
        List<byte[]> expected = new ArrayList<>();
        List<byte[]> got = new ArrayList<>();
        RingReader reader = p.reader(got);
        p.commit(p.reserve(16, expected, false), false);
        long pending = p.reserve(16, expected, false);
        p.commit(p.reserve(16, expected, false), false);

        assertEquals(1, reader.consume());
        assertEquals(Producer.footprint(16), p.consumerPos.get(JAVA_LONG, 0), "space handed back up to the busy one");

        p.commit(pending, false);
        assertEquals(2, reader.consume());
        assertEquals(3, got.size());
        assertArrayEquals(expected.get(1), got.get(1));
    }

    @Test
    void aRecordWrappingPastTheEndArrivesAsOnePiece() {
        Producer p = new Producer(256, 256 - 8 - 4); // header ends 4 bytes before the end: 4 + 96 wrap
        List<byte[]> expected = new ArrayList<>();
        List<byte[]> got = new ArrayList<>();
        p.commit(p.reserve(100, expected, false), false);

        assertEquals(1, p.reader(got).consume());
        assertArrayEquals(expected.get(0), got.get(0));
    }

    @Test
    void aSinkThatThrowsIsCountedAndReadingGoesOn() {
        Producer p = new Producer(4096, 0);
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            p.commit(p.reserve(8, expected, false), false);
        }
        List<Long> seen = new ArrayList<>();
        RingReader reader = new RingReader(p.consumerPos, p.producerPos, p.data, (buf, at, size) -> {
            seen.add(size);
            if (seen.size() == 2) {
                throw new IllegalStateException("sink failed");
            }
        }, p.arena);

        assertEquals(3, reader.consume());
        assertEquals(3, seen.size());
        assertEquals(1, reader.sinkFailures());
    }

    @Test
    void spaceIsHandedBackWhileALongReadGoesOn() {
        Producer p = new Producer(1 << 20, 0);
        List<byte[]> expected = new ArrayList<>();
        List<Long> positionsSeen = new ArrayList<>();
        int records = (int) (3 * RingReader.RELEASE_EVERY / Producer.footprint(120));
        for (int i = 0; i < records; i++) {
            p.commit(p.reserve(120, expected, false), false);
        }
        RingReader reader = new RingReader(p.consumerPos, p.producerPos, p.data,
                (buf, at, size) -> positionsSeen.add(p.consumerPos.get(JAVA_LONG, 0)), p.arena);

        assertEquals(records, reader.consume());
        // Seen by the sink before each record's space is handed back: the first third at 0, then each step.
        assertEquals(List.of(0L, RingReader.RELEASE_EVERY, 2 * RingReader.RELEASE_EVERY),
                positionsSeen.stream().distinct().toList(),
                "every RELEASE_EVERY bytes, not per record and not only at the end");
        assertEquals(p.producerPos.get(JAVA_LONG, 0), p.consumerPos.get(JAVA_LONG, 0));
    }

    @Test
    void aSmallRingIsHandedBackEveryEighth() {
        Producer p = new Producer(4096, 0);
        List<byte[]> expected = new ArrayList<>();
        List<Long> positionsSeen = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            p.commit(p.reserve(120, expected, false), false); // 128 bytes each: 512 bytes is every fourth
        }
        RingReader reader = new RingReader(p.consumerPos, p.producerPos, p.data,
                (buf, at, size) -> positionsSeen.add(p.consumerPos.get(JAVA_LONG, 0)), p.arena);

        assertEquals(8, reader.consume());
        assertEquals(List.of(0L, 512L), positionsSeen.stream().distinct().toList());
    }

    @Test
    void aLengthLargerThanTheRingIsRefused() {
        Producer p = new Producer(256, 0);
        p.data.set(JAVA_INT, 0, 4096);
        p.producerPos.set(JAVA_LONG, 0, 8);

        assertThrows(IllegalStateException.class, () -> p.reader(new ArrayList<>()).consume());
    }

    @Test
    void aDataAreaNotAPowerOfTwoIsRefused() {
        Producer p = new Producer(256, 0);
        assertThrows(IllegalArgumentException.class,
                () -> new RingReader(p.consumerPos, p.producerPos, p.data.asSlice(0, 200), (buf, at, size) -> { },
                        p.arena));
    }
}
