package dev.netmon.decode;

import dev.netmon.bench.SampleEvents;
import dev.netmon.event.NetEvent;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Decoding one ring buffer record: native memory in, a NetEvent out, as the buffer callback does it. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DecodeBench {
    /** The storm's record shapes (AF_INET), and an IPv6 one, whose addresses take another path. */
    @Param({"connect-ipv4", "close-ipv4", "close-ipv6"})
    public String record;

    private final EventDecoder decoder = new EventDecoder();
    private Arena arena;
    private MemorySegment segment;

    @Setup
    public void encode() {
        NetEvent event = switch (record) {
            case "connect-ipv4" -> SampleEvents.connect();
            case "close-ipv4" -> SampleEvents.close(dev.netmon.event.Direction.OUTBOUND);
            case "close-ipv6" -> SampleEvents.closeV6();
            default -> throw new IllegalArgumentException("no sample record " + record);
        };
        byte[] bytes = EventEncoder.encode(event, EventEncoder.V4Wire.AF_INET);
        arena = Arena.ofConfined();
        segment = arena.allocate(bytes.length, 8);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, segment, 0, bytes.length);
    }

    @Benchmark
    public NetEvent decode() {
        return decoder.decode(segment);
    }

    @TearDown
    public void free() {
        arena.close();
    }
}
