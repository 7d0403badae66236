package dev.netmon.enrich.cri;

import dev.netmon.enrich.cri.v1.Container;
import dev.netmon.enrich.cri.v1.ContainerMetadata;
import dev.netmon.enrich.cri.v1.ContainerStatus;
import dev.netmon.enrich.cri.v1.ContainerStatusRequest;
import dev.netmon.enrich.cri.v1.ContainerStatusResponse;
import dev.netmon.enrich.cri.v1.ImageSpec;
import dev.netmon.enrich.cri.v1.ListContainersRequest;
import dev.netmon.enrich.cri.v1.ListContainersResponse;
import dev.netmon.enrich.cri.v1.ListPodSandboxRequest;
import dev.netmon.enrich.cri.v1.ListPodSandboxResponse;
import dev.netmon.enrich.cri.v1.PodSandbox;
import dev.netmon.enrich.cri.v1.PodSandboxMetadata;
import dev.netmon.enrich.cri.v1.PodSandboxState;
import dev.netmon.enrich.cri.v1.PodSandboxStatus;
import dev.netmon.enrich.cri.v1.PodSandboxStatusRequest;
import dev.netmon.enrich.cri.v1.PodSandboxStatusResponse;
import dev.netmon.enrich.cri.v1.RuntimeServiceGrpc;
import dev.netmon.enrich.cri.v1.VersionRequest;
import dev.netmon.enrich.cri.v1.VersionResponse;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A CRI runtime on a real unix socket, answering from in-memory lists, so CriDirectory is tested through the same
 * Netty transport, framing and deadlines it uses against containerd. Public so that pipeline tests can use it too.
 */
public final class FakeCriServer implements AutoCloseable {
    /** How the runtime answers; switchable while clients are connected. */
    public enum Behaviour {
        NORMAL,
        /** Every call answers only after {@link #slowness}: longer than any test's CRI timeout. */
        SLOW,
        /** Every call fails with {@link #failure}. */
        FAILING,
        /** ListContainers answers bytes that are not a ListContainersResponse: a runtime speaking another schema. */
        GARBAGE
    }

    /** Field 13 with wire type 6, which protobuf does not have: no parser accepts it. */
    private static final byte[] NOT_A_MESSAGE = "not a protobuf".getBytes(StandardCharsets.US_ASCII);

    private final Path socket;
    private final Map<String, PodSandbox> sandboxes = new ConcurrentHashMap<>();
    private final Map<String, String> sandboxInfo = new ConcurrentHashMap<>();
    private final Map<String, Container> containers = new ConcurrentHashMap<>();
    private final Map<String, String> statusImages = new ConcurrentHashMap<>();
    private final AtomicInteger listings = new AtomicInteger();
    private final ExecutorService handlers =
            Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("fake-cri").factory());
    /** Kept across restarts: gRPC does not own (or shut down) a group it is given. */
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private volatile Behaviour behaviour = Behaviour.NORMAL;
    private volatile Status failure = Status.UNAVAILABLE;
    private volatile Duration slowness = Duration.ofSeconds(3);
    private volatile String runtimeName = "containerd";
    private Server server;

    public FakeCriServer(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    public synchronized FakeCriServer start() {
        try {
            Files.deleteIfExists(socket); // a stale socket file from an earlier run would make bind fail
            server = NettyServerBuilder.forAddress(UnixDomainSocketAddress.of(socket))
                    .channelType(NioServerDomainSocketChannel.class)
                    .bossEventLoopGroup(group)
                    .workerEventLoopGroup(group)
                    // gRPC asks for TCP keepalive on every connection; a unix socket has none and Netty logs that.
                    .withChildOption(ChannelOption.SO_KEEPALIVE, null)
                    .executor(handlers)
                    .addService(service())
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("fake CRI server cannot listen on " + socket, e);
        }
        return this;
    }

    /** As a runtime that crashed: connections drop, the socket stops answering. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
    }

    /** A runtime restart: same path, same contents, new process. */
    public synchronized void restart() {
        stop();
        start();
    }

    public void behave(Behaviour b) {
        behaviour = b;
    }

    public void failWith(Status status) {
        failure = status;
        behaviour = Behaviour.FAILING;
    }

    public void slowness(Duration d) {
        slowness = d;
    }

    /** The name its Version call reports, as the runtime spells it. */
    public void runtimeName(String name) {
        runtimeName = name;
    }

    /** How many ListContainers calls were answered: each is one completed CriDirectory refresh. */
    public int listings() {
        return listings.get();
    }

    /** A ready sandbox; {@code infoJson} is what PodSandboxStatus(verbose) puts under "info", or null for none. */
    public void addSandbox(String id, String name, String namespace, String uid, Map<String, String> labels,
            String infoJson) {
        sandboxes.put(id, PodSandbox.newBuilder()
                .setId(id)
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace(namespace).setUid(uid))
                .setState(PodSandboxState.SANDBOX_READY)
                .putAllLabels(labels)
                .build());
        if (infoJson != null) {
            sandboxInfo.put(id, infoJson);
        }
    }

    public void removeSandbox(String id) {
        sandboxes.remove(id);
        sandboxInfo.remove(id);
    }

    /** The listing names the image by id only, as containerd does; the status names it as the user wrote it. */
    public void addContainer(String id, String sandboxId, String name, String listedImage, String statusImage) {
        containers.put(id, Container.newBuilder()
                .setId(id)
                .setPodSandboxId(sandboxId)
                .setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(listedImage))
                .build());
        statusImages.put(id, statusImage);
    }

    public void removeContainer(String id) {
        containers.remove(id);
        statusImages.remove(id);
    }

    @Override
    public void close() {
        stop();
        handlers.shutdownNow(); // interrupts SLOW handlers still asleep
        try {
            // A handler still answering needs the event loop: it goes last.
            handlers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
    }

    // ---- the service ----

    /**
     * The generated service, except that ListContainers is bound with a byte[] response marshaller, so that it can
     * send bytes that are not the message it promises.
     */
    private ServerServiceDefinition service() {
        ServerServiceDefinition typed = RuntimeServiceGrpc.bindService(new Handlers());
        MethodDescriptor<ListContainersRequest, byte[]> rawList = RuntimeServiceGrpc.getListContainersMethod()
                .toBuilder(ProtoUtils.marshaller(ListContainersRequest.getDefaultInstance()), new RawBytes())
                .build();
        var builder = ServerServiceDefinition.builder(typed.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> m : typed.getMethods()) {
            if (!m.getMethodDescriptor().getFullMethodName().equals(rawList.getFullMethodName())) {
                builder.addMethod(m);
            }
        }
        builder.addMethod(rawList, ServerCalls.asyncUnaryCall(this::listContainers));
        return builder.build();
    }

    private void listContainers(ListContainersRequest request, StreamObserver<byte[]> out) {
        if (misbehaved(out)) {
            return;
        }
        if (behaviour == Behaviour.GARBAGE) {
            answer(out, NOT_A_MESSAGE);
            return;
        }
        listings.incrementAndGet();
        answer(out, ListContainersResponse.newBuilder().addAllContainers(containers.values()).build().toByteArray());
    }

    private final class Handlers implements RuntimeServiceGrpc.AsyncService {
        @Override
        public void version(VersionRequest request, StreamObserver<VersionResponse> out) {
            if (!misbehaved(out)) {
                answer(out, VersionResponse.newBuilder().setVersion("0.1.0").setRuntimeName(runtimeName)
                        .setRuntimeVersion("1.0").setRuntimeApiVersion("v1").build());
            }
        }

        @Override
        public void listPodSandbox(ListPodSandboxRequest request, StreamObserver<ListPodSandboxResponse> out) {
            if (!misbehaved(out)) {
                answer(out, ListPodSandboxResponse.newBuilder().addAllItems(sandboxes.values()).build());
            }
        }

        @Override
        public void podSandboxStatus(PodSandboxStatusRequest request, StreamObserver<PodSandboxStatusResponse> out) {
            if (misbehaved(out)) {
                return;
            }
            PodSandbox sb = sandboxes.get(request.getPodSandboxId());
            if (sb == null) {
                out.onError(Status.NOT_FOUND.withDescription("no sandbox " + request.getPodSandboxId())
                        .asRuntimeException());
                return;
            }
            var response = PodSandboxStatusResponse.newBuilder().setStatus(PodSandboxStatus.newBuilder()
                    .setId(sb.getId()).setMetadata(sb.getMetadata()).setState(sb.getState()));
            String info = sandboxInfo.get(sb.getId());
            if (request.getVerbose() && info != null) {
                response.putInfo("info", info);
            }
            answer(out, response.build());
        }

        @Override
        public void containerStatus(ContainerStatusRequest request, StreamObserver<ContainerStatusResponse> out) {
            if (misbehaved(out)) {
                return;
            }
            Container c = containers.get(request.getContainerId());
            if (c == null) {
                out.onError(Status.NOT_FOUND.withDescription("no container " + request.getContainerId())
                        .asRuntimeException());
                return;
            }
            answer(out, ContainerStatusResponse.newBuilder().setStatus(ContainerStatus.newBuilder()
                    .setId(c.getId()).setMetadata(c.getMetadata())
                    .setImage(ImageSpec.newBuilder().setImage(statusImages.getOrDefault(c.getId(), "")))).build());
        }
    }

    /** Applies SLOW and FAILING; true when the call is already answered. */
    private boolean misbehaved(StreamObserver<?> out) {
        switch (behaviour) {
            case SLOW -> {
                try {
                    Thread.sleep(slowness);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    out.onError(Status.ABORTED.withDescription("fake CRI server closing").asRuntimeException());
                    return true;
                }
                return false;
            }
            case FAILING -> {
                out.onError(failure.asRuntimeException());
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private static <T> void answer(StreamObserver<T> out, T response) {
        try {
            out.onNext(response);
            out.onCompleted();
        } catch (StatusRuntimeException e) {
            // the client gave up (its deadline passed) while a SLOW call slept: nobody to answer
        }
    }

    private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
