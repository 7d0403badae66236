package dev.netmon.output;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import dev.netmon.event.Endpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * The values on every line that are ASCII by construction (timestamps, addresses), written into the generator as
 * bytes: they never need escaping, and formatting them as Strings first was most of a line's allocation. Not
 * thread-safe: one instance per writer.
 */
final class AsciiValues {
    /** Recent addresses' text, by identity: the decoder hands out the same InetAddress for the same address. */
    private static final int IP_SLOTS = 64; // a power of two

    private final Rfc3339 timestamps = new Rfc3339();
    private final byte[] ip = new byte[Endpoint.MAX_IP_LENGTH];
    private final InetAddress[] ipKeys = new InetAddress[IP_SLOTS];
    private final byte[][] ipTexts = new byte[IP_SLOTS][];

    void timestamp(JsonGenerator json, long unixNs) throws IOException {
        json.writeRawUTF8String(timestamps.ascii(unixNs), 0, Rfc3339.LENGTH);
    }

    void ip(JsonGenerator json, Endpoint end) throws IOException {
        InetAddress address = end.address();
        int slot = System.identityHashCode(address) & (IP_SLOTS - 1);
        byte[] text = ipTexts[slot];
        if (ipKeys[slot] != address) {
            text = Arrays.copyOf(ip, end.ipAscii(ip));
            ipKeys[slot] = address;
            ipTexts[slot] = text;
        }
        json.writeRawUTF8String(text, 0, text.length);
    }

    /** A kernel __u64 held in a long: above Long.MAX_VALUE its bits would otherwise print as a negative number. */
    static void unsignedField(JsonGenerator json, SerializableString name, long value) throws IOException {
        json.writeFieldName(name);
        if (value >= 0) {
            json.writeNumber(value);
        } else {
            json.writeNumber(Long.toUnsignedString(value));
        }
    }
}
