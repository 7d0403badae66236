package dev.netmon.it.containerd;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A throw-away containerd with the CRI plugin, in a network namespace of its own, run by the scripts in
 * {@code src/test/containerd} (images.sh, up.sh, down.sh). Everything it makes lives under {@link #stateDir()},
 * which {@link #close()} removes along with the pods' cgroups and mounts.
 *
 * <pre>{@code
 * try (PrivateContainerd containerd = PrivateContainerd.start()) {
 *     CriPods pods = containerd.pods();
 *     CriPods.Pod pod = pods.run("web", "default", "app", "sh", "-c", "sleep 60");
 *     ...
 *     pods.remove(pod);
 * }
 * }</pre>
 */
public final class PrivateContainerd implements AutoCloseable {
    /** The checkout; failsafe sets netmon.home. */
    private static final Path HOME = Path.of(System.getProperty("netmon.home", ".")).toAbsolutePath().normalize();
    /** images.sh, up.sh, down.sh. */
    static final Path SCRIPTS = HOME.resolve("src/test/containerd");
    /** Built once and kept across runs: images.sh skips the work while they are newer than busybox. */
    static final Path IMAGES = HOME.resolve("target/containerd-images");

    /**
     * grpc-netty asks every channel for SO_KEEPALIVE, which a unix socket does not have, and Netty logs a
     * warning per connection. Held here because java.util.logging keeps its loggers only weakly.
     */
    private static final Logger BOOTSTRAP_LOG = Logger.getLogger("io.netty.bootstrap.Bootstrap");

    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(90);
    private static final int LOG_TAIL_LINES = 30;

    private final Path stateDir;
    private final Duration imagesTime;
    private final Duration upTime;
    /** Should the JVM exit without close() (a failed run, Ctrl-C on Maven), containerd must not outlive it. */
    private final Thread downOnExit;
    private EventLoopGroup eventLoop;
    private ManagedChannel channel;
    private boolean closed;

    private PrivateContainerd(Path stateDir, Duration imagesTime, Duration upTime) {
        this.stateDir = stateDir;
        this.imagesTime = imagesTime;
        this.upTime = upTime;
        this.downOnExit = new Thread(() -> {
            IOException problems = new IOException("down.sh at JVM exit, " + stateDir);
            down(stateDir, problems);
            for (Throwable problem : problems.getSuppressed()) {
                System.err.println("PrivateContainerd: " + problem.getMessage());
            }
        });
    }

    /** Builds the images if needed and starts containerd; on failure, cleans up and says why. */
    public static PrivateContainerd start() throws IOException, InterruptedException {
        // /tmp, not target/ or java.io.tmpdir: a unix socket path must stay short wherever the checkout is.
        Path stateDir = Files.createTempDirectory(Path.of("/tmp"), "netmon-containerd-");
        long t0 = System.nanoTime();
        try {
            run(stateDir, SCRIPTS.resolve("images.sh").toString(), IMAGES.toString());
            long t1 = System.nanoTime();
            run(stateDir, SCRIPTS.resolve("up.sh").toString(), stateDir.toString(), IMAGES.toString());
            long t2 = System.nanoTime();
            PrivateContainerd containerd = new PrivateContainerd(stateDir, Duration.ofNanos(t1 - t0),
                    Duration.ofNanos(t2 - t1));
            Runtime.getRuntime().addShutdownHook(containerd.downOnExit);
            return containerd;
        } catch (IOException | RuntimeException e) {
            String log = logTail(stateDir);
            down(stateDir, e);
            throw new IOException("private containerd did not start: " + e.getMessage() + log, e);
        } catch (InterruptedException e) {
            down(stateDir, e); // the interrupt status is clear here, so down.sh can run
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    private static void down(Path stateDir, Exception cause) {
        try {
            run(stateDir, SCRIPTS.resolve("down.sh").toString(), stateDir.toString());
        } catch (IOException | InterruptedException cleanup) {
            cause.addSuppressed(cleanup);
        }
    }

    /** The CRI (and containerd gRPC) unix socket. */
    public Path socket() {
        return stateDir.resolve("containerd.sock");
    }

    public Path stateDir() {
        return stateDir;
    }

    /** Where pods keep their log directories, as the kubelet's /var/log/pods; down.sh finds the pods here. */
    public Path podLogRoot() {
        return stateDir.resolve("pods");
    }

    /** The network namespace containerd runs in, which holds the CNI bridge (a bind-mounted nsfs file). */
    public Path netns() {
        return stateDir.resolve("netns");
    }

    /** How long images.sh took (near zero when the tarballs were up to date). */
    public Duration imagesTime() {
        return imagesTime;
    }

    /** How long up.sh took: namespace, config, containerd answering, images imported. */
    public Duration upTime() {
        return upTime;
    }

    /** One gRPC channel to {@link #socket()}, made on first use and closed by {@link #close()}. */
    public synchronized ManagedChannel channel() {
        if (channel == null) {
            BOOTSTRAP_LOG.setLevel(Level.SEVERE);
            eventLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            channel = NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(socket()))
                    .channelType(NioDomainSocketChannel.class, UnixDomainSocketAddress.class)
                    .eventLoopGroup(eventLoop)
                    // The default authority would be the socket path, which is no valid authority.
                    .overrideAuthority("localhost")
                    .usePlaintext()
                    .build();
        }
        return channel;
    }

    /** Pod lifecycle over {@link #channel()}, with log directories under {@link #podLogRoot()}. */
    public CriPods pods() {
        return new CriPods(channel(), podLogRoot());
    }

    /** The last lines of containerd's log, for failure messages; empty once closed. */
    public String logTail() {
        return logTail(stateDir);
    }

    /** Closes the channel and runs down.sh: pods, containerd, mounts, cgroups and the state directory go. */
    @Override
    public synchronized void close() throws IOException, InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(downOnExit);
        } catch (IllegalStateException e) {
            // the JVM is exiting and the hook runs down.sh itself
            return;
        }
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
        String log = logTail(stateDir);
        try {
            run(stateDir, SCRIPTS.resolve("down.sh").toString(), stateDir.toString());
        } catch (IOException e) {
            throw new IOException(e.getMessage() + log, e);
        }
    }

    /** Runs a script to completion within SCRIPT_TIMEOUT; its output becomes the message if it fails. */
    private static void run(Path stateDir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
        String name = Path.of(command[0]).getFileName().toString();
        if (!p.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IOException(name + " did not finish within " + SCRIPT_TIMEOUT.toSeconds() + " s (state in "
                    + stateDir + ")");
        }
        String out = new String(output.join(), StandardCharsets.UTF_8).strip();
        if (p.exitValue() != 0) {
            throw new IOException(name + " exited with " + p.exitValue() + (out.isEmpty() ? "" : ": " + out));
        }
    }

    private static String logTail(Path stateDir) {
        Path log = stateDir.resolve("containerd.log");
        try {
            List<String> lines = Files.readAllLines(log);
            List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return "\n--- last " + tail.size() + " lines of " + log + " ---\n" + String.join("\n", tail);
        } catch (IOException e) {
            return "";
        }
    }
}
