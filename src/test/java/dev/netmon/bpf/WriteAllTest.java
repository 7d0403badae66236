package dev.netmon.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LibBpf.writeAll, the loop behind stdout's write(2), over scripted writes; and which library owns which call. */
class WriteAllTest {
    private static final int EPIPE = 32;

    /** Plays a script of results (positive: write at most that many bytes; negative: fail with that errno). */
    static final class Scripted implements LibBpf.WriteCall {
        final Deque<Long> script;
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        int calls;

        Scripted(List<Long> script) {
            this.script = new ArrayDeque<>(script);
        }

        @Override
        public long write(MemorySegment at, long length) {
            calls++;
            long next = script.isEmpty() ? length : script.poll();
            if (next <= 0) {
                return next;
            }
            long n = Math.min(next, length);
            written.writeBytes(at.asSlice(0, n).toArray(JAVA_BYTE));
            return n;
        }
    }

    private static MemorySegment bytes(int n) {
        MemorySegment s = Arena.ofAuto().allocate(n);
        for (int i = 0; i < n; i++) {
            s.set(JAVA_BYTE, i, (byte) i);
        }
        return s;
    }

    @Test
    void shortWritesGoOnFromWhereTheyStopped() throws IOException {
        MemorySegment data = bytes(100);
        Scripted w = new Scripted(List.of(7L, 1L, 30L));
        LibBpf.writeAll(data, 100, w, e -> "errno " + e);
        assertArrayEquals(data.toArray(JAVA_BYTE), w.written.toByteArray());
        assertEquals(4, w.calls);
    }

    @Test
    void anInterruptedWriteIsRetried() throws IOException {
        Scripted w = new Scripted(List.of((long) -LibBpf.EINTR, (long) -LibBpf.EINTR));
        LibBpf.writeAll(bytes(10), 10, w, e -> "errno " + e);
        assertEquals(10, w.written.size());
        assertEquals(3, w.calls);
    }

    @Test
    void aBrokenPipeIsAnIOExceptionNamingIt() {
        Scripted w = new Scripted(List.of(4L, (long) -EPIPE));
        IOException e = assertThrows(IOException.class, () -> LibBpf.writeAll(bytes(10), 10, w, n -> "errno " + n));
        assertEquals("errno 32", e.getMessage());
    }

    @Test
    void writingNothingAndEndlessInterruptionsEndTheLoop() {
        assertThrows(IOException.class, () -> LibBpf.writeAll(bytes(10), 10, new Scripted(List.of(0L)), n -> ""));
        Scripted interrupted = new Scripted(java.util.Collections.nCopies(5000, (long) -LibBpf.EINTR));
        assertThrows(IOException.class, () -> LibBpf.writeAll(bytes(10), 10, interrupted, n -> ""));
        assertTrue(interrupted.calls <= 1001, "bounded: " + interrupted.calls);
    }

    /** The classification behind "libbpf.so.1 has no symbol X" and "the C library has no symbol X". */
    @Test
    void eachCallIsLibbpfsExactlyWhenTheCLibraryLacksIt() {
        // (A lookup in libbpf.so.1 finds libc's names too: dlsym searches a library's dependencies.)
        SymbolLookup libc = Linker.nativeLinker().defaultLookup();
        for (LibBpf.Downcall call : LibBpf.Downcall.values()) {
            assertEquals(libc.find(call.symbol).isEmpty(), LibBpf.libbpfs(call.symbol), call.symbol);
        }
    }
}
