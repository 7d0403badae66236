package dev.netmon.decode;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The process names of recent records, by their 16 raw bytes: a host's connections come from few processes, and
 * decoding the same comm into a new String for every event was an array, a String and a UTF-8 decode each time.
 * Returning the same String also lets the writers recognise a name they have already encoded. Direct-mapped, so a
 * lookup is two compares and a collision only costs a decode. Not thread-safe: one per decoder.
 */
final class CommNames {
    private static final int SLOTS = 256; // a power of two
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private final long[] low = new long[SLOTS];
    private final long[] high = new long[SLOTS];
    private final String[] names = new String[SLOTS];

    /** The comm of {@code length} (16) bytes at {@code offset}; the bytes are copied out only on a miss. */
    String name(MemorySegment record, long offset, int length) {
        if (length != 2 * Long.BYTES) {
            throw new IllegalArgumentException("the key is the comm's 16 bytes, not " + length);
        }
        long low8 = record.get(U64, offset);
        long high8 = record.get(U64, offset + 8);
        long h = (low8 * 0x9E3779B97F4A7C15L) ^ high8;
        int slot = (int) (h ^ (h >>> 29)) & (SLOTS - 1);
        String cached = names[slot];
        if (cached != null && low[slot] == low8 && high[slot] == high8) {
            return cached;
        }
        String decoded = decode(record.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
        low[slot] = low8;
        high[slot] = high8;
        names[slot] = decoded;
        return decoded;
    }

    /** The NUL-terminated (or 16-byte) comm in {@code raw} as UTF-8. */
    static String decode(byte[] raw) {
        int len = 0;
        while (len < raw.length && raw[len] != 0) {
            len++;
        }
        return new String(raw, 0, len, StandardCharsets.UTF_8);
    }
}
