package dev.netmon.enrich;

/**
 * Which container, pod or systemd unit a cgroup path belongs to, read from the path alone.
 *
 * <p>The kernel sends only a cgroup id. The path behind it is the one local fact that names a container without
 * asking a runtime, so an event can be attributed even when the CRI socket is slow or missing. Every runtime and
 * cgroup driver spells the container its own way, and nesting (kind, minikube, docker-in-docker) stacks the
 * spellings, so the path is read one component at a time from the root and the innermost match wins:
 * <ul>
 *   <li>{@code kubepods}, or a slice {@code [prefix-]kubepods.slice}, starts a Kubernetes tree and forgets
 *       everything outer: the node container around a nested kubelet is not the pod's container.
 *   <li>{@code besteffort} or {@code burstable} before a pod gives its QoS class; a pod directly under kubepods
 *       is guaranteed; a pod whose parents are hidden (a cgroup namespace view) has no known class.
 *   <li>{@code pod<uid>} and {@code [prefix-]kubepods[-<qos>]-pod<uid>.slice} name a pod. systemd writes the uid's
 *       dashes as underscores; the slice name carries its own QoS class.
 *   <li>A container is a component of exactly 64 lowercase hex (Docker when its parent is {@code docker}, else
 *       the runtime is unknown), or {@code <prefix>-<64 hex>} with an optional {@code .scope}: prefix
 *       {@code cri-containerd} or {@code nerdctl} is containerd, {@code crio} CRI-O, {@code docker} Docker (and
 *       cri-dockerd), {@code libpod} Podman. conmon's {@code crio-conmon-} and {@code libpod-conmon-} are not.
 *   <li>A container inside another container is a new layer: the outer one's pod does not apply to it. A pod
 *       inside a container likewise drops the container.
 *   <li>Other components below a container are its own sub-cgroups and change nothing.
 *   <li>Outside containers the unit is the first {@code .service} or {@code .scope} component from the root (or
 *       from the innermost pod): {@code user@1000.service} for all a user's manager runs, {@code init.scope},
 *       {@code session-3.scope}. The first, not the last, because the outermost unit is the one systemd and an
 *       operator know by name; what it starts below itself is its own business.
 * </ul>
 * {@code ..} components, which a private cgroup namespace shows for everything above its root, are skipped.
 * Each component is scanned a fixed number of times and nothing is a regex, so the time is linear in the input,
 * whatever the input is: a path comes from the kernel, but a caller may hand over anything.
 */
public final class CgroupPaths {
    private static final String DELETED = " (deleted)";

    private CgroupPaths() {}

    /**
     * The path of a {@code /proc/PID/cgroup} line ({@code 0::/a}, {@code 4:memory:/a}); a bare path as it is;
     * "" for null. The kernel's " (deleted)" mark on a removed cgroup is not part of the path and is dropped.
     */
    public static String pathOf(String line) {
        if (line == null) {
            return "";
        }
        String s = line.strip();
        if (!s.startsWith("/")) {
            // A path may itself hold colons, so only the first two separate the fields.
            int first = s.indexOf(':');
            int second = first < 0 ? -1 : s.indexOf(':', first + 1);
            if (second >= 0) {
                s = s.substring(second + 1);
            }
        }
        return s.endsWith(DELETED) ? s.substring(0, s.length() - DELETED.length()) : s;
    }

    /** Attribution of one {@code /proc/PID/cgroup} line or bare path; never throws; NONE for null. */
    public static CgroupAttribution parse(String lineOrPath) {
        String path = pathOf(lineOrPath);
        Walk walk = new Walk();
        int start = 0;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            walk.visit(path.substring(start, end));
            start = end + 1;
        }
        return walk.result();
    }

    /**
     * Attribution from a whole {@code /proc/PID/cgroup} file, using its most telling line: one naming a container,
     * else a pod, else a unit; among equals the {@code 0::} line, then {@code name=systemd}, then the first.
     * Controllers on a hybrid host can disagree (a v1 controller still in a pod's cgroup while the unified line
     * shows "/"), and the more specific answer is the one the event needs.
     */
    public static CgroupAttribution parseProcFile(String wholeProcPidCgroupContent) {
        if (wholeProcPidCgroupContent == null) {
            return CgroupAttribution.NONE;
        }
        String content = wholeProcPidCgroupContent;
        CgroupAttribution best = CgroupAttribution.NONE;
        int bestRank = -1;
        int start = 0;
        while (start < content.length()) {
            int end = content.indexOf('\n', start);
            if (end < 0) {
                end = content.length();
            }
            String line = content.substring(start, end).strip();
            start = end + 1;
            if (line.isEmpty()) {
                continue;
            }
            CgroupAttribution attribution = parse(line);
            int rank = 3 * detail(attribution) + preference(line);
            if (rank > bestRank) {
                best = attribution;
                bestRank = rank;
            }
        }
        return best;
    }

    private static int detail(CgroupAttribution a) {
        if (a.containerId() != null) {
            return 3;
        }
        if (a.podUid() != null) {
            return 2;
        }
        return a.unit() != null ? 1 : 0;
    }

    /** The unified (v2) line is what the kernel attributes the process to; name=systemd is systemd's own view. */
    private static int preference(String line) {
        if (line.startsWith("0::")) {
            return 2;
        }
        int first = line.indexOf(':');
        return first >= 0 && line.startsWith("name=systemd:", first + 1) ? 1 : 0;
    }

    /** The state of a left-to-right reading of a path; each component can only narrow or restart it. */
    private static final class Walk {
        private Runtime runtime;
        private String containerId;
        private String podUid;
        private Qos qos;
        private String unit;
        /** The class for a pod that cgroupfs has not named yet: set by kubepods and the QoS directories. */
        private Qos pendingQos;
        private String parent = "";

        void visit(String name) {
            if (!name.isEmpty() && !name.equals(".") && !name.equals("..")) {
                classify(name);
            }
            parent = name;
        }

        private void classify(String name) {
            KubeSlice slice = KubeSlice.of(name);
            Qos qosDirectory = slice != null ? slice.qos() : qosOf(name);
            String cgroupfsPod = name.startsWith("pod") ? canonicalPodUid(name.substring(3), '-') : null;
            if ((slice != null && slice.isRoot()) || name.equals("kubepods")) {
                enterKubepods();
            } else if (slice != null && slice.podUid() != null) {
                enterPod(slice.podUid(), slice.qos());
            } else if (cgroupfsPod != null) {
                enterPod(cgroupfsPod, pendingQos);
            } else if (qosDirectory != null) {
                // Below a pod or container "burstable" is just a name somebody chose.
                if (containerId == null && podUid == null) {
                    pendingQos = qosDirectory;
                }
            } else if (!enterContainer(name) && containerId == null && unit == null && isUnit(name)) {
                unit = name;
            }
        }

        private void enterKubepods() {
            runtime = null;
            containerId = null;
            podUid = null;
            qos = null;
            unit = null;
            pendingQos = Qos.GUARANTEED;
        }

        private void enterPod(String uid, Qos podQos) {
            runtime = null;
            containerId = null;
            unit = null;
            podUid = uid;
            qos = podQos;
            pendingQos = null;
        }

        private boolean enterContainer(String name) {
            Runtime found;
            String id;
            if (isContainerId(name)) {
                found = parent.equals("docker") ? Runtime.DOCKER : null;
                id = name;
            } else {
                String base = name.endsWith(".scope") ? name.substring(0, name.length() - ".scope".length()) : name;
                int dash = base.lastIndexOf('-');
                if (dash < 0 || !isContainerId(base.substring(dash + 1))) {
                    return false;
                }
                found = runtimeOfPrefix(base.substring(0, dash));
                if (found == null) {
                    return false;
                }
                id = base.substring(dash + 1);
            }
            if (containerId != null) {
                podUid = null;
                qos = null;
            }
            runtime = found;
            containerId = id;
            unit = null;
            pendingQos = null;
            return true;
        }

        CgroupAttribution result() {
            return new CgroupAttribution(runtime, containerId, podUid, qos, containerId == null ? unit : null);
        }
    }

    private static Runtime runtimeOfPrefix(String prefix) {
        return switch (prefix) {
            case "cri-containerd", "nerdctl" -> Runtime.CONTAINERD;
            case "crio" -> Runtime.CRIO;
            case "docker" -> Runtime.DOCKER;
            case "libpod" -> Runtime.PODMAN;
            default -> null; // crio-conmon, libpod-conmon and anything else a runtime did not make
        };
    }

    private static Qos qosOf(String name) {
        return switch (name) {
            case "besteffort" -> Qos.BESTEFFORT;
            case "burstable" -> Qos.BURSTABLE;
            default -> null;
        };
    }

    private static boolean isUnit(String name) {
        return (name.endsWith(".service") && name.length() > ".service".length())
                || (name.endsWith(".scope") && name.length() > ".scope".length());
    }

    /**
     * A systemd-driver Kubernetes slice. systemd spells a slice's whole ancestry in its name, so
     * {@code kubelet-kubepods-burstable-pod<uid>.slice} alone says: kubepods tree, burstable, this pod.
     * Neither part set means the kubepods slice itself; only a QoS class, the class's slice.
     */
    private record KubeSlice(Qos qos, String podUid) {
        boolean isRoot() {
            return qos == null && podUid == null;
        }

        static KubeSlice of(String name) {
            if (!name.endsWith(".slice")) {
                return null;
            }
            String base = name.substring(0, name.length() - ".slice".length());
            int at = base.lastIndexOf("kubepods");
            if (at < 0 || (at > 0 && base.charAt(at - 1) != '-')) {
                return null;
            }
            int end = at + "kubepods".length();
            if (end == base.length()) {
                return new KubeSlice(null, null);
            }
            if (base.charAt(end) != '-') {
                return null;
            }
            String rest = base.substring(end + 1);
            int dash = rest.indexOf('-');
            Qos qos = qosOf(dash < 0 ? rest : rest.substring(0, dash));
            if (qos != null && dash < 0) {
                return new KubeSlice(qos, null);
            }
            String pod = qos == null ? rest : rest.substring(dash + 1);
            String uid = pod.startsWith("pod") ? canonicalPodUid(pod.substring(3), '_') : null;
            return uid == null ? null : new KubeSlice(qos == null ? Qos.GUARANTEED : qos, uid);
        }
    }

    private static boolean isContainerId(String s) {
        return s.length() == 64 && isLowerHex(s, 0, 64);
    }

    /**
     * The pod uid with dashes, or null; {@code separator} is how this spelling writes the dashes. A uid is a UUID,
     * or the 32-hex config hash kubelet uses as the uid of a static pod.
     */
    private static String canonicalPodUid(String s, char separator) {
        if (s.length() == 32 && isLowerHex(s, 0, 32)) {
            return s;
        }
        if (s.length() != 36) {
            return null;
        }
        for (int dash : new int[] {8, 13, 18, 23}) {
            if (s.charAt(dash) != separator) {
                return null;
            }
        }
        boolean hex = isLowerHex(s, 0, 8) && isLowerHex(s, 9, 13) && isLowerHex(s, 14, 18)
                && isLowerHex(s, 19, 23) && isLowerHex(s, 24, 36);
        return hex ? s.replace(separator, '-') : null;
    }

    private static boolean isLowerHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
