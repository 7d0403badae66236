package dev.netmon.event;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators for domain values, shared by the decoder and writer properties so both see the same spread:
 * ids with the high bit set, unsigned netns, 0.0.0.0 and :: ends, UDP closes without byte counts.
 */
public final class EventArbitraries {
    private EventArbitraries() {}

    /** What the kernel can hand over as comm: up to 15 bytes before the NUL; here plain ASCII. */
    public static Arbitrary<String> comms() {
        return Arbitraries.strings().withCharRange((char) 1, (char) 127).ofMaxLength(15);
    }

    /**
     * What a decoded comm can be (any bytes read as UTF-8), plus characters that JSON must escape and that a
     * terminal would act on: ESC, the one-byte CSI U+009B, bidirectional overrides, line separators.
     */
    public static Arbitrary<String> processNames() {
        Arbitrary<String> decodedComm = Arbitraries.bytes().filter(b -> b != 0).array(byte[].class).ofMaxSize(15)
                .map(b -> new String(b, StandardCharsets.UTF_8));
        Arbitrary<String> escapes = Arbitraries.strings()
                .withChars("\"\\/\b\f\n\r\t\u0000\u001b\u001f\u007f\u009b\u2028\u2029\u202eé日")
                .withCharRange('a', 'z')
                .ofMaxLength(15);
        return Arbitraries.oneOf(decodedComm, escapes, Arbitraries.of("🦀", "java", ""));
    }

    public static Arbitrary<NetEvent> netEvents(Arbitrary<String> processNames) {
        Arbitrary<EventHeader> headers = headers(processNames);
        Arbitrary<NetEvent> connects = Combinators.combine(headers, flows(), connectResults())
                .as(NetEvent.Connect::new);
        Arbitrary<NetEvent> accepts = Combinators.combine(headers, flows()).as(NetEvent.Accept::new);
        Arbitrary<NetEvent> closes = Combinators.combine(
                        headers, flows(), Arbitraries.of(Direction.class), Arbitraries.longs(), traffic())
                .as(NetEvent.Close::new);
        return Arbitraries.oneOf(connects, accepts, closes);
    }

    /** Events with every shape of attribution: unknown, host unit, partial container, full pod with labels. */
    public static Arbitrary<Attributed> attributed(Arbitrary<String> processNames, Arbitrary<String> text) {
        Arbitrary<String> maybeText = text.injectNull(0.2);
        Arbitrary<java.util.Map<String, String>> labels = Arbitraries.maps(text, text).ofMaxSize(3);
        Arbitrary<ContainerInfo> containers = Combinators.combine(
                        containerIds(), maybeText, maybeText, maybeText, maybeText,
                        Arbitraries.of("containerd", "cri-o", "docker", "podman").injectNull(0.2), maybeText, labels)
                .as(ContainerInfo::new);
        Arbitrary<Attribution> attributions = Combinators.combine(
                        containers.injectNull(0.3), maybeText, Arbitraries.of(Enrichment.class), maybeText)
                .as(Attribution::new);
        return Combinators.combine(netEvents(processNames), attributions).as(Attributed::new);
    }

    /** Every kind of line a writer gets, with hostile process names and attribution text. */
    public static Arbitrary<LogLine> logLines() {
        return Arbitraries.oneOf(
                netEvents(processNames()),
                attributed(processNames(), processNames()),
                lost(),
                dropped(),
                rateLimited(processNames()));
    }

    public static Arbitrary<Dropped> dropped() {
        return Combinators.combine(
                        Arbitraries.longs(),
                        Arbitraries.longs().between(1, Long.MAX_VALUE / 2),
                        Arbitraries.longs().between(0, Long.MAX_VALUE / 2))
                .as((ts, count, earlier) -> new Dropped(ts, count, count + earlier, Dropped.OUTPUT_SLOW));
    }

    public static Arbitrary<RateLimited> rateLimited(Arbitrary<String> text) {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs(),
                        attributed(text, text).map(Attributed::attribution),
                        Arbitraries.longs().between(1, Long.MAX_VALUE / 2), Arbitraries.longs().between(1, 1_000_000))
                .as(RateLimited::new);
    }

    /** What the cgroup path parser accepts as a container id; null for a pod known only by its netns. */
    static Arbitrary<String> containerIds() {
        return Arbitraries.strings().withChars("0123456789abcdef").ofLength(64).injectNull(0.2);
    }

    public static Arbitrary<Lost> lost() {
        return Combinators.combine(
                        Arbitraries.longs(),
                        Arbitraries.longs().between(1, Long.MAX_VALUE / 2),
                        Arbitraries.longs().between(0, Long.MAX_VALUE / 2),
                        Arbitraries.of("ringbuf", "perf"))
                .as((ts, count, earlier, buffer) -> new Lost(ts, count, count + earlier, buffer));
    }

    static Arbitrary<EventHeader> headers(Arbitrary<String> processNames) {
        Arbitrary<ProcessRef> processes = Combinators.combine(
                        Arbitraries.integers(), Arbitraries.integers(), Arbitraries.integers(), processNames)
                .as(ProcessRef::new);
        Arbitrary<Long> netns = Arbitraries.longs().between(0, 0xffff_ffffL);
        return Combinators.combine(Arbitraries.longs(), processes, Arbitraries.longs(), netns, Arbitraries.longs())
                .as(EventHeader::new);
    }

    public static Arbitrary<Flow> flows() {
        Arbitrary<Protocol> protocols = Arbitraries.of(Protocol.class);
        Arbitrary<Flow> v4 = Combinators.combine(protocols, endpoints(v4Addresses()), endpoints(v4Addresses()))
                .as((p, src, dst) -> new Flow(p, Family.IPv4, src, dst));
        Arbitrary<Flow> v6 = Combinators.combine(protocols, endpoints(v6Addresses()), endpoints(v6Addresses()))
                .as((p, src, dst) -> new Flow(p, Family.IPv6, src, dst));
        return Arbitraries.oneOf(v4, v6);
    }

    /** 0 or a negative errno, as connect() returns it. */
    static Arbitrary<Integer> connectResults() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.of(-115, -111, -110, -101)),
                Tuple.of(1, Arbitraries.integers().between(-4095, -1)));
    }

    /** Null for sockets without byte counts (UDP); counters are unsigned in the kernel. */
    static Arbitrary<NetEvent.Traffic> traffic() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
                .as(NetEvent.Traffic::new)
                .injectNull(0.3);
    }

    static Arbitrary<Endpoint> endpoints(Arbitrary<InetAddress> addresses) {
        return Combinators.combine(addresses, Arbitraries.integers().between(0, 0xffff)).as(Endpoint::new);
    }

    /** 0.0.0.0 often: that is what an unbound local side looks like. */
    static Arbitrary<InetAddress> v4Addresses() {
        Arbitrary<InetAddress> any = Arbitraries.bytes().array(byte[].class).ofSize(4).map(EventArbitraries::address);
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(address(new byte[4]))), Tuple.of(5, any));
    }

    /** Real IPv6 addresses only: the Java type of an IPv4-mapped one is Inet4Address, covered by v4. */
    static Arbitrary<InetAddress> v6Addresses() {
        Arbitrary<InetAddress> any = Arbitraries.bytes().array(byte[].class).ofSize(16)
                .map(EventArbitraries::address)
                .filter(a -> a instanceof Inet6Address);
        Arbitrary<InetAddress> special = Arbitraries.of("::", "::1", "fe80::1", "2001:db8::1")
                .map(EventArbitraries::literal);
        return Arbitraries.frequencyOf(Tuple.of(1, special), Tuple.of(4, any));
    }

    public static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(raw.length + " bytes are no address", e);
        }
    }

    /** For literals only: getByName never does a lookup for an address literal. */
    public static InetAddress literal(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
