package dev.netmon.enrich.cri;

import dev.netmon.enrich.BoundedCache;
import dev.netmon.enrich.NetnsLink;
import dev.netmon.enrich.RateLimitedLog;
import dev.netmon.enrich.cri.v1.Container;
import dev.netmon.enrich.cri.v1.ContainerStatusRequest;
import dev.netmon.enrich.cri.v1.ContainerStatusResponse;
import dev.netmon.enrich.cri.v1.ListContainersRequest;
import dev.netmon.enrich.cri.v1.ListPodSandboxRequest;
import dev.netmon.enrich.cri.v1.NamespaceMode;
import dev.netmon.enrich.cri.v1.PodSandbox;
import dev.netmon.enrich.cri.v1.PodSandboxState;
import dev.netmon.enrich.cri.v1.PodSandboxStatusRequest;
import dev.netmon.enrich.cri.v1.RuntimeServiceGrpc;
import dev.netmon.enrich.cri.v1.VersionRequest;
import dev.netmon.event.ContainerInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Container and pod names from the node's CRI runtime, answered without blocking from caches that a background
 * thread fills. A miss asks for a refresh (coalesced, so a burst of new containers costs one listing); a periodic
 * refresh keeps the caches warm, turns removed containers into tombstones and recovers after the runtime restarts.
 */
public final class CriDirectory implements AutoCloseable {
    /** Settings; see the README's flag table. */
    public record Settings(Duration timeout, Duration refreshEvery, int cacheSize, Duration ttl, Duration negativeTtl,
            Duration tombstoneTtl) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(2), Duration.ofSeconds(10), 4096, Duration.ofMinutes(10),
                    Duration.ofSeconds(30), Duration.ofMinutes(5));
        }
    }

    private record Pod(String name, String namespace, String uid, Map<String, String> labels) {}

    private static final Duration MIN_SPACING = Duration.ofMillis(20);
    /**
     * grpc-netty asks every channel for SO_KEEPALIVE, which unix sockets do not have, and Netty logs a warning on
     * each connect. Held here so that the level sticks (java.util.logging keeps loggers weakly).
     */
    private static final java.util.logging.Logger NETTY_BOOTSTRAP = quiet("io.netty.bootstrap.Bootstrap");

    private static java.util.logging.Logger quiet(String name) {
        var logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.SEVERE);
        return logger;
    }

    private final Path socket;
    private final Settings settings;
    private final RateLimitedLog log;
    private final Path procRoot;
    private final EventLoopGroup group;
    private final ManagedChannel channel;
    private final RuntimeServiceGrpc.RuntimeServiceBlockingStub stub;
    private final ScheduledExecutorService executor;
    private final BoundedCache<String, ContainerInfo> containers;
    private final Set<String> wanted = ConcurrentHashMap.newKeySet();
    private final Set<Long> wantedNetns = ConcurrentHashMap.newKeySet();
    private final BoundedCache<Long, ContainerInfo> pods;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final long hostNetns;
    private volatile boolean healthy = true;
    private volatile String runtime;
    private boolean runtimeAsked; // only the refresh thread asks; runtime stays null for a name netmon does not know
    private volatile long lastRefreshEndNs = System.nanoTime() - MIN_SPACING.toNanos();

    private CriDirectory(Path socket, Settings settings, RateLimitedLog log, Path procRoot, CriCallObserver observer) {
        this.socket = socket;
        this.settings = settings;
        this.log = log;
        this.procRoot = procRoot;
        this.group = new MultiThreadIoEventLoopGroup(1, Thread.ofPlatform().daemon().name("netmon-cri-io").factory(),
                NioIoHandler.newFactory());
        this.channel = NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(socket))
                .eventLoopGroup(group)
                .channelType(NioDomainSocketChannel.class)
                .usePlaintext()
                .maxInboundMessageSize(64 << 20) // a ListContainers of a busy node
                .intercept(new CallTiming(observer))
                .build();
        this.stub = RuntimeServiceGrpc.newBlockingStub(channel);
        this.executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("netmon-cri").factory());
        this.containers = new BoundedCache<>(settings.cacheSize(), settings.ttl().toNanos(),
                settings.negativeTtl().toNanos(), settings.tombstoneTtl().toNanos(), System::nanoTime);
        this.pods = new BoundedCache<>(settings.cacheSize(), settings.refreshEvery().toNanos() * 3,
                settings.negativeTtl().toNanos(), settings.tombstoneTtl().toNanos(), System::nanoTime);
        // The node's netns names no pod. Pid 1's link may be unreadable without CAP_SYS_PTRACE; netmon itself runs
        // in the node's netns (hostNetwork) in the DaemonSet and under sudo, so its own is the fallback.
        this.hostNetns = NetnsLink.inode(procRoot.resolve("1/ns/net"))
                .orElse(NetnsLink.inode(procRoot.resolve("self/ns/net")).orElse(-1));
    }

    /** Connects lazily and starts the background refresh; never fails on a missing or dead socket. */
    public static CriDirectory start(Path socket, Settings settings, RateLimitedLog log) {
        return start(socket, settings, log, CriCallObserver.NONE);
    }

    /** As {@link #start(Path, Settings, RateLimitedLog)}, telling {@code observer} of every call. */
    public static CriDirectory start(Path socket, Settings settings, RateLimitedLog log, CriCallObserver observer) {
        CriDirectory d = new CriDirectory(socket, settings, log, Path.of("/proc"), observer);
        d.executor.execute(d::refreshQuietly);
        d.executor.scheduleWithFixedDelay(d::refreshQuietly, settings.refreshEvery().toMillis(),
                settings.refreshEvery().toMillis(), TimeUnit.MILLISECONDS);
        return d;
    }

    public Path socket() {
        return socket;
    }

    /** Containers cached: names, ids known not to exist, and tombstones of removed ones. */
    public int containerCacheSize() {
        return containers.size();
    }

    /** Pod network namespaces cached, as {@link #containerCacheSize()}. */
    public int podCacheSize() {
        return pods.size();
    }

    /** The runtime's name as its Version call reported it, once known; null for a runtime netmon does not know. */
    public String runtime() {
        return runtime;
    }

    /** Non-blocking: what is known of a container id now; a miss schedules a refresh. */
    public CriLookup container(String id) {
        return lookup(containers, wanted, id);
    }

    /** Non-blocking: the pod whose sandbox owns this network namespace (never the host's). */
    public CriLookup podOfNetns(long netns) {
        if (netns == hostNetns || netns == 0) {
            return new CriLookup.NotFound();
        }
        return lookup(pods, wantedNetns, netns);
    }

    /** A cache answer, or on a miss: ask the next refresh for {@code key} (or say the runtime is unreachable). */
    private <K> CriLookup lookup(BoundedCache<K, ContainerInfo> cache, Set<K> wantedKeys, K key) {
        return switch (cache.get(key)) {
            case BoundedCache.Lookup.Hit<ContainerInfo> h -> new CriLookup.Found(h.value(), h.gone());
            case BoundedCache.Lookup.Negative<ContainerInfo> n -> new CriLookup.NotFound();
            case BoundedCache.Lookup.Miss<ContainerInfo> m -> {
                if (!healthy) {
                    requestRefresh(); // and recover as soon as the runtime answers again
                    yield new CriLookup.Unavailable();
                }
                wantedKeys.add(key); // before the refresh is asked for, so that the refresh sees it
                requestRefresh();
                yield new CriLookup.Pending();
            }
        };
    }

    private void requestRefresh() {
        if (refreshQueued.compareAndSet(false, true)) {
            long wait = Math.max(0, lastRefreshEndNs + MIN_SPACING.toNanos() - System.nanoTime());
            executor.schedule(this::refreshQuietly, wait, TimeUnit.NANOSECONDS);
        }
    }

    private void refreshQuietly() {
        refreshQueued.set(false);
        Set<String> asked = new HashSet<>(wanted);
        Set<Long> askedNetns = new HashSet<>(wantedNetns);
        try {
            refresh();
            healthy = true;
            for (String id : asked) {
                if (containers.peekPresent(id) == null) {
                    containers.putNegative(id);
                }
            }
            for (long ns : askedNetns) {
                if (pods.peekPresent(ns) == null) {
                    pods.putNegative(ns);
                }
            }
        } catch (StatusRuntimeException e) {
            healthy = false;
            log.warn("cri", "CRI runtime at " + socket + " " + describe(e.getStatus())
                    + "; container and pod names are missing (enrichment: partial) until it answers");
        } catch (RuntimeException e) {
            healthy = false;
            log.warn("cri", "CRI runtime at " + socket + " sent an answer netmon cannot use (" + e.getClass().getSimpleName()
                    + "); enrichment stays partial until it recovers");
        } finally {
            wanted.removeAll(asked);
            wantedNetns.removeAll(askedNetns);
            lastRefreshEndNs = System.nanoTime();
        }
    }

    private static String describe(Status s) {
        return switch (s.getCode()) {
            case UNAVAILABLE -> "is not answering (" + (s.getDescription() == null ? "unavailable" : s.getDescription()) + ")";
            case CANCELLED -> unparsable(s) ? "sent an answer netmon cannot parse as CRI v1" : "is not answering (cancelled)";
            case DEADLINE_EXCEEDED -> "did not answer in time";
            case UNIMPLEMENTED -> "does not speak CRI runtime.v1";
            case PERMISSION_DENIED, UNAUTHENTICATED -> "refused netmon (" + s.getDescription() + ")";
            default -> unparsable(s) ? "sent an answer netmon cannot parse as CRI v1" : "failed: " + s.getCode() + (s.getDescription() == null ? "" : " " + s.getDescription());
        };
    }

    /** grpc-java's words for a response that is not the message it should be. */
    private static boolean unparsable(Status s) {
        return s.getDescription() != null && s.getDescription().contains("Failed to read message");
    }

    private RuntimeServiceGrpc.RuntimeServiceBlockingStub call() {
        return stub.withDeadlineAfter(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One listing of sandboxes and containers; statuses only for what is new. */
    private void refresh() {
        if (!runtimeAsked) {
            runtime = runtimeName(call().version(VersionRequest.newBuilder().setVersion("v1").build()).getRuntimeName());
            runtimeAsked = true;
        }
        Map<String, Pod> podsBySandbox = new HashMap<>();
        Set<Long> liveNetns = new HashSet<>();
        for (PodSandbox sb : call().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()) {
            Pod pod = new Pod(sb.getMetadata().getName(), sb.getMetadata().getNamespace(), sb.getMetadata().getUid(),
                    podLabels(sb.getLabelsMap()));
            podsBySandbox.put(sb.getId(), pod);
            if (sb.getState() == PodSandboxState.SANDBOX_READY) {
                netnsOf(sb.getId()).ifPresent(ns -> {
                    if (ns != hostNetns) { // hostNetwork pods share the node's namespace: it names no pod
                        liveNetns.add(ns);
                        if (pods.peekPresent(ns) == null) {
                            pods.put(ns, new ContainerInfo(null, null, pod.name, pod.namespace, pod.uid, runtime,
                                    null, pod.labels));
                        }
                    }
                });
            }
        }
        // A netns inode is reused once its namespace is freed: forget pods whose sandbox is gone or not ready.
        for (long ns : pods.presentKeys()) {
            if (!liveNetns.contains(ns)) {
                pods.bury(ns);
            }
        }
        List<Container> listed = call().listContainers(ListContainersRequest.getDefaultInstance()).getContainersList();
        Set<String> live = new HashSet<>();
        for (Container c : listed) {
            live.add(c.getId());
            if (containers.peekPresent(c.getId()) == null) {
                containers.put(c.getId(), describe(c, podsBySandbox.get(c.getPodSandboxId())));
            }
        }
        for (String id : containers.presentKeys()) {
            if (!live.contains(id)) {
                containers.bury(id);
            }
        }
        containers.evictExpired();
        pods.evictExpired();
    }

    private OptionalLong netnsOf(String sandboxId) {
        try {
            var status = call().podSandboxStatus(
                    PodSandboxStatusRequest.newBuilder().setPodSandboxId(sandboxId).setVerbose(true).build());
            if (status.getStatus().getLinux().getNamespaces().getOptions().getNetwork() == NamespaceMode.NODE) {
                return OptionalLong.empty(); // hostNetwork: its namespace is the node's and names no pod
            }
            return SandboxInfo.netnsInode(status.getInfoMap(), procRoot);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return OptionalLong.empty(); // removed between list and status
            }
            throw e;
        } catch (RuntimeException e) {
            return OptionalLong.empty(); // one sandbox's odd info must not cost every other lookup
        }
    }

    private ContainerInfo describe(Container c, Pod pod) {
        Map<String, String> labels = c.getLabelsMap();
        String image = c.getImage().getImage();
        try {
            ContainerStatusResponse s = call().containerStatus(
                    ContainerStatusRequest.newBuilder().setContainerId(c.getId()).build());
            // The status names the image as the user wrote it; the listing often only has its sha256 id.
            if (!s.getStatus().getImage().getImage().isEmpty()) {
                image = s.getStatus().getImage().getImage();
            }
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
        String name = nonEmpty(c.getMetadata().getName(), labels.get("io.kubernetes.container.name"));
        if (pod == null) { // the sandbox vanished between the two listings: the kubelet's labels still say
            pod = new Pod(labels.get("io.kubernetes.pod.name"), labels.get("io.kubernetes.pod.namespace"),
                    labels.get("io.kubernetes.pod.uid"), Map.of());
        }
        return new ContainerInfo(c.getId(), name, emptyToNull(pod.name), emptyToNull(pod.namespace),
                emptyToNull(pod.uid), runtime, emptyToNull(image), pod.labels);
    }

    /** The kubelet adds io.kubernetes.* bookkeeping to the pod's own labels; --pod-labels shows only the latter. */
    private static Map<String, String> podLabels(Map<String, String> all) {
        Map<String, String> out = new HashMap<>();
        all.forEach((k, v) -> {
            if (!k.startsWith("io.kubernetes.")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The output's spelling of a runtime the Version call named, or null for one outside the documented four. */
    static String runtimeName(String reported) {
        String r = reported == null ? "" : reported.toLowerCase(Locale.ROOT);
        if (r.contains("containerd")) {
            return "containerd";
        }
        if (r.contains("cri-o") || r.equals("crio")) {
            return "cri-o";
        }
        if (r.contains("docker")) {
            return "docker";
        }
        if (r.contains("podman")) {
            return "podman";
        }
        return null;
    }

    private static String nonEmpty(String a, String b) {
        return a != null && !a.isEmpty() ? a : emptyToNull(b);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        channel.shutdownNow();
        group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
    }
}
