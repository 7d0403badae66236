package dev.netmon.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * Every native call netmon makes: libbpf 1.x (Debian libbpf1), and from libc clock_gettime, what reading the
 * ring buffer in place takes (mmap, epoll) and write(2) for stdout, bound by hand.
 *
 * <p>Calls that can fail capture errno with {@link Linker.Option#captureCallState}; a failure becomes a
 * {@link LibBpfException} naming the call. Temporary native memory lives in a confined arena per call.
 */
public final class LibBpf {
    public static final String LIBRARY = "libbpf.so.1";

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    /** The errno of a call a signal interrupted: retried, or counted as a timeout. */
    static final int EINTR = 4;

    /** sizeof(struct epoll_event): __u32 events and a __u64 of user data, packed on x86-64 (12), padded elsewhere. */
    static final long EPOLL_EVENT_SIZE = 16;

    /** bpf_map__update_elem and bpf_map__lookup_elem: int (map, key, key_sz, value, value_sz, flags). */
    private static final FunctionDescriptor ELEM =
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);

    /**
     * Every native function netmon calls, with the C signature it is bound with and whether it reports failure in
     * errno (bound with {@link Linker.Option#captureCallState}). {@link #bound} takes only these, so the list is
     * complete by construction; native-image's metadata must register each (NativeImageMetadataTest).
     */
    enum Downcall {
        OBJECT_OPEN_MEM("bpf_object__open_mem", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), true),
        OBJECT_LOAD("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS), true),
        OBJECT_CLOSE("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS), false),
        FIND_MAP_BY_NAME("bpf_object__find_map_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), false),
        FIND_PROGRAM_BY_NAME("bpf_object__find_program_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), false),
        MAP_FD("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS), false),
        MAP_SET_MAX_ENTRIES("bpf_map__set_max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), true),
        MAP_SET_AUTOCREATE("bpf_map__set_autocreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BOOLEAN), false),
        PROBE_MAP_TYPE("libbpf_probe_bpf_map_type", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), false),
        PROBE_HELPER("libbpf_probe_bpf_helper", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), false),
        MAP_INITIAL_VALUE("bpf_map__initial_value", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), false),
        MAP_UPDATE_ELEM("bpf_map__update_elem", ELEM, true),
        MAP_LOOKUP_ELEM("bpf_map__lookup_elem", ELEM, true),
        PROGRAM_ATTACH("bpf_program__attach", FunctionDescriptor.of(ADDRESS, ADDRESS), true),
        PROGRAM_FD("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS), false),
        // bpf_prog_get_info_by_fd came in libbpf 1.2; Debian 12 ships 1.1, whose bpf_obj_get_info_by_fd is the
        // same BPF_OBJ_GET_INFO_BY_FD command for any kind of fd.
        OBJ_GET_INFO_BY_FD("bpf_obj_get_info_by_fd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), true),
        LINK_DESTROY("bpf_link__destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS), false),
        NUM_POSSIBLE_CPUS("libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT), false),
        STRERROR("libbpf_strerror", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG), false),
        // The ring buffer is read in place (RingBuffer), not through libbpf's ring_buffer: these are libc's.
        GETPAGESIZE("getpagesize", FunctionDescriptor.of(JAVA_INT), false),
        MMAP("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), true),
        MUNMAP("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), false),
        EPOLL_CREATE1("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT), true),
        EPOLL_CTL("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), true),
        EPOLL_WAIT("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), true),
        CLOSE("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), false),
        // stdout is written from native memory (NativeOutputStream), not through FileOutputStream's JNI copy.
        WRITE("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), true),
        PERF_BUFFER_NEW_RAW("perf_buffer__new_raw",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS), true),
        PERF_BUFFER_POLL("perf_buffer__poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), true),
        PERF_BUFFER_CONSUME("perf_buffer__consume", FunctionDescriptor.of(JAVA_INT, ADDRESS), true),
        PERF_BUFFER_FREE("perf_buffer__free", FunctionDescriptor.ofVoid(ADDRESS), false),
        CLOCK_GETTIME("clock_gettime", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), false);

        /**
         * Every call, in the order netmon first needs it. Making a downcall handle spins classes: about 20 ms for
         * the first on a cold JVM, 4-10 ms for each new signature after it, 200 ms for them all, the largest part
         * of the start when the caller bound them one after the other. A thread of their own binds them in this
         * order from the moment libbpf is loaded, on the other core, while the caller sets up, opens the object
         * and waits for the kernel to verify it; a caller that gets to one before that thread does binds it
         * itself rather than wait.
         */
        static final List<Downcall> BIND_ORDER = List.of(CLOCK_GETTIME, PROBE_HELPER, PROBE_MAP_TYPE, OBJECT_OPEN_MEM,
                NUM_POSSIBLE_CPUS, FIND_MAP_BY_NAME, MAP_INITIAL_VALUE, MAP_SET_AUTOCREATE, MAP_SET_MAX_ENTRIES,
                OBJECT_LOAD, MAP_UPDATE_ELEM, MAP_FD, GETPAGESIZE, OBJ_GET_INFO_BY_FD, MMAP, EPOLL_CREATE1, EPOLL_CTL,
                FIND_PROGRAM_BY_NAME, PROGRAM_ATTACH, EPOLL_WAIT, MAP_LOOKUP_ELEM, WRITE, PROGRAM_FD, LINK_DESTROY,
                MUNMAP, CLOSE, OBJECT_CLOSE, STRERROR, PERF_BUFFER_NEW_RAW, PERF_BUFFER_POLL, PERF_BUFFER_CONSUME,
                PERF_BUFFER_FREE);

        final String symbol;
        final FunctionDescriptor descriptor;
        final boolean setsErrno;

        Downcall(String symbol, FunctionDescriptor descriptor, boolean setsErrno) {
            this.symbol = symbol;
            this.descriptor = descriptor;
            this.setsErrno = setsErrno;
        }
    }

    /** Every callback libbpf makes into netmon: the handler interface and method, and the C signature. */
    enum Upcall {
        /** perf_buffer_event_fn: enum bpf_perf_event_ret (void *ctx, int cpu, struct perf_event_header *event) */
        PERF_EVENT(PerfEventHandler.class, "onEvent", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));

        final Class<?> handlerType;
        final String method;
        final FunctionDescriptor descriptor;

        Upcall(Class<?> handlerType, String method, FunctionDescriptor descriptor) {
            this.handlerType = handlerType;
            this.method = method;
            this.descriptor = descriptor;
        }
    }

    private static final int CLOCK_REALTIME = 0;
    private static final int CLOCK_MONOTONIC = 1;

    private final SymbolLookup libbpf;
    /** Every call's address, and its handle once bound (see {@link Downcall#BIND_ORDER}); by ordinal. */
    private final MemorySegment[] addresses = new MemorySegment[Downcall.values().length];
    private final AtomicReferenceArray<MethodHandle> handles = new AtomicReferenceArray<>(Downcall.values().length);
    /** Held while a call is bound: a caller that needs it waits for the binding thread instead of binding twice. */
    private final Object[] bindLocks = Stream.generate(Object::new).limit(Downcall.values().length).toArray();

    private LibBpf(SymbolLookup libbpf) throws LibBpfUnavailableException {
        this.libbpf = libbpf;
        // Symbols are looked up now, so that a libbpf without one fails here with its name.
        for (Downcall call : Downcall.BIND_ORDER) {
            addresses[call.ordinal()] = address(call);
        }
        Thread.ofPlatform().name("netmon-bind").daemon().start(this::bindAhead);
    }

    /**
     * Binds every call ahead of its first use. Only a head start: a call that fails to bind here is skipped, and
     * fails again, with the caller's error, if anything ever needs it (a native image without its registration
     * throws a LinkageError, which must not end this thread with a stack trace for a call no one makes).
     */
    private void bindAhead() {
        for (Downcall call : Downcall.BIND_ORDER) {
            try {
                bound(call);
            } catch (RuntimeException | LinkageError e) {
                // the caller that needs the call binds it, and fails, itself
            }
        }
    }

    /**
     * A call's handle: bound by the binding thread, or here if the caller got there first (rather than waiting for
     * the thread to work through the others). A caller that needs the one the thread is binding waits for it, as
     * the thread finishes it sooner than the caller could start over; each is bound once.
     */
    private MethodHandle bound(Downcall call) {
        MethodHandle h = handles.get(call.ordinal());
        if (h != null) {
            return h;
        }
        synchronized (bindLocks[call.ordinal()]) {
            h = handles.get(call.ordinal());
            if (h == null) {
                h = handle(call, addresses[call.ordinal()]);
                handles.set(call.ordinal(), h);
            }
            return h;
        }
    }

    /** Loads libbpf from $NETMON_LIBBPF if set (a path or a name), else libbpf.so.1 from the library path. */
    public static LibBpf load() throws LibBpfUnavailableException {
        String override = System.getenv("NETMON_LIBBPF");
        String library = override != null && !override.isBlank() ? override : LIBRARY;
        try {
            return new LibBpf(SymbolLookup.libraryLookup(library, Arena.global()));
        } catch (IllegalArgumentException e) {
            throw new LibBpfUnavailableException(library + " not found");
        }
    }

    private MemorySegment address(Downcall call) throws LibBpfUnavailableException {
        return libbpf.find(call.symbol)
                .or(() -> LINKER.defaultLookup().find(call.symbol))
                .orElseThrow(() -> new LibBpfUnavailableException(libbpfs(call.symbol)
                        ? LIBRARY + " has no symbol " + call.symbol + " (netmon needs libbpf 1.0 or later)"
                        : "the C library has no symbol " + call.symbol));
    }

    /** libbpf's names; the others are the C library's (clock_gettime, mmap, epoll_wait, write, ...). */
    static boolean libbpfs(String symbol) {
        return symbol.startsWith("bpf_") || symbol.startsWith("libbpf_") || symbol.startsWith("perf_buffer__");
    }

    private static MethodHandle handle(Downcall call, MemorySegment address) {
        return call.setsErrno
                ? LINKER.downcallHandle(address, call.descriptor, CAPTURE_ERRNO)
                : LINKER.downcallHandle(address, call.descriptor);
    }

    // --- objects -------------------------------------------------------------------------------------------

    /** bpf_object__open_mem over {@code image}, which must outlive the object. */
    MemorySegment objectOpenMem(MemorySegment image) throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            MemorySegment obj = (MemorySegment) bound(Downcall.OBJECT_OPEN_MEM)
                    .invokeExact(state, image, image.byteSize(), MemorySegment.NULL);
            return requireNonNull("bpf_object__open_mem", obj, state);
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    void objectLoad(MemorySegment obj) throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            requireZero("bpf_object__load", (int) bound(Downcall.OBJECT_LOAD).invokeExact(state, obj));
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    void objectClose(MemorySegment obj) {
        try {
            bound(Downcall.OBJECT_CLOSE).invokeExact(obj);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment findMap(MemorySegment obj, String name) throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment map = (MemorySegment) bound(Downcall.FIND_MAP_BY_NAME)
                    .invokeExact(obj, call.allocateFrom(name));
            return requireFound("bpf_object__find_map_by_name(" + name + ")", map);
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment findProgram(MemorySegment obj, String name) throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment prog = (MemorySegment) bound(Downcall.FIND_PROGRAM_BY_NAME)
                    .invokeExact(obj, call.allocateFrom(name));
            return requireFound("bpf_object__find_program_by_name(" + name + ")", prog);
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // --- maps ----------------------------------------------------------------------------------------------

    int mapFd(MemorySegment map) {
        try {
            return (int) bound(Downcall.MAP_FD).invokeExact(map);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    void mapSetMaxEntries(MemorySegment map, int maxEntries) throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            requireZero("bpf_map__set_max_entries",
                    (int) bound(Downcall.MAP_SET_MAX_ENTRIES).invokeExact(state, map, maxEntries));
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Whether libbpf creates {@code map} at load; an unused ring buffer must not be, on kernels without one. */
    void mapSetAutocreate(MemorySegment map, boolean create) throws LibBpfException {
        try {
            int rc = (int) bound(Downcall.MAP_SET_AUTOCREATE).invokeExact(map, create);
            if (rc < 0) {
                throw failure("bpf_map__set_autocreate", -rc);
            }
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** BPF_MAP_TYPE_RINGBUF in enum bpf_map_type (kernel 5.8). */
    static final int BPF_MAP_TYPE_RINGBUF = 27;

    /** True if this kernel has BPF ring buffers, asked of the kernel itself (libbpf_probe_bpf_map_type). */
    public boolean kernelHasRingBuffer() throws LibBpfException {
        try {
            return probeAnswer("libbpf_probe_bpf_map_type",
                    (int) bound(Downcall.PROBE_MAP_TYPE).invokeExact(BPF_MAP_TYPE_RINGBUF, MemorySegment.NULL));
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** What the libbpf_probe_* calls return: 1 yes, 0 no, a negative errno when they could not tell. */
    private boolean probeAnswer(String call, int rc) throws LibBpfException {
        if (rc < 0) {
            throw failure(call, -rc);
        }
        return rc == 1;
    }

    /** BPF_PROG_TYPE_TRACEPOINT in enum bpf_prog_type. */
    static final int BPF_PROG_TYPE_TRACEPOINT = 5;
    /** BPF_FUNC_get_current_task_btf in enum bpf_func_id (kernel 5.11). */
    static final int BPF_FUNC_GET_CURRENT_TASK_BTF = 158;
    /** BPF_FUNC_task_storage_get in enum bpf_func_id (kernel 5.11; for tracing programs since 5.12). */
    static final int BPF_FUNC_TASK_STORAGE_GET = 156;

    /**
     * True if tracepoint programs may call bpf_get_current_task_btf() on this kernel (libbpf_probe_bpf_helper loads
     * a tiny program that calls it): the programs then read the task through typed loads instead of probe reads.
     */
    public boolean kernelHasTaskBtf() throws LibBpfException {
        return tracepointsMayCall(BPF_FUNC_GET_CURRENT_TASK_BTF);
    }

    /** True if tracepoint programs may keep data in task-local storage (bpf_task_storage_get) on this kernel. */
    public boolean kernelHasTaskStorage() throws LibBpfException {
        return tracepointsMayCall(BPF_FUNC_TASK_STORAGE_GET);
    }

    private boolean tracepointsMayCall(int helper) throws LibBpfException {
        try {
            return probeAnswer("libbpf_probe_bpf_helper",
                    (int) bound(Downcall.PROBE_HELPER)
                            .invokeExact(BPF_PROG_TYPE_TRACEPOINT, helper, MemorySegment.NULL));
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The writable initial contents of a global-data map (.rodata.*), valid until load. */
    MemorySegment mapInitialValue(MemorySegment map) throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment size = call.allocate(JAVA_LONG);
            MemorySegment data = (MemorySegment) bound(Downcall.MAP_INITIAL_VALUE).invokeExact(map, size);
            return requireFound("bpf_map__initial_value", data).reinterpret(size.get(JAVA_LONG, 0));
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    void mapUpdate(MemorySegment map, MemorySegment key, MemorySegment value) throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            int rc = (int) bound(Downcall.MAP_UPDATE_ELEM)
                    .invokeExact(state, map, key, key.byteSize(), value, value.byteSize(), 0L);
            requireZero("bpf_map__update_elem", rc);
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    void mapLookup(MemorySegment map, MemorySegment key, MemorySegment value) throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            int rc = (int) bound(Downcall.MAP_LOOKUP_ELEM)
                    .invokeExact(state, map, key, key.byteSize(), value, value.byteSize(), 0L);
            requireZero("bpf_map__lookup_elem", rc);
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    int numPossibleCpus() throws LibBpfException {
        try {
            int n = (int) bound(Downcall.NUM_POSSIBLE_CPUS).invokeExact();
            if (n < 0) {
                throw failure("libbpf_num_possible_cpus", -n);
            }
            return n;
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // --- programs and links --------------------------------------------------------------------------------

    MemorySegment programAttach(MemorySegment prog, String name) throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            MemorySegment link = (MemorySegment) bound(Downcall.PROGRAM_ATTACH).invokeExact(state, prog);
            return requireNonNull("bpf_program__attach(" + name + ")", link, state);
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The loaded program's fd; owned by the object, never closed by the caller. */
    int programFd(MemorySegment prog, String name) throws LibBpfException {
        try {
            int fd = (int) bound(Downcall.PROGRAM_FD).invokeExact(prog);
            if (fd < 0) {
                throw failure("bpf_program__fd(" + name + ")", -fd);
            }
            return fd;
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * bpf_obj_get_info_by_fd: fills {@code info} (zeroed by the caller, its size the length offered) with the
     * kernel's struct bpf_prog_info or bpf_map_info, as {@code fd} is a program's or a map's.
     *
     * @return how many bytes the kernel filled: less than offered on a kernel whose struct is shorter
     */
    int objectInfo(int fd, MemorySegment info) throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            MemorySegment len = call.allocateFrom(JAVA_INT, (int) info.byteSize());
            int rc = (int) bound(Downcall.OBJ_GET_INFO_BY_FD).invokeExact(state, fd, info, len);
            requireZero("bpf_obj_get_info_by_fd", rc);
            return len.get(JAVA_INT, 0);
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Offset of max_entries in struct bpf_map_info (after type, id, key_size, value_size); ProgInfoLayoutTest. */
    static final int MAP_INFO_MAX_ENTRIES = 16;

    /** A map's max_entries as the kernel created it (libbpf rounds a ring buffer's up to a page). */
    long mapMaxEntries(int mapFd) throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment info = call.allocate(MAP_INFO_MAX_ENTRIES + 4, 8);
            objectInfo(mapFd, info);
            return Integer.toUnsignedLong(info.get(JAVA_INT, MAP_INFO_MAX_ENTRIES));
        }
    }

    void linkDestroy(MemorySegment link) {
        try {
            int ignored = (int) bound(Downcall.LINK_DESTROY).invokeExact(link);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // --- buffers -------------------------------------------------------------------------------------------

    /** getpagesize(): the unit of the ring buffer's mappings. */
    int pageSize() {
        try {
            return (int) bound(Downcall.GETPAGESIZE).invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** mmap of {@code length} bytes of {@code fd} at {@code offset}, shared; writable only if asked. */
    MemorySegment mapShared(int fd, long length, long offset, boolean writable) throws LibBpfException {
        final int protRead = 1;
        final int protWrite = 2;
        final int mapShared = 1;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            MemorySegment at = (MemorySegment) bound(Downcall.MMAP).invokeExact(state, MemorySegment.NULL, length,
                    writable ? protRead | protWrite : protRead, mapShared, fd, offset);
            if (at.address() == -1L) { // MAP_FAILED
                throw failure("mmap", (int) ERRNO.get(state, 0L));
            }
            return at;
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    void unmap(MemorySegment at, long length) {
        try {
            int ignored = (int) bound(Downcall.MUNMAP).invokeExact(at, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** An epoll instance (close-on-exec) waiting for EPOLLIN on {@code fd}, level-triggered as libbpf's is. */
    int epollFor(int fd) throws LibBpfException {
        final int epollCloexec = 0x80000;
        final int epollCtlAdd = 1;
        final int epollIn = 1;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            int epfd = (int) bound(Downcall.EPOLL_CREATE1).invokeExact(state, epollCloexec);
            if (epfd < 0) {
                throw failure("epoll_create1", (int) ERRNO.get(state, 0L));
            }
            MemorySegment event = call.allocate(EPOLL_EVENT_SIZE, 4); // struct epoll_event, packed on x86-64
            event.set(JAVA_INT, 0, epollIn);
            if ((int) bound(Downcall.EPOLL_CTL).invokeExact(state, epfd, epollCtlAdd, fd, event) < 0) {
                int errno = (int) ERRNO.get(state, 0L);
                closeFd(epfd);
                throw failure("epoll_ctl", errno);
            }
            return epfd;
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * epoll_wait for one event on {@code epfd} into {@code event} (EPOLL_EVENT_SIZE bytes, the caller's, so that a
     * wait allocates nothing), woken or timed out; EINTR counts as a timeout.
     */
    void epollWait(int epfd, MemorySegment event, MemorySegment state, int timeoutMs) throws LibBpfException {
        try {
            int rc = (int) bound(Downcall.EPOLL_WAIT).invokeExact(state, epfd, event, 1, timeoutMs);
            if (rc < 0) {
                int errno = (int) ERRNO.get(state, 0L);
                if (errno != EINTR) {
                    throw failure("epoll_wait", errno);
                }
            }
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * write(2) of all {@code length} bytes at {@code from} (native memory) to {@code fd}: a short write goes on
     * from where it stopped, EINTR is retried, any other failure (EPIPE once stdout's reader is gone) is an
     * IOException naming the errno.
     */
    public void writeFully(int fd, MemorySegment from, long length) throws IOException {
        MethodHandle write = bound(Downcall.WRITE);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            writeAll(from, length, (at, n) -> {
                long rc = (long) write.invokeExact(state, fd, at, n);
                return rc >= 0 ? rc : -(int) ERRNO.get(state, 0L);
            }, errno -> failure("write", errno).getMessage());
        }
    }

    /** One write(2) of {@code length} bytes at {@code at}: the bytes written, or minus errno. */
    @FunctionalInterface
    interface WriteCall {
        long write(MemorySegment at, long length) throws Throwable;
    }

    /** The loop of {@link #writeFully}, over any write: bounded, as every pass writes or counts an EINTR. */
    static void writeAll(MemorySegment from, long length, WriteCall call, IntFunction<String> describe)
            throws IOException {
        final int maxInterruptions = 1000;
        long done = 0;
        int interruptions = 0;
        while (done < length) {
            long n;
            try {
                n = call.write(from.asSlice(done), length - done);
            } catch (Throwable t) {
                throw unexpected(t);
            }
            if (n > 0) {
                done += n;
            } else if (n == 0) {
                throw new IOException("write wrote nothing with " + (length - done) + " bytes to go");
            } else if (n != -EINTR || ++interruptions > maxInterruptions) {
                throw new IOException(describe.apply((int) -n));
            }
        }
    }

    /** Room for the errno a call captures, for callers that keep one across calls. */
    static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    void closeFd(int fd) {
        try {
            int ignored = (int) bound(Downcall.CLOSE).invokeExact(fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment perfBufferNewRaw(int mapFd, long pagesPerCpu, MemorySegment attr, MemorySegment eventCallback)
            throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            MemorySegment pb = (MemorySegment) bound(Downcall.PERF_BUFFER_NEW_RAW).invokeExact(
                    state, mapFd, pagesPerCpu, attr, eventCallback, MemorySegment.NULL, MemorySegment.NULL);
            return requireNonNull("perf_buffer__new_raw", pb, state);
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    int perfBufferPoll(MemorySegment pb, int timeoutMs) throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            int rc = (int) bound(Downcall.PERF_BUFFER_POLL).invokeExact(state, pb, timeoutMs);
            return countOrEintr("perf_buffer__poll", rc);
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    int perfBufferConsume(MemorySegment pb) throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            int rc = (int) bound(Downcall.PERF_BUFFER_CONSUME).invokeExact(state, pb);
            return countOrEintr("perf_buffer__consume", rc);
        } catch (LibBpfException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    void perfBufferFree(MemorySegment pb) {
        try {
            bound(Downcall.PERF_BUFFER_FREE).invokeExact(pb);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // --- upcalls -------------------------------------------------------------------------------------------

    /** Receives raw perf buffer records (perf_event_header first); must not throw. */
    @FunctionalInterface
    interface PerfEventHandler {
        int onEvent(MemorySegment ctx, int cpu, MemorySegment header);
    }

    MemorySegment perfEventUpcall(PerfEventHandler handler, Arena arena) {
        return upcall(Upcall.PERF_EVENT, handler, arena);
    }

    private static MemorySegment upcall(Upcall call, Object handler, Arena arena) {
        try {
            MethodHandle target = MethodHandles.lookup()
                    .findVirtual(call.handlerType, call.method, call.descriptor.toMethodType())
                    .bindTo(handler);
            return LINKER.upcallStub(target, call.descriptor, arena);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    // --- clocks --------------------------------------------------------------------------------------------

    /** CLOCK_MONOTONIC now, the clock of bpf_ktime_get_ns. */
    public long monotonicNs() {
        try (Arena call = Arena.ofConfined()) {
            return clockNs(CLOCK_MONOTONIC, call.allocate(16, 8));
        }
    }

    /** Nanoseconds to add to a CLOCK_MONOTONIC time (what bpf_ktime_get_ns returns) to get Unix time. */
    public long monotonicToRealtimeOffsetNs() {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment ts = call.allocate(16, 8);
            long before = clockNs(CLOCK_MONOTONIC, ts);
            long real = clockNs(CLOCK_REALTIME, ts);
            long after = clockNs(CLOCK_MONOTONIC, ts);
            return real - (before + (after - before) / 2);
        }
    }

    private long clockNs(int clock, MemorySegment ts) {
        try {
            int rc = (int) bound(Downcall.CLOCK_GETTIME).invokeExact(clock, ts);
            if (rc != 0) {
                throw new IllegalStateException("clock_gettime(" + clock + ") failed");
            }
            return ts.get(JAVA_LONG, 0) * 1_000_000_000L + ts.get(JAVA_LONG, 8);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // --- errors --------------------------------------------------------------------------------------------

    private MemorySegment requireNonNull(String call, MemorySegment result, MemorySegment state)
            throws LibBpfException {
        if (result.address() == 0) {
            throw failure(call, (int) ERRNO.get(state, 0L));
        }
        return result;
    }

    private static MemorySegment requireFound(String call, MemorySegment result) throws LibBpfException {
        if (result.address() == 0) {
            throw new LibBpfException(call, 2, "not found in the BPF object");
        }
        return result;
    }

    /** libbpf 1.x returns -errno from int calls. */
    private void requireZero(String call, int rc) throws LibBpfException {
        if (rc < 0) {
            throw failure(call, -rc);
        }
    }

    private int countOrEintr(String call, int rc) throws LibBpfException {
        if (rc == -EINTR) {
            return 0;
        }
        if (rc < 0) {
            throw failure(call, -rc);
        }
        return rc;
    }

    private LibBpfException failure(String call, int errno) {
        try (Arena call2 = Arena.ofConfined()) {
            MemorySegment buf = call2.allocate(256);
            int ignored = (int) bound(Downcall.STRERROR).invokeExact(errno, buf, 256L);
            return new LibBpfException(call, errno, buf.getString(0));
        } catch (Throwable t) {
            return new LibBpfException(call, errno, "errno " + errno);
        }
    }

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
