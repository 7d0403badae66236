package dev.netmon.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netmon.bpf.ConfigLayout;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pins bpf/netmon.h to its Java mirrors, using the BTF of the object the build compiled. */
class EventLayoutTest {
    private static BtfStructs btf;

    @BeforeAll
    static void dump() throws Exception {
        String object = System.getProperty("netmon.bpf.object", "target/bpf/netmon.bpf.o");
        btf = BtfStructs.dump(object);
    }

    @Test
    void eventMatchesNetmonH() {
        BtfStructs.Struct event = btf.struct("netmon_event");
        assertEquals(EventLayout.SIZE, event.size(), "sizeof(struct netmon_event)");
        List<BtfStructs.Member> expected = EventLayout.FIELDS.stream()
                .map(f -> new BtfStructs.Member(f.name(), f.offset(), f.size()))
                .toList();
        assertEquals(expected, event.members());
    }

    @Test
    void configMatchesNetmonH() {
        BtfStructs.Struct config = btf.struct("netmon_config");
        assertEquals(ConfigLayout.SIZE, config.size(), "sizeof(struct netmon_config)");
        List<BtfStructs.Member> expected = ConfigLayout.FIELDS.stream()
                .map(f -> new BtfStructs.Member(f.name(), f.offset(), f.size()))
                .toList();
        assertEquals(expected, config.members());
    }
}
