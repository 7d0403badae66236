package dev.netmon.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every manifest in k8s/ parses as its Kubernetes kind with no field the API does not define (a misspelt field is
 * silently ignored by kubectl's client side, and by the API server for some kinds), and the DaemonSet holds the
 * security settings SECURITY.md documents: the same capabilities, the same read-only host mounts.
 */
class ManifestsTest {
    private static final Path K8S = Path.of("k8s");
    private static final Map<String, Class<?>> KINDS = Map.of(
            "v1/Namespace", Namespace.class,
            "v1/ServiceAccount", ServiceAccount.class,
            "v1/ConfigMap", ConfigMap.class,
            "apps/v1/DaemonSet", DaemonSet.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private static DaemonSet daemonSet;
    private static PodSpec pod;
    private static Container netmon;

    @BeforeAll
    static void readDaemonSet() throws IOException {
        daemonSet = (DaemonSet) parse(K8S.resolve("daemonset.yaml"));
        pod = daemonSet.getSpec().getTemplate().getSpec();
        assertEquals(1, pod.getContainers().size());
        netmon = pod.getContainers().getFirst();
    }

    @Test
    void everyManifestParsesStrictly() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(K8S)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertEquals(List.of("daemonset.yaml", "fluent-bit-example.yaml", "namespace.yaml", "serviceaccount.yaml"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        for (Path f : files) {
            Object resource = parse(f);
            assertNotNull(resource, f.toString());
        }
    }

    @Test
    void aMisspeltFieldIsCaught() {
        String typo = """
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: netmon
                automountServiceAccountTokens: false
                """;
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> strict("typo.yaml", YAML.readTree(typo)));
        assertTrue(e.getMessage().contains("automountServiceAccountTokens"), e.getMessage());
    }

    @Test
    void allInNetmonsNamespaceWithItsServiceAccountAndNoApiToken() throws IOException {
        ServiceAccount sa = (ServiceAccount) parse(K8S.resolve("serviceaccount.yaml"));
        Namespace ns = (Namespace) parse(K8S.resolve("namespace.yaml"));
        assertEquals(ns.getMetadata().getName(), daemonSet.getMetadata().getNamespace());
        assertEquals(ns.getMetadata().getName(), sa.getMetadata().getNamespace());
        assertEquals(Boolean.FALSE, sa.getAutomountServiceAccountToken());
        assertEquals(sa.getMetadata().getName(), pod.getServiceAccountName());
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
    }

    @Test
    void unprivilegedWithExactlyTheDocumentedCapabilitiesAndAReadOnlyRoot() throws IOException {
        SecurityContext sc = netmon.getSecurityContext();
        assertEquals(Boolean.FALSE, sc.getPrivileged());
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation());
        assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
        Set<String> added = new TreeSet<>(sc.getCapabilities().getAdd().stream().map(c -> "CAP_" + c).toList());
        assertEquals(added.size(), sc.getCapabilities().getAdd().size(), "no capability twice");
        assertEquals(documented("`(CAP_[A-Z_]+)`"), added, "SECURITY.md's DaemonSet capabilities");
        assertEquals(Set.of("CAP_BPF", "CAP_PERFMON"), added);
        assertFalse(Boolean.TRUE.equals(pod.getHostPID()), "hostPID: netmon reads pods' netns without it");
        assertFalse(Boolean.TRUE.equals(pod.getHostIPC()));
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
    }

    @Test
    void hostPathsAreReadOnlyAndExactlyTheDocumentedOnes() throws IOException {
        Map<String, VolumeMount> mounts = new java.util.HashMap<>();
        netmon.getVolumeMounts().forEach(m -> mounts.put(m.getName(), m));
        Set<String> hostPaths = new TreeSet<>();
        for (Volume v : pod.getVolumes()) {
            assertNotNull(v.getHostPath(), v.getName() + ": only host paths are mounted");
            hostPaths.add(v.getHostPath().getPath());
            VolumeMount m = mounts.get(v.getName());
            assertNotNull(m, v.getName() + " is mounted");
            assertEquals(Boolean.TRUE, m.getReadOnly(), v.getName() + " is mounted read-only");
            assertTrue(m.getMountPropagation() == null || m.getMountPropagation().equals("HostToContainer"),
                    v.getName() + ": nothing propagates from the container to the host");
        }
        assertEquals(pod.getVolumes().size(), netmon.getVolumeMounts().size());
        assertEquals(documented("^\\| `(/[^`]+)`"), hostPaths, "SECURITY.md's DaemonSet mounts");
        assertTrue(hostPaths.containsAll(List.of("/sys/kernel/btf", "/sys/kernel/tracing", "/sys/fs/cgroup")));
    }

    @Test
    void criSocketIsInsideTheMountedRuntimeDirectory() {
        List<String> args = netmon.getArgs();
        int i = args.indexOf("--cri-socket");
        assertTrue(i >= 0 && i + 1 < args.size(), "args: " + args);
        Path socket = Path.of(args.get(i + 1));
        assertTrue(netmon.getVolumeMounts().stream().anyMatch(m -> socket.getParent().equals(Path.of(m.getMountPath()))),
                socket + " is in a mounted directory");
    }

    @Test
    void nodeNameFromTheDownwardApi() {
        EnvVar node = netmon.getEnv().stream().filter(e -> e.getName().equals("NODE_NAME")).findFirst()
                .orElseThrow(() -> new AssertionError("NODE_NAME is set"));
        assertEquals("spec.nodeName", node.getValueFrom().getFieldRef().getFieldPath());
    }

    @Test
    void runsOnEveryNodeAsNodeCriticalWithBoundedResources() {
        assertEquals("system-node-critical", pod.getPriorityClassName());
        assertTrue(pod.getTolerations().stream().anyMatch(t -> "Exists".equals(t.getOperator()) && t.getKey() == null
                && t.getEffect() == null), "a toleration of every taint");
        Map<String, Quantity> requests = netmon.getResources().getRequests();
        Map<String, Quantity> limits = netmon.getResources().getLimits();
        for (String r : List.of("cpu", "memory")) {
            assertNotNull(requests.get(r), "request " + r);
            assertNotNull(limits.get(r), "limit " + r);
            assertTrue(Quantity.getAmountInBytes(requests.get(r)).compareTo(Quantity.getAmountInBytes(limits.get(r)))
                    <= 0, r + " request within its limit");
        }
        // The distribution's measured RSS is about 69 MiB under load and its heap is capped at 32 MiB: room for CRI.
        assertTrue(Quantity.getAmountInBytes(limits.get("memory")).longValue() >= 200L << 20, "memory limit");
        String image = netmon.getImage();
        assertTrue(image.matches(".+:[0-9][^:]*") && !image.endsWith(":latest"), "a pinned image tag: " + image);
    }

    @Test
    void fluentBitLiftsNetmonUnderItsOwnKey() throws IOException {
        ConfigMap cm = (ConfigMap) parse(K8S.resolve("fluent-bit-example.yaml"));
        String conf = cm.getData().get("fluent-bit.conf");
        assertNotNull(conf);
        Matcher key = Pattern.compile("(?m)^\\s*Merge_Log_Key\\s+(\\S+)\\s*$").matcher(conf);
        assertTrue(key.find(), conf);
        assertEquals("netmon", key.group(1), "not the kubernetes filter's own 'kubernetes' key");
        assertTrue(conf.contains("Parsers_File      parsers-netmon.conf"), conf);
        assertTrue(cm.getData().get("parsers-netmon.conf").contains("Time_Key          timestamp"));
    }

    /** The resource a file holds, as the model class of its apiVersion and kind; fails on any unknown field. */
    static Object parse(Path file) throws IOException {
        return strict(file.toString(), YAML.readTree(file.toFile()));
    }

    private static Object strict(String file, JsonNode tree) throws IOException {
        String kind = tree.path("apiVersion").asText() + "/" + tree.path("kind").asText();
        Class<?> type = KINDS.get(kind);
        if (type == null) {
            return fail(file + ": unexpected kind " + kind);
        }
        Object resource = YAML.treeToValue(tree, type);
        List<String> unknown = new ArrayList<>();
        unknownFields(resource, kind, unknown, new IdentityHashMap<>());
        assertEquals(List.of(), unknown, file + ": fields the Kubernetes API does not define");
        return resource;
    }

    /**
     * fabric8's model keeps what it does not know in additionalProperties instead of failing (FAIL_ON_UNKNOWN_PROPERTIES
     * does not reach it): walk the object and collect every such field with its path.
     */
    private static void unknownFields(Object o, String path, List<String> out, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, true) != null) {
            return;
        }
        if (o instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownFields(list.get(i), path + "[" + i + "]", out, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, out, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                Object value;
                try {
                    value = f.get(o);
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
                if (f.getName().equals("additionalProperties") && value instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(k -> out.add(path + "." + k));
                } else {
                    unknownFields(value, path + "." + f.getName(), out, seen);
                }
            }
        }
    }

    /** The first backquoted group of each table row in SECURITY.md's section on the DaemonSet. */
    private static Set<String> documented(String regex) throws IOException {
        String security = Files.readString(Path.of("SECURITY.md"));
        int start = security.indexOf("\n## The DaemonSet");
        assertTrue(start >= 0, "SECURITY.md has a section '## The DaemonSet'");
        int end = security.indexOf("\n## ", start + 1);
        String section = security.substring(start, end < 0 ? security.length() : end);
        Set<String> out = new TreeSet<>();
        Pattern p = Pattern.compile(regex);
        for (String line : section.split("\n")) {
            if (!line.startsWith("|")) {
                continue;
            }
            String firstCell = line.substring(0, line.indexOf('|', 1) + 1);
            Matcher m = p.matcher(firstCell);
            if (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }
}
