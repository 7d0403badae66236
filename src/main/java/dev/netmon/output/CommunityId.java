package dev.netmon.output;

import dev.netmon.event.Endpoint;
import dev.netmon.event.Flow;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Community ID v1 flow hashes (github.com/corelight/community-id-spec), the value Zeek, Suricata and Elastic put in
 * {@code network.community_id}, so that a netmon line joins their records of the same connection.
 *
 * <p>Seed 0, as every tool uses by default. Not thread-safe: one instance per writer.
 */
final class CommunityId {
    private static final int SEED = 0;
    private static final Base64.Encoder BASE64 = Base64.getEncoder();

    private final MessageDigest sha1;
    // seed(2) + two IPv6 addresses(32) + protocol(1) + padding(1) + two ports(4)
    private final ByteBuffer input = ByteBuffer.allocate(2 + 32 + 1 + 1 + 4);

    CommunityId() {
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-1", e);
        }
    }

    String of(Flow flow) {
        return v1(flow.protocol().number(), flow.src(), flow.dst());
    }

    /** The ID of a flow between two ends of the same family; which end is which does not matter. */
    String v1(int protocol, Endpoint a, Endpoint b) {
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
        return "1:" + BASE64.encodeToString(sha1.digest());
    }
}
