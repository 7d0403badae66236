package dev.netmon.output;

import dev.netmon.event.ContainerInfo;
import java.util.HashMap;
import java.util.function.Function;

/**
 * What a writer derives from a container once and then reuses for each of its lines, e.g. the container object
 * already encoded as JSON: a pod's lines repeat the same seven strings, and escaping them again per line cost more
 * than the rest of the line. Keyed by equality, because the resolver builds a new ContainerInfo for each event of a
 * container the CRI runtime has not named. Not thread-safe: one instance per writer.
 */
final class PerContainer<V> {
    /** Containers come and go; past this many the cache starts over, which costs one encoding per container. */
    private static final int MAX_CONTAINERS = 1024;

    private final Function<ContainerInfo, V> encoder;
    private final HashMap<ContainerInfo, V> values = new HashMap<>();
    private ContainerInfo lastKey;
    private V lastValue;

    PerContainer(Function<ContainerInfo, V> encoder) {
        this.encoder = encoder;
    }

    V get(ContainerInfo container) {
        if (container == lastKey) { // consecutive lines of one container: no hashing at all
            return lastValue;
        }
        V value = values.get(container);
        if (value == null) {
            if (values.size() >= MAX_CONTAINERS) {
                values.clear();
            }
            value = encoder.apply(container);
            values.put(container, value);
        }
        lastKey = container;
        lastValue = value;
        return value;
    }
}
