package dev.netmon.output;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.netmon.event.Endpoint;
import dev.netmon.event.Flow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Community ID v1 flow hashes (github.com/corelight/community-id-spec), the value Zeek, Suricata and Elastic put in
 * {@code network.community_id}, so that a netmon line joins their records of the same connection.
 *
 * <p>Seed 0, as every tool uses by default. The hash and its text go through reused arrays: the writer computes one
 * per line. Not thread-safe: one instance per writer.
 */
final class CommunityId {
    private static final int SEED = 0;
    private static final int SHA1_LENGTH = 20;
    private static final Base64.Encoder BASE64 = Base64.getEncoder();

    private final MessageDigest sha1;
    // seed(2) + two IPv6 addresses(32) + protocol(1) + padding(1) + two ports(4)
    private final ByteBuffer input = ByteBuffer.allocate(2 + 32 + 1 + 1 + 4);
    private final byte[] digest = new byte[SHA1_LENGTH];
    /** The base64 of the digest: 28 characters for 20 bytes. */
    private final byte[] base64 = new byte[28];
    /** "1:" and the base64. */
    private final byte[] text = new byte[2 + 28];

    CommunityId() {
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-1", e);
        }
        text[0] = '1';
        text[1] = ':';
    }

    String of(Flow flow) {
        return v1(flow.protocol().number(), flow.src(), flow.dst());
    }

    /** The flow's ID as a JSON string value; base64 never needs escaping. */
    void write(JsonGenerator json, Flow flow) throws IOException {
        json.writeRawUTF8String(text, 0, ascii(flow.protocol().number(), flow.src(), flow.dst()));
    }

    /** The ID of a flow between two ends of the same family; which end is which does not matter. */
    String v1(int protocol, Endpoint a, Endpoint b) {
        return new String(text, 0, ascii(protocol, a, b), StandardCharsets.US_ASCII);
    }

    private int ascii(int protocol, Endpoint a, Endpoint b) {
        byte[] ipA = a.address().getAddress();
        byte[] ipB = b.address().getAddress();
        // The spec orders the ends so that the smaller address, or with equal addresses the smaller port, comes
        // first; comparing network-order bytes unsigned is comparing the numbers.
        int order = Arrays.compareUnsigned(ipA, ipB);
        boolean swap = order > 0 || (order == 0 && a.port() > b.port());
        input.clear()
                .putShort((short) SEED)
                .put(swap ? ipB : ipA)
                .put(swap ? ipA : ipB)
                .put((byte) protocol)
                .put((byte) 0)
                .putShort((short) (swap ? b.port() : a.port()))
                .putShort((short) (swap ? a.port() : b.port()));
        sha1.update(input.array(), 0, input.position());
        try {
            sha1.digest(digest, 0, SHA1_LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-1 digests are 20 bytes", e);
        }
        // Base64.Encoder writes into an array only from offset 0; the digest's 28 characters go after "1:".
        int length = BASE64.encode(digest, base64);
        System.arraycopy(base64, 0, text, 2, length);
        return 2 + length;
    }
}
