package dev.netmon.enrich.cri;

import dev.netmon.event.ContainerInfo;

/** The answer of a non-blocking CRI lookup. */
public sealed interface CriLookup {
    /** Known; {@code gone} when the container or pod no longer exists (a tombstone). */
    record Found(ContainerInfo info, boolean gone) implements CriLookup {}

    /** The runtime answered and does not know it. */
    record NotFound() implements CriLookup {}

    /** Asked for; the answer comes with the next refresh. */
    record Pending() implements CriLookup {}

    /** The runtime cannot be reached now; attribution stays partial until it can. */
    record Unavailable() implements CriLookup {}
}
