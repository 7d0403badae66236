package dev.netmon.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.netmon.decode.EventLayout;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The loaded netmon BPF object and its attached links. Owns every native resource it creates; closing it detaches
 * all programs and frees the object.
 */
public final class BpfObject implements AutoCloseable {
    /** The object compiled from bpf/netmon.bpf.c, embedded in the jar at build time. */
    public static final String RESOURCE = "/bpf/netmon.bpf.o";
    /** The same programs built with NETMON_CAST: socket reads through bpf_rdonly_cast() (see KernelReads). */
    public static final String CAST_RESOURCE = "/bpf/netmon-cast.bpf.o";

    private static final int ESRCH = 3;

    private final LibBpf lib;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment obj;
    private final List<MemorySegment> links = new ArrayList<>();
    /** Attached programs by name, for their run statistics. */
    private final List<Attached> attached = new ArrayList<>();
    private final LoadSettings settings;
    private final int cpus;
    /**
     * The CPUs that run the programs and write events: online ones (the possible CPUs size per-CPU values, and a VM
     * may declare many more than it runs). The ring buffer's wakeup budget and the perf buffers share among them.
     */
    private final int writers;
    /** The per-CPU lost counter, read after every buffer poll: found once, not by name each time. */
    private final MemorySegment lostMap;
    private boolean closed;

    private record Attached(String name, MemorySegment program) {}

    private BpfObject(LibBpf lib, MemorySegment image, LoadSettings settings) throws LibBpfException {
        if (settings.buffer() == BufferKind.AUTO) {
            settings = settings.withBuffer(BufferKind.AUTO.resolve(lib.kernelHasRingBuffer()));
        }
        this.lib = lib;
        this.settings = settings;
        MemorySegment native_ = arena.allocate(image.byteSize(), 8).copyFrom(image);
        this.obj = lib.objectOpenMem(native_);
        try {
            this.cpus = lib.numPossibleCpus();
            this.writers = OnlineCpus.read().orElse(cpus);
            configure();
            lib.objectLoad(obj);
            this.lostMap = lib.findMap(obj, "lost");
            fillPidFilter();
            fillFlowFilters();
        } catch (LibBpfException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Opens, configures and loads the embedded object; nothing is attached yet. */
    public static BpfObject load(LibBpf lib, LoadSettings settings) throws LibBpfException {
        boolean auto = settings.kernelReads() == KernelReads.AUTO;
        settings = settings.withKernelReads(settings.kernelReads().resolve(lib));
        if (settings.kernelReads() != KernelReads.TYPED_SOCKETS) {
            return new BpfObject(lib, image(RESOURCE), settings);
        }
        try {
            return new BpfObject(lib, image(CAST_RESOURCE), settings);
        } catch (LibBpfException e) {
            // Only a kernel of 6.2 or later without the kfunc (kfuncs are no stable ABI): libbpf finds no BTF for
            // the extern, ESRCH. Anything else (the verifier, a capability) would fail the plain object as well,
            // or is a bug to see, not to hide behind a slower path.
            if (!auto || e.errno() != ESRCH) {
                throw e;
            }
            return new BpfObject(lib, image(RESOURCE), settings.withKernelReads(KernelReads.TYPED_TASK));
        }
    }

    private static MemorySegment image(String resource) {
        try (InputStream in = BpfObject.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the jar; rebuild with 'make build'");
            }
            return MemorySegment.ofArray(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    private void configure() throws LibBpfException {
        MemorySegment cfg = lib.mapInitialValue(lib.findMap(obj, ".rodata.cfg"));
        cfg.set(JAVA_INT, ConfigLayout.EVENTS, settings.events());
        cfg.set(JAVA_INT, ConfigLayout.FILTER_PIDS, settings.pids().isEmpty() ? 0 : 1);
        cfg.set(JAVA_INT, ConfigLayout.USE_PERF, settings.buffer() == BufferKind.PERF ? 1 : 0);
        cfg.set(JAVA_INT, ConfigLayout.WAKEUP_BYTES, ringWakeupBytes(settings.wakeupBytes(), settings.bufferBytes(),
                writers));
        cfg.set(JAVA_INT, ConfigLayout.PROTOCOLS, settings.protocols());
        cfg.set(JAVA_INT, ConfigLayout.FILTER_PORTS, settings.ports().isEmpty() ? 0 : 1);
        cfg.set(JAVA_INT, ConfigLayout.FILTER_COMMS, settings.processNames().isEmpty() ? 0 : 1);
        boolean typed = settings.kernelReads() != KernelReads.PROBE;
        boolean taskStorage = typed && lib.kernelHasTaskStorage();
        cfg.set(JAVA_INT, ConfigLayout.TASK_BTF, typed ? 1 : 0);
        cfg.set(JAVA_INT, ConfigLayout.TASK_STORAGE, taskStorage ? 1 : 0);
        // Only one of the two homes of connect()'s arguments is used; the other is pruned and never created.
        lib.mapSetAutocreate(lib.findMap(obj, taskStorage ? "connect_args" : "connect_args_task"), false);
        // The unused ring buffer is not created at all: kernels before 5.8 have none, and its only use is in a
        // branch the verifier prunes once use_perf is a known constant.
        MemorySegment ring = lib.findMap(obj, "events_rb");
        if (settings.buffer() == BufferKind.RINGBUF) {
            lib.mapSetMaxEntries(ring, settings.bufferBytes());
        } else {
            lib.mapSetAutocreate(ring, false);
        }
        lib.mapSetMaxEntries(lib.findMap(obj, "conns"), settings.maxTracked());
    }

    /**
     * Each CPU wakes the reader once it has written this much: together at most half the ring, else the CPUs
     * could fill it below their thresholds and leave the reader to its 100 ms poll. At least one event's worth.
     */
    static int ringWakeupBytes(int wanted, int ringBytes, int cpus) {
        return Math.max(EventLayout.SIZE, Math.min(wanted, ringBytes / 2 / Math.max(1, cpus)));
    }

    private void fillPidFilter() throws LibBpfException {
        MemorySegment map = lib.findMap(obj, "filter_pids");
        try (Arena call = Arena.ofConfined()) {
            MemorySegment key = call.allocate(JAVA_INT);
            MemorySegment one = call.allocateFrom(JAVA_BYTE, (byte) 1);
            for (int pid : settings.pids()) {
                key.set(JAVA_INT, 0, pid);
                lib.mapUpdate(map, key, one);
            }
        }
    }

    private void fillFlowFilters() throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment one = call.allocateFrom(JAVA_BYTE, (byte) 1);
            MemorySegment ports = lib.findMap(obj, "filter_ports");
            MemorySegment port = call.allocate(JAVA_SHORT);
            for (int p : settings.ports()) {
                port.set(JAVA_SHORT, 0, (short) p); // host byte order, as the event's ports
                lib.mapUpdate(ports, port, one);
            }
            MemorySegment comms = lib.findMap(obj, "filter_comms");
            MemorySegment comm = call.allocate(16);
            for (String name : settings.processNames()) {
                comm.fill((byte) 0);
                byte[] raw = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                MemorySegment.copy(raw, 0, comm, JAVA_BYTE, 0, raw.length); // NUL-padded, as the kernel's comm
                lib.mapUpdate(comms, comm, one);
            }
        }
    }

    /** Attaches the tracepoints the configured event types need. */
    public void attach() throws LibBpfException {
        int ev = settings.events();
        // A CLOSE is reported only for connections seen opening, so close needs connect and accept too.
        boolean close = (ev & ConfigLayout.EV_CLOSE) != 0;
        if (close || (ev & ConfigLayout.EV_CONNECT) != 0) {
            attach("enter_connect", "exit_connect");
        }
        if (close || (ev & ConfigLayout.EV_ACCEPT) != 0) {
            attach("exit_accept4", "exit_accept");
        }
        if (close) {
            attach("enter_close");
        }
    }

    private void attach(String... programs) throws LibBpfException {
        for (String name : programs) {
            MemorySegment prog = lib.findProgram(obj, name);
            links.add(lib.programAttach(prog, name));
            attached.add(new Attached(name, prog));
        }
    }

    /**
     * The kernel's run time and run count of each attached program, in attach order; empty once closed. Safe from
     * any thread: close waits for a read in progress.
     */
    public synchronized List<ProgramStats> programStats() throws LibBpfException {
        if (closed) {
            return List.of();
        }
        List<ProgramStats> out = new ArrayList<>(attached.size());
        try (Arena call = Arena.ofConfined()) {
            MemorySegment info = call.allocate(ProgInfoLayout.SIZE, 8);
            for (Attached a : attached) {
                info.fill((byte) 0);
                lib.objectInfo(lib.programFd(a.program(), a.name()), info);
                out.add(new ProgramStats(a.name(), info.get(JAVA_LONG, ProgInfoLayout.RUN_TIME_NS),
                        info.get(JAVA_LONG, ProgInfoLayout.RUN_CNT)));
            }
        }
        return out;
    }

    /** Opens the buffer the object was configured for, delivering each record to {@code sink}. */
    public EventBuffer openBuffer(RecordSink sink) throws LibBpfException {
        return switch (settings.buffer()) {
            case RINGBUF -> new RingBuffer(lib, lib.mapFd(lib.findMap(obj, "events_rb")), sink);
            case AUTO -> throw new IllegalStateException("the buffer kind is resolved before load");
            case PERF -> {
                // libbpf opens a buffer for each online CPU only: the budget is theirs.
                // libbpf counts a perf buffer in pages of the system's size, as the ring buffer's mapping is.
                int page = lib.pageSize();
                int pagesPerCpu = Integer.highestOneBit(Math.max(1, settings.bufferBytes() / page / writers));
                int watermark = Math.min(settings.wakeupBytes(), pagesPerCpu * page / 2);
                yield new PerfBuffer(lib, lib.mapFd(lib.findMap(obj, "events_perf")), pagesPerCpu, watermark, sink);
            }
        };
    }

    /** Events the kernel could not put in the buffer since load, summed over CPUs. */
    public long lostTotal() throws LibBpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment key = call.allocate(JAVA_INT);
            MemorySegment values = call.allocate(JAVA_LONG, cpus);
            lib.mapLookup(lostMap, key, values);
            long sum = 0;
            for (int i = 0; i < cpus; i++) {
                sum += values.getAtIndex(JAVA_LONG, i);
            }
            return sum;
        }
    }

    /** How the loaded programs read kernel memory (never AUTO). */
    public KernelReads kernelReads() {
        return settings.kernelReads();
    }

    public BufferKind bufferKind() {
        return settings.buffer();
    }

    public int attachedPrograms() {
        return links.size();
    }

    /** Detaches every program, then frees the object. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (MemorySegment link : links) {
            lib.linkDestroy(link);
        }
        links.clear();
        attached.clear();
        lib.objectClose(obj);
        arena.close();
    }
}
