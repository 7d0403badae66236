package dev.netmon.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Real /proc/PID/cgroup lines of every runtime, driver and nesting, each against the whole attribution. */
class CgroupPathsTest {
    private static final String ID = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";
    private static final String NODE = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    private static final String UID = "8f1a2b3c-1111-2222-3333-444455556666";
    private static final String UID_ = UID.replace('-', '_');
    private static final String STATIC_UID = "5b1c5e2a9f3d4e6b8a7c0d1e2f3a4b5c";

    private static final Runtime NO_RUNTIME = null;
    private static final Qos NO_QOS = null;
    private static final String NO_ID = null;
    private static final String NO_POD = null;
    private static final String NO_UNIT = null;

    @ParameterizedTest(name = "{0}")
    @MethodSource("lines")
    void attributesEveryLayout(String line, CgroupAttribution expected) {
        assertEquals(expected, CgroupPaths.parse(line));
    }

    static Stream<Arguments> lines() {
        return Stream.of(
                // Kubernetes, cgroupfs driver: the bare id does not say which runtime.
                row("11:memory:/kubepods/pod" + UID + "/" + ID, null, ID, UID, Qos.GUARANTEED, null),
                row("0::/kubepods/burstable/pod" + UID + "/" + ID, null, ID, UID, Qos.BURSTABLE, null),
                row("4:memory:/kubepods/besteffort/pod" + UID + "/" + ID, null, ID, UID, Qos.BESTEFFORT, null),
                row("5:cpu,cpuacct:/kubepods/besteffort/pod" + UID + "/crio-" + ID,
                        Runtime.CRIO, ID, UID, Qos.BESTEFFORT, null),
                row("0::/kubepods/besteffort/pod" + UID + "/crio-conmon-" + ID,
                        NO_RUNTIME, NO_ID, UID, Qos.BESTEFFORT, NO_UNIT),
                row("0::/kubepods/besteffort/pod" + UID, NO_RUNTIME, NO_ID, UID, Qos.BESTEFFORT, NO_UNIT),
                row("0::/kubepods/pod" + UID, NO_RUNTIME, NO_ID, UID, Qos.GUARANTEED, NO_UNIT),
                row("0::/kubepods/burstable/pod" + STATIC_UID + "/" + ID, null, ID, STATIC_UID, Qos.BURSTABLE, null),
                // Kubernetes, systemd driver: the pod uid's dashes are underscores.
                row("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_
                        + ".slice/cri-containerd-" + ID + ".scope", Runtime.CONTAINERD, ID, UID, Qos.BURSTABLE, null),
                row("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + UID_ + ".slice/crio-"
                        + ID + ".scope", Runtime.CRIO, ID, UID, Qos.BESTEFFORT, null),
                row("3:cpu,cpuacct:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_
                        + ".slice/docker-" + ID + ".scope", Runtime.DOCKER, ID, UID, Qos.BURSTABLE, null),
                row("0::/kubepods.slice/kubepods-pod" + UID_ + ".slice/cri-containerd-" + ID + ".scope",
                        Runtime.CONTAINERD, ID, UID, Qos.GUARANTEED, null),
                row("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_
                        + ".slice/crio-conmon-" + ID + ".scope",
                        NO_RUNTIME, NO_ID, UID, Qos.BURSTABLE, "crio-conmon-" + ID + ".scope"),
                row("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + UID_ + ".slice",
                        NO_RUNTIME, NO_ID, UID, Qos.BESTEFFORT, NO_UNIT),
                row("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + STATIC_UID
                        + ".slice/cri-containerd-" + ID + ".scope", Runtime.CONTAINERD, ID, STATIC_UID, Qos.BURSTABLE,
                        null),
                // Sub-cgroups a runtime or the container itself makes below the container.
                row("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_
                        + ".slice/cri-containerd-" + ID + ".scope/init",
                        Runtime.CONTAINERD, ID, UID, Qos.BURSTABLE, null),
                row("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + UID_ + ".slice/crio-"
                        + ID + ".scope/container", Runtime.CRIO, ID, UID, Qos.BESTEFFORT, null),
                row("0::/kubepods/burstable/pod" + UID + "/" + ID + "/init.scope", null, ID, UID, Qos.BURSTABLE, null),
                // A directory under the cgroup mount is a path too.
                row("/sys/fs/cgroup/memory/kubepods/burstable/pod" + UID + "/" + ID,
                        null, ID, UID, Qos.BURSTABLE, null),
                // Docker alone.
                row("4:memory:/docker/" + ID, Runtime.DOCKER, ID, NO_POD, NO_QOS, NO_UNIT),
                row("1:name=systemd:/system.slice/docker-" + ID + ".scope", Runtime.DOCKER, ID, null, null, null),
                row("0::/docker/" + ID + "/sub", Runtime.DOCKER, ID, null, null, null),
                row("0::/system.slice/docker-" + ID + ".scope (deleted)", Runtime.DOCKER, ID, null, null, null),
                // Podman, rootful and rootless, systemd and cgroupfs.
                row("0::/machine.slice/libpod-" + ID + ".scope", Runtime.PODMAN, ID, null, null, null),
                row("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + ID + ".scope",
                        Runtime.PODMAN, ID, null, null, null),
                row("0::/libpod_parent/libpod-" + ID, Runtime.PODMAN, ID, null, null, null),
                row("0::/libpod_parent/libpod-" + ID + "/ctr", Runtime.PODMAN, ID, null, null, null),
                row("0::/machine.slice/libpod-conmon-" + ID + ".scope",
                        NO_RUNTIME, NO_ID, NO_POD, NO_QOS, "libpod-conmon-" + ID + ".scope"),
                row("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-conmon-" + ID + ".scope",
                        NO_RUNTIME, NO_ID, NO_POD, NO_QOS, "user@1000.service"),
                // containerd without Kubernetes (nerdctl).
                row("0::/system.slice/nerdctl-" + ID + ".scope", Runtime.CONTAINERD, ID, null, null, null),
                // Nested: kubelet inside a node container (kind, minikube); the pod's container wins.
                row("0::/kubelet/kubepods/burstable/pod" + UID + "/" + ID, null, ID, UID, Qos.BURSTABLE, null),
                row("0::/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
                        + "kubelet-kubepods-besteffort-pod" + UID_ + ".slice/cri-containerd-" + ID + ".scope",
                        Runtime.CONTAINERD, ID, UID, Qos.BESTEFFORT, null),
                row("0::/docker/" + NODE + "/kubelet/kubepods/burstable/pod" + UID + "/" + ID,
                        null, ID, UID, Qos.BURSTABLE, null),
                row("0::/system.slice/docker-" + NODE + ".scope/kubelet.slice/kubelet-kubepods.slice/"
                        + "kubelet-kubepods-pod" + UID_ + ".slice/cri-containerd-" + ID + ".scope",
                        Runtime.CONTAINERD, ID, UID, Qos.GUARANTEED, null),
                row("0::/docker/" + NODE + "/kubelet/kubepods/besteffort/pod" + UID,
                        NO_RUNTIME, NO_ID, UID, Qos.BESTEFFORT, NO_UNIT),
                row("0::/docker/" + NODE + "/system.slice/containerd.service", Runtime.DOCKER, NODE, null, null, null),
                row("0::/docker/" + NODE + "/docker/" + ID, Runtime.DOCKER, ID, null, null, null),
                // Docker inside a pod's container: that pod is not the inner container's.
                row("0::/kubepods/besteffort/pod" + UID + "/" + NODE + "/docker/" + ID,
                        Runtime.DOCKER, ID, null, null, null),
                // Seen from a private cgroup namespace: what is above its root shows as "..".
                row("0::/../../kubepods/besteffort/pod" + UID + "/" + ID, null, ID, UID, Qos.BESTEFFORT, null),
                row("0::/../pod" + UID + "/" + ID, null, ID, UID, null, null),
                row("0::/../besteffort/pod" + UID + "/" + ID, null, ID, UID, Qos.BESTEFFORT, null),
                row("0::/../" + ID, null, ID, null, null, null),
                row("0::/../../kubepods-besteffort-pod" + UID_ + ".slice/cri-containerd-" + ID + ".scope",
                        Runtime.CONTAINERD, ID, UID, Qos.BESTEFFORT, null),
                row("0::/../cri-containerd-" + ID + ".scope", Runtime.CONTAINERD, ID, null, null, null),
                // The host: no container, the unit says what runs there.
                row("0::/", NO_RUNTIME, NO_ID, NO_POD, NO_QOS, NO_UNIT),
                row("/", null, null, null, null, null),
                row("0::/init.scope", null, null, null, null, "init.scope"),
                row("1:name=systemd:/init.scope", null, null, null, null, "init.scope"),
                row("0::/system.slice/containerd.service", null, null, null, null, "containerd.service"),
                row("0::/system.slice/sshd.service", null, null, null, null, "sshd.service"),
                row("7:pids:/system.slice/kubelet.service", null, null, null, null, "kubelet.service"),
                row("0::/system.slice/docker.service", null, null, null, null, "docker.service"),
                row("0::/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service",
                        null, null, null, null, "user@1000.service"),
                row("0::/user.slice/user-1000.slice/user@1000.service/init.scope",
                        null, null, null, null, "user@1000.service"),
                row("0::/user.slice/user-1000.slice/session-3.scope", null, null, null, null, "session-3.scope"),
                row("0::/user.slice", null, null, null, null, null),
                row("0::/kubepods", null, null, null, null, null),
                row("0::/kubepods/besteffort", null, null, null, null, null),
                row("0::/kubepods.slice/kubepods-burstable.slice", null, null, null, null, null),
                // Almost ids are not ids.
                row("0::/docker/" + ID.substring(1), null, null, null, null, null),
                row("0::/docker/" + ID.toUpperCase(), null, null, null, null, null),
                row("0::/docker/" + ID + "0", null, null, null, null, null),
                row("0::/system.slice/docker-" + ID + "0.scope", null, null, null, null, "docker-" + ID + "0.scope"),
                row("0::/docker-.scope", null, null, null, null, "docker-.scope"),
                row("0::/system.slice/runc-" + ID + ".scope", null, null, null, null, "runc-" + ID + ".scope"),
                row("0::/kubepods/besteffort/pod" + UID.toUpperCase() + "/" + ID, null, ID, null, null, null),
                row("0::/kubepods/besteffort/pod" + UID_ + "/" + ID, null, ID, null, null, null),
                row("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + UID + ".slice",
                        null, null, null, null, null));
    }

    private static Arguments row(String line, Runtime runtime, String id, String pod, Qos qos, String unit) {
        return Arguments.of(line, new CgroupAttribution(runtime, id, pod, qos, unit));
    }

    @Test
    void pathOfTakesWhatFollowsTheSecondColon() {
        assertEquals("/kubepods/pod" + UID, CgroupPaths.pathOf("4:memory:/kubepods/pod" + UID));
        assertEquals("/a", CgroupPaths.pathOf("5:cpu,cpuacct:/a"));
        assertEquals("/a", CgroupPaths.pathOf("1:name=systemd:/a\n"));
        assertEquals("/a:b", CgroupPaths.pathOf("0::/a:b"));
        assertEquals("/a:b:c", CgroupPaths.pathOf("/a:b:c"));
        assertEquals("/system.slice/x.service", CgroupPaths.pathOf("0::/system.slice/x.service (deleted)"));
        assertEquals("", CgroupPaths.pathOf("0::"));
        assertEquals("", CgroupPaths.pathOf(null));
        assertEquals("no colons", CgroupPaths.pathOf("no colons"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"::", "0::", ":", "0:", "no colons at all", "a:b", "\n", " ", "////", "/../../..",
        "0::..", "0::/kubepods/pod", "0::/kubepods.slice/kubepods-pod.slice", "0::/kubepods.slice/-kubepods.slice",
        "0::/docker-", "0::/.scope", "0::/.service", "0::/pod", "0::/\u0000/\uffff"})
    void garbageIsNone(String line) {
        assertEquals(CgroupAttribution.NONE, CgroupPaths.parse(line));
        assertEquals(CgroupAttribution.NONE, CgroupPaths.parseProcFile(line));
    }

    @Test
    void longInputsParseToTheRightAnswer() {
        String slashes = "/".repeat(2_000_000);
        String deep = "/kubepods/besteffort/pod" + UID + "/" + ID + "/sub".repeat(500_000);
        String slices = "/kubepods-".repeat(200_000) + ".slice";
        String dashes = "0::/docker" + "-".repeat(1_000_000) + ID + ".scope";
        String kubepodsWords = "/" + "kubepods".repeat(250_000) + ".slice";
        String lines = ("4:memory:/kubepods/besteffort/pod" + UID + "/" + ID + "\n").repeat(20_000);
        // The parser splits on '/' and never backtracks; its cost is measured by make bench, not asserted here.
        assertEquals(CgroupAttribution.NONE, CgroupPaths.parse(slashes));
        assertEquals(new CgroupAttribution(null, ID, UID, Qos.BESTEFFORT, null), CgroupPaths.parse(deep));
        assertEquals(CgroupAttribution.NONE, CgroupPaths.parse(slices));
        assertFalse(CgroupPaths.parse(dashes).inContainer());
        assertEquals(CgroupAttribution.NONE, CgroupPaths.parse(kubepodsWords));
        assertTrue(CgroupPaths.parseProcFile(lines).inContainer());
    }

    @Test
    void hybridHostContainerdContainerWithCgroupfsDriver() {
        String path = "/kubepods/besteffort/pod" + UID + "/" + ID;
        String file = """
                12:hugetlb:%1$s
                11:memory:%1$s
                10:pids:%1$s
                9:cpuset:%1$s
                8:devices:%1$s
                7:perf_event:%1$s
                6:net_cls,net_prio:%1$s
                5:cpu,cpuacct:%1$s
                4:freezer:%1$s
                3:blkio:%1$s
                2:rdma:%1$s
                1:name=systemd:%1$s
                0::%1$s
                """.formatted(path);
        assertEquals(13, file.lines().count());
        assertEquals(new CgroupAttribution(null, ID, UID, Qos.BESTEFFORT, null), CgroupPaths.parseProcFile(file));
    }

    @Test
    void aContainerOnAnyLineBeatsTheUnifiedLine() {
        // Docker on a hybrid host with the cgroupfs driver: only the v1 controllers know the container.
        String file = """
                12:pids:/docker/%1$s
                11:memory:/docker/%1$s
                5:cpu,cpuacct:/docker/%1$s
                1:name=systemd:/docker/%1$s
                0::/system.slice/docker.service
                """.formatted(ID);
        assertEquals(new CgroupAttribution(Runtime.DOCKER, ID, null, null, null), CgroupPaths.parseProcFile(file));
    }

    @Test
    void onlyTheUnifiedLineOnAV2Host() {
        String file = "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_
                + ".slice/cri-containerd-" + ID + ".scope\n";
        assertEquals(new CgroupAttribution(Runtime.CONTAINERD, ID, UID, Qos.BURSTABLE, null),
                CgroupPaths.parseProcFile(file));
    }

    @Test
    void hostProcessOnAHybridHostTakesTheMostSpecificLine() {
        String file = """
                12:pids:/user.slice/user-1000.slice/session-3.scope
                11:memory:/user.slice/user-1000.slice/session-3.scope
                5:cpu,cpuacct:/user.slice
                4:devices:/user.slice
                1:name=systemd:/user.slice/user-1000.slice/session-3.scope
                0::/user.slice/user-1000.slice/session-3.scope
                """;
        assertEquals(new CgroupAttribution(null, null, null, null, "session-3.scope"), CgroupPaths.parseProcFile(file));
    }

    @Test
    void amongEqualsTheUnifiedLineThenSystemdsThenTheFirst() {
        String all = "3:pids:/system.slice/a.service\n1:name=systemd:/system.slice/b.service\n"
                + "0::/system.slice/c.service";
        assertEquals("c.service", CgroupPaths.parseProcFile(all).unit());
        String noUnified = "3:pids:/system.slice/a.service\r\n1:name=systemd:/system.slice/b.service\r\n";
        assertEquals("b.service", CgroupPaths.parseProcFile(noUnified).unit());
        String noneBetter = "3:pids:/system.slice/a.service\n4:memory:/x/b.service";
        assertEquals("a.service", CgroupPaths.parseProcFile(noneBetter).unit());
    }

    @Test
    void aPodBeatsAUnit() {
        String file = "4:memory:/kubepods/besteffort/pod" + UID + "\n0::/system.slice/containerd.service\n";
        assertEquals(new CgroupAttribution(null, null, UID, Qos.BESTEFFORT, null), CgroupPaths.parseProcFile(file));
    }

    @Test
    void noneIsNotInAContainer() {
        assertFalse(CgroupAttribution.NONE.inContainer());
        assertTrue(CgroupPaths.parse("/docker/" + ID).inContainer());
        assertEquals("cri-o", Runtime.CRIO.text());
        assertEquals("besteffort", Qos.BESTEFFORT.text());
    }
}
