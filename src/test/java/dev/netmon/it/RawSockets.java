package dev.netmon.it;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;

/**
 * libc sockets for the cases the JDK cannot produce: accept() and accept4() with a NULL peer address, dup2(). Test code
 * only; netmon itself calls nothing but libbpf.
 */
final class RawSockets {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = fn("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = fn("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETSOCKNAME =
            fn("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ACCEPT = fn("accept", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ACCEPT4 =
            fn("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle DUP2 = fn("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private static final int AF_INET = 2;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 02000000;

    private RawSockets() {}

    private static MethodHandle fn(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd);
    }

    /** An AF_INET listener on 127.0.0.1 with a kernel-chosen port; returns {fd, port}. */
    static int[] listenLoopback() throws Throwable {
        int fd = check("socket", (int) SOCKET.invokeExact(AF_INET, SOCK_STREAM, 0));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sin = arena.allocate(16);
            sin.set(JAVA_SHORT, 0, (short) AF_INET);
            sin.set(JAVA_BYTE, 4, (byte) 127);
            sin.set(JAVA_BYTE, 7, (byte) 1);
            check("bind", (int) BIND.invokeExact(fd, sin, 16));
            check("listen", (int) LISTEN.invokeExact(fd, 16));
            MemorySegment len = arena.allocateFrom(JAVA_INT, 16);
            check("getsockname", (int) GETSOCKNAME.invokeExact(fd, sin, len));
            int port = Short.toUnsignedInt(sin.get(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2));
            return new int[] {fd, port};
        }
    }

    /** accept(fd, NULL, NULL). */
    static int acceptNull(int fd) throws Throwable {
        return check("accept", (int) ACCEPT.invokeExact(fd, MemorySegment.NULL, MemorySegment.NULL));
    }

    /** accept4(fd, NULL, NULL, SOCK_CLOEXEC). */
    static int accept4Null(int fd) throws Throwable {
        return check("accept4", (int) ACCEPT4.invokeExact(fd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC));
    }

    /** dup2(from, to): to's socket goes away without a close() of its own. */
    static void dup2(int from, int to) throws Throwable {
        check("dup2", (int) DUP2.invokeExact(from, to));
    }

    static void close(int fd) throws Throwable {
        check("close", (int) CLOSE.invokeExact(fd));
    }

    private static int check(String call, int rc) {
        if (rc < 0) {
            throw new IllegalStateException(call + " failed");
        }
        return rc;
    }
}
