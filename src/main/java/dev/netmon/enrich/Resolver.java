package dev.netmon.enrich;

import dev.netmon.enrich.cri.CriDirectory;
import dev.netmon.enrich.cri.CriLookup;
import dev.netmon.event.Attribution;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.Enrichment;
import dev.netmon.event.EventHeader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Kernel ids to attribution: cgroup id to cgroup path (v2, else the v1 memory hierarchy), path to container id,
 * container id to names through the CRI; for a process outside any container cgroup, its network namespace to the
 * pod that owns it. Never blocks: {@link #tryResolve} answers from caches or says "not yet" and starts the lookups
 * on background threads; {@link #now} gives the best answer available at once.
 */
public final class Resolver implements AutoCloseable {
    private final CgroupIndex unified;
    private final CgroupIndex memoryV1;
    private final CriDirectory cri;
    private final ExecutorService indexer = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("netmon-cgroups").factory());
    private final AtomicBoolean indexQueued = new AtomicBoolean();
    /** The refresh count when an id was first missed, so that a miss that survived a later re-index is final. */
    private final ConcurrentHashMap<Long, Long> missedV2 = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Long> missedV1 = new ConcurrentHashMap<>();

    /**
     * @param unified the v2 hierarchy's index, or null on a pure v1 host
     * @param memoryV1 the v1 memory hierarchy's index, or null on a pure v2 host
     * @param cri the runtime's directory, or null when there is no CRI socket
     */
    public Resolver(CgroupIndex unified, CgroupIndex memoryV1, CriDirectory cri) {
        this.unified = unified;
        this.memoryV1 = memoryV1;
        this.cri = cri;
        indexer.execute(this::reindex);
    }

    /** Resolved attribution if everything it needs is known, else null (and the missing lookups are started). */
    public Attribution tryResolve(EventHeader h) {
        return resolve(h, false);
    }

    /** The best attribution available now, without waiting; what an event gets when its wait is over. */
    public Attribution now(EventHeader h) {
        return resolve(h, true);
    }

    private Attribution resolve(EventHeader h, boolean final_) {
        String v2 = path(unified, missedV2, h.cgroupId(), final_);
        String v1 = path(memoryV1, missedV1, h.cgroupV1Id(), final_);
        if (v2 == PENDING || v1 == PENDING) {
            return null;
        }
        CgroupAttribution cg = v2 == null ? CgroupAttribution.NONE : parsed(v2);
        String path = v2;
        if (!cg.inContainer() && v1 != null) {
            CgroupAttribution viaV1 = parsed(v1);
            // Hybrid hosts: runtimes using the v1 driver may leave the v2 path at the root; v1 then tells.
            if (viaV1.inContainer() || cg.unit() == null) {
                cg = viaV1;
                path = v1;
            }
        }
        boolean pathKnown = path != null;
        if (cg.inContainer()) {
            return container(cg, path, final_);
        }
        // Outside any container cgroup, a process may still live in a pod's network namespace (nsenter, sidecars
        // started by hand, hostPID debug pods).
        if (cri != null) {
            CriLookup pod = cri.podOfNetns(h.netns());
            if (pod instanceof CriLookup.Pending && !final_) {
                return null;
            }
            if (pod instanceof CriLookup.Found f) {
                return attribution(f.info(), cg.unit(), pathKnown ? Enrichment.FULL : Enrichment.PARTIAL, path);
            }
        }
        return attribution(null, cg.unit(), pathKnown ? Enrichment.FULL : Enrichment.NONE, path);
    }

    private Attribution container(CgroupAttribution cg, String path, boolean final_) {
        String runtime = cg.runtime() == null ? null : cg.runtime().text();
        if (cri != null) {
            CriLookup found = cri.container(cg.containerId());
            if (found instanceof CriLookup.Pending && !final_) {
                return null;
            }
            if (found instanceof CriLookup.Found f) {
                ContainerInfo info = f.info();
                if (info.runtime() == null && runtime != null) {
                    info = new ContainerInfo(info.containerId(), info.containerName(), info.podName(),
                            info.podNamespace(), info.podUid(), runtime, info.image(), info.podLabels());
                }
                return attribution(info, null, Enrichment.FULL, path);
            }
            if (runtime == null) {
                runtime = cri.runtime(); // the path does not tell (cgroupfs driver); the socket we talk to does
            }
        }
        ContainerInfo partial = new ContainerInfo(cg.containerId(), null, null, null, cg.podUid(), runtime, null, null);
        return attribution(partial, null, Enrichment.PARTIAL, path);
    }

    private static final int RECENT = 64; // a power of two
    private final Attribution[] recent = new Attribution[RECENT];

    /**
     * The attribution of these parts, shared with the last event that had the same ones: events come in runs from
     * the same few cgroups, and a new record for each was a tenth of what the reader thread allocated. Direct-mapped
     * by the path; the parts compare by identity: the cgroup index hands out the same path object until it is
     * re-walked and the CRI directory the same container object until it changes, and any other object only misses
     * (a partial container is made anew for each event, so it never shares). No lock: a record's fields are final,
     * so a slot read while another thread fills it is a whole record or a miss.
     */
    private Attribution attribution(ContainerInfo container, String unit, Enrichment enrichment, String path) {
        int slot = (path == null ? 0 : path.hashCode()) & (RECENT - 1);
        Attribution a = recent[slot];
        if (a == null || a.container() != container || a.unit() != unit || a.enrichment() != enrichment
                || a.cgroupPath() != path) {
            a = new Attribution(container, unit, enrichment, path);
            recent[slot] = a;
        }
        return a;
    }

    /**
     * A path's attribution, parsed once: every event of a container would otherwise split and scan the same path
     * again (about 370 ns of the 474 ns a container's attribution took in make bench's microbenchmark).
     */
    private CgroupAttribution parsed(String path) {
        CgroupAttribution a = parsedPaths.get(path);
        if (a == null) {
            if (parsedPaths.size() >= MAX_PARSED_PATHS) {
                parsedPaths.clear(); // paths of removed cgroups: cheap to rebuild, and memory stays bounded
            }
            a = CgroupPaths.parse(path);
            parsedPaths.put(path, a);
        }
        return a;
    }

    private static final int MAX_PARSED_PATHS = 16_384;
    private final ConcurrentHashMap<String, CgroupAttribution> parsedPaths = new ConcurrentHashMap<>();

    private static final String PENDING = new String("pending"); // identity-compared marker

    private String path(CgroupIndex index, ConcurrentHashMap<Long, Long> missedAt, long id, boolean final_) {
        if (index == null || id == 0) {
            return null;
        }
        String p = index.path(id);
        if (p != null) {
            if (!missedAt.isEmpty()) { // nearly always empty: spares boxing the id and hashing it for every event
                missedAt.remove(id);
            }
            return p;
        }
        Long missedDuring = missedAt.putIfAbsent(id, index.refreshesStarted());
        if (missedDuring != null && index.refreshesCompleted() > missedDuring) {
            if (missedAt.size() > 65_536) {
                missedAt.clear(); // ids of cgroups that never resolve: bounded, and cheap to rebuild
            }
            return null; // re-indexed since the miss and still absent: removed before we looked
        }
        requestReindex();
        return final_ ? null : PENDING;
    }

    private void requestReindex() {
        if (indexQueued.compareAndSet(false, true)) {
            indexer.execute(this::reindex);
        }
    }

    private void reindex() {
        indexQueued.set(false);
        if (unified != null) {
            unified.refresh();
        }
        if (memoryV1 != null) {
            memoryV1.refresh();
        }
    }

    /**
     * Entries in each cache, for the metrics: {@code cgroup_v2} and {@code cgroup_v1} (cgroups indexed),
     * {@code cri_containers} and {@code cri_pods} (the CRI directory's). Caches this host does not use are left out.
     * Safe from any thread.
     */
    public Map<String, Integer> cacheSizes() {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        if (unified != null) {
            sizes.put("cgroup_v2", unified.size());
        }
        if (memoryV1 != null) {
            sizes.put("cgroup_v1", memoryV1.size());
        }
        if (cri != null) {
            sizes.put("cri_containers", cri.containerCacheSize());
            sizes.put("cri_pods", cri.podCacheSize());
        }
        return sizes;
    }

    @Override
    public void close() {
        indexer.shutdownNow();
        if (cri != null) {
            cri.close();
        }
    }
}
