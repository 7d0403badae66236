package dev.netmon.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.GeneratedMessageV3;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodType;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the native-image metadata (reachability-metadata.json, schema v1.2.0) complete: every foreign call LibBpf
 * declares is registered with the right signature and errno capture, every name in it exists, and the resources
 * and CRI messages netmon needs are there. The image itself is built only in the Dockerfile's native stage.
 */
class NativeImageMetadataTest {
    static final String METADATA = "META-INF/native-image/dev.netmon/netmon/reachability-metadata.json";
    private static final Linker LINKER = Linker.nativeLinker();
    private static JsonNode root;

    /** A descriptor as native-image matches it: the layouts' carriers and sizes, and whether errno is captured. */
    record Signature(String returns, List<String> parameters, boolean capturesErrno) {
        static Signature of(FunctionDescriptor fd, boolean capturesErrno) {
            return new Signature(fd.returnLayout().map(Signature::shape).orElse("void"),
                    fd.argumentLayouts().stream().map(Signature::shape).toList(), capturesErrno);
        }

        /** From the JSON: canonical C or JNI type names, resolved the way native-image resolves them. */
        static Signature of(JsonNode call) {
            String ret = call.path("returnType").asText("void");
            List<String> params = new ArrayList<>();
            call.path("parameterTypes").forEach(t -> params.add(shape(canonical(t.asText()))));
            return new Signature(ret.equals("void") ? "void" : shape(canonical(ret)), params,
                    call.path("options").path("captureCallState").asBoolean(false));
        }

        private static MemoryLayout canonical(String name) {
            MemoryLayout l = LINKER.canonicalLayouts().get(name);
            assertNotNull(l, "'" + name + "' is not a canonical layout of this platform's linker");
            return l;
        }

        private static String shape(MemoryLayout l) {
            if (!(l instanceof ValueLayout v)) {
                return fail("LibBpf passes only scalars and pointers, not " + l);
            }
            return v.carrier().getSimpleName() + "/" + v.byteSize();
        }
    }

    @BeforeAll
    static void read() throws IOException {
        try (InputStream in = NativeImageMetadataTest.class.getClassLoader().getResourceAsStream(METADATA)) {
            assertNotNull(in, METADATA + " is not on the classpath");
            root = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void usesOnlyTheSchemasKeys() {
        keys("the file", root, "comment", "reflection", "jni", "serialization", "resources", "foreign");
        root.path("reflection").forEach(r -> {
            keys("a reflection entry", r, "reason", "condition", "type", "methods", "fields", "allDeclaredMethods",
                    "allDeclaredFields", "allDeclaredConstructors", "allPublicMethods", "allPublicFields",
                    "allPublicConstructors", "unsafeAllocated", "serializable", "jniAccessible");
            r.path("methods").forEach(m -> keys("a method", m, "name", "parameterTypes"));
        });
        root.path("resources").forEach(r -> keys("a resource", r, "reason", "condition", "module", "glob"));
        keys("foreign", root.path("foreign"), "downcalls", "upcalls", "directUpcalls");
        root.path("foreign").path("downcalls").forEach(d -> {
            keys("a downcall", d, "reason", "condition", "returnType", "parameterTypes", "options");
            keys("downcall options", d.path("options"), "captureCallState", "critical", "firstVariadicArg");
        });
        root.path("foreign").path("upcalls").forEach(
                u -> keys("an upcall", u, "reason", "condition", "returnType", "parameterTypes"));
    }

    @Test
    void everyDowncallOfLibBpfIsRegisteredWithItsErrnoCapture() {
        Set<Signature> registered = signatures("downcalls");
        Set<Signature> used = new HashSet<>();
        for (LibBpf.Downcall call : LibBpf.Downcall.values()) {
            Signature s = Signature.of(call.descriptor, call.setsErrno);
            used.add(s);
            assertTrue(registered.contains(s), call.symbol + " is not registered for downcalls: add " + s + " to "
                    + METADATA);
        }
        registered.removeAll(used);
        assertEquals(Set.of(), registered, "downcalls registered that LibBpf does not make");
    }

    @Test
    void everyUpcallOfLibBpfIsRegisteredAndItsHandlerMethodIsReachable() throws Exception {
        Set<Signature> registered = signatures("upcalls");
        Set<Signature> used = new HashSet<>();
        for (LibBpf.Upcall call : LibBpf.Upcall.values()) {
            Signature s = Signature.of(call.descriptor, false);
            used.add(s);
            assertTrue(registered.contains(s), call + " is not registered for upcalls: add " + s);
            // LibBpf finds the handler method with findVirtual: the image needs it registered for reflection.
            MethodType type = call.descriptor.toMethodType();
            assertTrue(registeredMethods(call.handlerType.getName()).contains(
                            call.method + Arrays.toString(type.parameterArray())),
                    call.handlerType.getName() + "." + call.method + type + " is not registered for reflection");
        }
        registered.removeAll(used);
        assertEquals(Set.of(), registered, "upcalls registered that LibBpf does not make");
    }

    @Test
    void everyRegisteredClassAndMethodExists() throws Exception {
        for (JsonNode r : root.path("reflection")) {
            String name = r.path("type").asText();
            Class<?> type = load(name);
            for (JsonNode m : r.path("methods")) {
                List<Class<?>> params = new ArrayList<>();
                for (JsonNode p : m.path("parameterTypes")) {
                    params.add(load(p.asText()));
                }
                Class<?>[] ps = params.toArray(Class<?>[]::new);
                try {
                    if (m.path("name").asText().equals("<init>")) {
                        type.getDeclaredConstructor(ps);
                    } else {
                        type.getDeclaredMethod(m.path("name").asText(), ps);
                    }
                } catch (NoSuchMethodException e) {
                    fail(name + " has no " + m.path("name").asText() + params);
                }
            }
        }
    }

    @Test
    void everyCriMessageAndBuilderIsRegistered() throws Exception {
        Set<String> expected = new TreeSet<>();
        Path dir = Path.of(dev.netmon.enrich.cri.v1.Container.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/netmon/enrich/cri/v1");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String file = f.getFileName().toString();
                if (!file.endsWith(".class")) {
                    continue;
                }
                String name = "dev.netmon.enrich.cri.v1." + file.substring(0, file.length() - ".class".length());
                Class<?> c = load(name);
                if (GeneratedMessageV3.class.isAssignableFrom(c) || GeneratedMessageV3.Builder.class.isAssignableFrom(c)) {
                    expected.add(name);
                }
            }
        }
        assertTrue(expected.size() > 20, "found the generated CRI messages: " + expected);
        Set<String> registered = new TreeSet<>();
        root.path("reflection").forEach(r -> {
            if (r.path("allPublicMethods").asBoolean()) {
                registered.add(r.path("type").asText());
            }
        });
        expected.removeAll(registered);
        assertEquals(Set.of(), expected, "CRI messages missing from " + METADATA + " (allPublicMethods)");
    }

    @Test
    void theBpfObjectAndEveryOwnResourceAreRegistered() throws IOException {
        List<String> globs = new ArrayList<>();
        root.path("resources").forEach(r -> globs.add(r.path("glob").asText()));
        assertTrue(globs.contains(BpfObject.RESOURCE.substring(1)), "the BPF object " + BpfObject.RESOURCE);
        Set<String> onClasspath = classpathResources();
        for (String glob : globs) {
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            assertTrue(onClasspath.stream().anyMatch(r -> m.matches(Path.of(r))), glob + " matches no resource");
        }
        // Files added to src/main/resources later (schemas, templates) must be registered too.
        Path own = Path.of("src/main/resources");
        if (Files.isDirectory(own)) {
            try (Stream<Path> files = Files.walk(own)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String name = own.relativize(f).toString();
                    if (name.startsWith("META-INF/native-image/")) {
                        continue;
                    }
                    assertTrue(globs.stream().anyMatch(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)
                            .matches(Path.of(name))), name + " is not registered as a resource in " + METADATA);
                }
            }
        }
    }

    private static Set<Signature> signatures(String section) {
        Set<Signature> out = new LinkedHashSet<>();
        root.path("foreign").path(section).forEach(c -> assertTrue(out.add(Signature.of(c)),
                "registered twice: " + c));
        return out;
    }

    private static Set<String> registeredMethods(String type) {
        Set<String> out = new HashSet<>();
        for (JsonNode r : root.path("reflection")) {
            if (r.path("type").asText().equals(type)) {
                for (JsonNode m : r.path("methods")) {
                    List<String> ps = new ArrayList<>();
                    m.path("parameterTypes").forEach(p -> ps.add(p.asText()));
                    out.add(m.path("name").asText() + ps.stream().map(NativeImageMetadataTest::classText).toList());
                }
            }
        }
        return out;
    }

    /** Class.toString of a parameter type, so that it compares with MethodType.parameterArray's. */
    private static String classText(String name) {
        try {
            return load(name).toString();
        } catch (ClassNotFoundException e) {
            return name;
        }
    }

    private static Class<?> load(String name) throws ClassNotFoundException {
        return switch (name) {
            case "int" -> int.class;
            case "long" -> long.class;
            case "boolean" -> boolean.class;
            case "byte" -> byte.class;
            case "short" -> short.class;
            case "char" -> char.class;
            case "float" -> float.class;
            case "double" -> double.class;
            default -> Class.forName(name, false, NativeImageMetadataTest.class.getClassLoader());
        };
    }

    private static void keys(String what, JsonNode node, String... allowed) {
        Set<String> ok = Set.of(allowed);
        node.fieldNames().forEachRemaining(k -> assertTrue(ok.contains(k), what + " has key '" + k
                + "', which reachability-metadata schema v1.2.0 does not define: " + node));
    }

    /** Every file name in the classpath's directories and jars. */
    private static Set<String> classpathResources() throws IOException {
        Set<String> out = new HashSet<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.walk(p)) {
                    files.filter(Files::isRegularFile).forEach(f -> out.add(p.relativize(f).toString()));
                }
            } else if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    jar.stream().forEach(e -> out.add(e.getName()));
                }
            }
        }
        return out;
    }

}
