package dev.netmon.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Paths built the way each runtime and driver builds them, from generated ids, so the table in
 * {@link CgroupPathsTest} is not the only evidence; and any string at all, so no input can break enrichment.
 */
class CgroupPathProperties {

    /** A path and the attribution it was built from; layout names it in the statistics. */
    record Built(String layout, String path, CgroupAttribution expected) {}

    @Property
    void givesBackTheContainerThePathWasBuiltFrom(
            @ForAll("containerPaths") Built built,
            @ForAll("lineForms") String line,
            @ForAll("namespaceViews") String above,
            @ForAll("subCgroups") String below) {
        Statistics.collect(built.layout());
        assertEquals(built.expected(), CgroupPaths.parse(line + above + built.path() + below));
    }

    @Property
    void givesBackThePodOfAPodLevelCgroup(
            @ForAll("podPaths") Built built, @ForAll("lineForms") String line, @ForAll("namespaceViews") String above) {
        Statistics.collect(built.layout());
        assertEquals(built.expected(), CgroupPaths.parse(line + above + built.path()));
    }

    @Property
    void hostPathsAreNeverContainers(@ForAll("hostPaths") Built built, @ForAll("lineForms") String line) {
        Statistics.collect(built.layout());
        CgroupAttribution attribution = CgroupPaths.parse(line + built.path());
        assertNull(attribution.containerId());
        assertEquals(built.expected(), attribution);
    }

    @Property(tries = 3000)
    void anyInputGivesAWellFormedAnswer(@ForAll("anything") String input) {
        CgroupAttribution one = CgroupPaths.parse(input);
        CgroupAttribution file = CgroupPaths.parseProcFile(input);
        Statistics.collect(one.inContainer() ? "container" : one.podUid() != null ? "pod"
                : one.unit() != null ? "unit" : "nothing");
        for (CgroupAttribution a : List.of(one, file)) {
            if (a.containerId() != null) {
                assertTrue(a.containerId().matches("[0-9a-f]{64}"), a.containerId());
                assertNull(a.unit());
            }
            if (a.podUid() != null) {
                assertTrue(a.podUid().matches("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|[0-9a-f]{32}"), a.podUid());
            }
            if (a.qos() != null) {
                assertNotNull(a.podUid());
            }
            if (a.runtime() != null) {
                assertNotNull(a.containerId());
            }
        }
    }

    // ---- containers, one generator per layout ----

    @Provide
    Arbitrary<Built> containerPaths() {
        return Arbitraries.oneOf(kubeCgroupfs(), kubeSystemd(), docker(), podman(), nerdctl(), nestedKube(),
                partialViews());
    }

    @Provide
    Arbitrary<Built> kubeCgroupfs() {
        return Combinators.combine(containerIds(), podUids(), qosClasses(), Arbitraries.of("", "crio-"))
                .as((id, uid, qos, prefix) -> new Built(
                        "kubepods cgroupfs " + (prefix.isEmpty() ? "bare id" : "crio"),
                        "/kubepods" + qosDirectory(qos) + "/pod" + uid + "/" + prefix + id,
                        new CgroupAttribution(prefix.isEmpty() ? null : Runtime.CRIO, id, uid, qos, null)));
    }

    @Provide
    Arbitrary<Built> kubeSystemd() {
        return Combinators.combine(containerIds(), podUids(), qosClasses(), kubeRuntimes())
                .as((id, uid, qos, runtime) -> new Built(
                        "kubepods systemd " + runtime.text(),
                        kubeSlices("kubepods", uid, qos) + "/" + scopePrefix(runtime) + "-" + id + ".scope",
                        new CgroupAttribution(runtime, id, uid, qos, null)));
    }

    @Provide
    Arbitrary<Built> docker() {
        return Combinators.combine(containerIds(), Arbitraries.of(true, false))
                .as((id, cgroupfs) -> new Built(
                        cgroupfs ? "docker cgroupfs" : "docker systemd",
                        cgroupfs ? "/docker/" + id : "/system.slice/docker-" + id + ".scope",
                        new CgroupAttribution(Runtime.DOCKER, id, null, null, null)));
    }

    @Provide
    Arbitrary<Built> podman() {
        return Combinators.combine(containerIds(), userIds(), Arbitraries.of("machine.slice", "rootless", "cgroupfs"))
                .as((id, user, where) -> new Built(
                        "podman " + where,
                        switch (where) {
                            case "machine.slice" -> "/machine.slice/libpod-" + id + ".scope";
                            case "rootless" -> "/user.slice/user-" + user + ".slice/user@" + user
                                    + ".service/user.slice/libpod-" + id + ".scope";
                            default -> "/libpod_parent/libpod-" + id;
                        },
                        new CgroupAttribution(Runtime.PODMAN, id, null, null, null)));
    }

    @Provide
    Arbitrary<Built> nerdctl() {
        return containerIds().map(id -> new Built("nerdctl systemd", "/system.slice/nerdctl-" + id + ".scope",
                new CgroupAttribution(Runtime.CONTAINERD, id, null, null, null)));
    }

    /** kubelet under a cgroup root of its own, alone or inside a node container (kind, minikube). */
    @Provide
    Arbitrary<Built> nestedKube() {
        Arbitrary<String> outers =
                Arbitraries.of("kubelet cgroupfs", "kubelet systemd", "kind cgroupfs", "kind systemd");
        return Combinators.combine(containerIds(), podUids(), qosClasses(), containerIds(), outers, kubeRuntimes())
                .as((id, uid, qos, node, outer, runtime) -> {
                    boolean cgroupfs = outer.endsWith("cgroupfs");
                    String around = outer.startsWith("kind")
                            ? (cgroupfs ? "/docker/" + node : "/system.slice/docker-" + node + ".scope")
                            : "";
                    String inside = cgroupfs
                            ? "/kubelet/kubepods" + qosDirectory(qos) + "/pod" + uid + "/" + id
                            : "/kubelet.slice" + kubeSlices("kubelet-kubepods", uid, qos) + "/"
                                    + scopePrefix(runtime) + "-" + id + ".scope";
                    return new Built("nested " + outer, around + inside,
                            new CgroupAttribution(cgroupfs ? null : runtime, id, uid, qos, null));
                });
    }

    /** What a private cgroup namespace shows of a sibling: the pod, or only its systemd slice, and the container. */
    @Provide
    Arbitrary<Built> partialViews() {
        return Combinators.combine(containerIds(), podUids(), qosClasses(), Arbitraries.of(true, false))
                .as((id, uid, qos, cgroupfs) -> cgroupfs
                        ? new Built("partial cgroupfs", "/pod" + uid + "/" + id,
                                new CgroupAttribution(null, id, uid, null, null))
                        : new Built("partial systemd",
                                "/" + podSlice("kubepods", uid, qos) + "/cri-containerd-" + id + ".scope",
                                new CgroupAttribution(Runtime.CONTAINERD, id, uid, qos, null)));
    }

    @Provide
    Arbitrary<Built> podPaths() {
        return Combinators.combine(podUids(), qosClasses(), Arbitraries.of(true, false))
                .as((uid, qos, cgroupfs) -> new Built(
                        cgroupfs ? "pod cgroupfs" : "pod systemd",
                        cgroupfs ? "/kubepods" + qosDirectory(qos) + "/pod" + uid : kubeSlices("kubepods", uid, qos),
                        new CgroupAttribution(null, null, uid, qos, null)));
    }

    // ---- the host ----

    @Provide
    Arbitrary<Built> hostPaths() {
        Arbitrary<Built> systemUnits = Combinators.combine(unitNames(), Arbitraries.of("", "/sub", "/inner.scope"))
                .as((name, below) -> new Built("system.slice unit", "/system.slice/" + name + ".service" + below,
                        new CgroupAttribution(null, null, null, null, name + ".service")));
        Arbitrary<Built> userManagers = Combinators.combine(userIds(), unitNames())
                .as((user, name) -> new Built("user manager",
                        "/user.slice/user-" + user + ".slice/user@" + user + ".service/app.slice/" + name + ".service",
                        new CgroupAttribution(null, null, null, null, "user@" + user + ".service")));
        Arbitrary<Built> sessions = Combinators.combine(userIds(), Arbitraries.integers().between(1, 99999))
                .as((user, session) -> new Built("user session",
                        "/user.slice/user-" + user + ".slice/session-" + session + ".scope",
                        new CgroupAttribution(null, null, null, null, "session-" + session + ".scope")));
        Arbitrary<Built> conmons = containerIds().map(id -> new Built("podman conmon",
                "/machine.slice/libpod-conmon-" + id + ".scope",
                new CgroupAttribution(null, null, null, null, "libpod-conmon-" + id + ".scope")));
        Arbitrary<Built> fixed = Arbitraries.of(
                new Built("init.scope", "/init.scope", new CgroupAttribution(null, null, null, null, "init.scope")),
                new Built("root", "/", CgroupAttribution.NONE),
                new Built("bare slice", "/system.slice", CgroupAttribution.NONE),
                new Built("bare slice", "/user.slice/user-1000.slice", CgroupAttribution.NONE));
        return Arbitraries.oneOf(systemUnits, userManagers, sessions, conmons, fixed);
    }

    /** Real names, and made-up ones that cannot spell a runtime prefix or a hex id (no a to f). */
    @Provide
    Arbitrary<String> unitNames() {
        Arbitrary<String> madeUp = Arbitraries.strings().withCharRange('g', 'z').withChars("-_@.0123456789")
                .ofMinLength(1).ofMaxLength(40);
        return Arbitraries.oneOf(Arbitraries.of("sshd", "containerd", "docker", "crio", "kubelet", "systemd-journald",
                "dbus", "getty@tty1", "podman", "kubepods", "user@0"), madeUp);
    }

    // ---- garbage ----

    @Provide
    Arbitrary<String> anything() {
        Arbitrary<String> fragment = Arbitraries.oneOf(
                Arbitraries.of("/", "/", "/", "kubepods", "pod", ".slice", ".scope", ".service", "-", "_", ":",
                        "0::", "..", "docker", "crio", "cri-containerd", "libpod", "conmon", "besteffort",
                        "burstable", "kubelet", "\n", " (deleted)"),
                Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofMaxLength(70),
                containerIds(),
                podUids(),
                podUids().map(uid -> uid.replace('-', '_')));
        Arbitrary<String> fromFragments = fragment.list().ofMaxSize(30).map(parts -> String.join("", parts));
        Arbitrary<String> pathLike =
                Arbitraries.strings().withChars("/:-_.@kubepodsliceaf0123456789\n").ofMaxLength(200);
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.strings().ofMaxLength(300)),
                Tuple.of(2, pathLike),
                Tuple.of(4, fromFragments),
                Tuple.of(4, nearMisses(fragment)));
    }

    /** A real path with a piece cut out and a fragment put in its place: close to every rule's edge. */
    private Arbitrary<String> nearMisses(Arbitrary<String> fragment) {
        Arbitrary<String> real = Arbitraries.oneOf(containerPaths(), podPaths(), hostPaths()).map(Built::path);
        Arbitrary<Double> at = Arbitraries.doubles().between(0, 1);
        Arbitrary<Integer> cut = Arbitraries.integers().between(0, 8);
        return Combinators.combine(real, at, cut, fragment).as((path, where, length, piece) -> {
            int from = (int) (where * path.length());
            int to = Math.min(path.length(), from + length);
            return path.substring(0, from) + piece + path.substring(to);
        });
    }

    // ---- parts ----

    @Provide
    Arbitrary<String> lineForms() {
        return Arbitraries.of("", "0::", "4:memory:", "1:name=systemd:", "5:cpu,cpuacct:", "12:hugetlb:");
    }

    @Provide
    Arbitrary<String> namespaceViews() {
        return Arbitraries.of("", "/..", "/../..", "/../../..");
    }

    /** What runtimes and programs make below a container; none of it may change the answer. */
    @Provide
    Arbitrary<String> subCgroups() {
        return Arbitraries.of("", "/init", "/container", "/ctr", "/init.scope", "/sub/inner", "/besteffort",
                "/app.service");
    }

    @Provide
    Arbitrary<String> containerIds() {
        return Arbitraries.strings().withChars("0123456789abcdef").ofLength(64);
    }

    @Provide
    Arbitrary<String> podUids() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
                .as((high, low) -> new UUID(high, low).toString());
    }

    private static Arbitrary<Qos> qosClasses() {
        return Arbitraries.of(Qos.class);
    }

    private static Arbitrary<Runtime> kubeRuntimes() {
        return Arbitraries.of(Runtime.CONTAINERD, Runtime.CRIO, Runtime.DOCKER);
    }

    private static Arbitrary<Integer> userIds() {
        return Arbitraries.integers().between(0, 65535);
    }

    private static String qosDirectory(Qos qos) {
        return qos == Qos.GUARANTEED ? "" : "/" + qos.text();
    }

    /** The slices from the kubepods slice down to the pod's, as kubelet's systemd driver names them. */
    private static String kubeSlices(String root, String uid, Qos qos) {
        String qosSlice = qos == Qos.GUARANTEED ? "" : "/" + root + "-" + qos.text() + ".slice";
        return "/" + root + ".slice" + qosSlice + "/" + podSlice(root, uid, qos);
    }

    private static String podSlice(String root, String uid, Qos qos) {
        String qosPart = qos == Qos.GUARANTEED ? "" : "-" + qos.text();
        return root + qosPart + "-pod" + uid.replace('-', '_') + ".slice";
    }

    private static String scopePrefix(Runtime runtime) {
        return switch (runtime) {
            case CONTAINERD -> "cri-containerd";
            case CRIO -> "crio";
            case DOCKER -> "docker";
            case PODMAN -> "libpod";
        };
    }
}
