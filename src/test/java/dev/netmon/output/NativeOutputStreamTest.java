package dev.netmon.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class NativeOutputStreamTest {

    /** What a write(2) would have received, one entry per call. */
    static final class Recording implements NativeOutputStream.Sink {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Long> calls = new ArrayList<>();

        @Override
        public void writeFully(MemorySegment from, long length) {
            calls.add(length);
            bytes.writeBytes(from.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Provide
    Arbitrary<List<byte[]>> chunks() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(100).list().ofMaxSize(50);
    }

    /** Whatever the sizes of the writes and of the buffer: the bytes arrive whole, in order, in full buffers. */
    @Property
    void bytesArriveInOrderInFullBuffers(@ForAll("chunks") List<byte[]> chunks,
            @ForAll @IntRange(min = 1, max = 64) int capacity, @ForAll boolean flushBetween) throws IOException {
        Recording sink = new Recording();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (NativeOutputStream out = new NativeOutputStream(sink, capacity)) {
            for (byte[] c : chunks) {
                if (c.length == 1) {
                    out.write(c[0]);
                } else {
                    out.write(c, 0, c.length);
                }
                expected.writeBytes(c);
                if (flushBetween) {
                    out.flush();
                }
            }
        }
        assertArrayEquals(expected.toByteArray(), sink.bytes.toByteArray());
        if (!flushBetween) {
            for (int i = 0; i < sink.calls.size() - 1; i++) {
                assertEquals(capacity, sink.calls.get(i), "only the last write is short");
            }
        }
        assertTrue(sink.calls.stream().allMatch(n -> n > 0), "no empty writes: " + sink.calls);
    }

    @Test
    void nothingIsWrittenBeforeAFlushOrAFullBuffer() throws IOException {
        Recording sink = new Recording();
        NativeOutputStream out = new NativeOutputStream(sink, 16);
        out.write(new byte[] {1, 2, 3}, 0, 3);
        assertEquals(List.of(), sink.calls);
        out.flush();
        assertEquals(List.of(3L), sink.calls);
    }

    @Test
    void aFailedWriteIsTheCallersAndTheStreamCanBeClosed() throws IOException {
        NativeOutputStream out = new NativeOutputStream((from, length) -> {
            throw new IOException("write failed: EPIPE");
        }, 16);
        out.write(7);
        IOException e = assertThrows(IOException.class, out::flush);
        assertEquals("write failed: EPIPE", e.getMessage());
        out.close(); // nothing left to write: the failed bytes are not tried again
        assertThrows(IOException.class, () -> out.write(1));
    }

    @Test
    void writesOutsideTheArrayAreRefused() {
        NativeOutputStream out = new NativeOutputStream(new Recording(), 16);
        assertThrows(IndexOutOfBoundsException.class, () -> out.write(new byte[4], 2, 3));
    }
}
