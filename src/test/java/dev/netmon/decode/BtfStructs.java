package dev.netmon.decode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Struct layouts read from BTF ({@code bpftool btf dump ... format raw}): the BTF that clang wrote into the compiled
 * BPF object, or the running kernel's ({@code /sys/kernel/btf/vmlinux}), i.e. what is really used, not what a header
 * claims.
 */
public final class BtfStructs {
    public record Member(String name, int offset, int size) {}

    public record Struct(String name, int size, List<Member> members) {
        public Member member(String name) {
            return members.stream().filter(m -> m.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no member " + name + " in struct " + name()));
        }
    }

    private static final Pattern TYPE = Pattern.compile("^\\[(\\d+)] (\\w+) '([^']*)'(.*)$");
    private static final Pattern MEMBER = Pattern.compile("^\\s+'(\\w+)' type_id=(\\d+) bits_offset=(\\d+).*$");
    private static final Pattern ATTR = Pattern.compile("(\\w+)=(\\d+)");

    private record Type(String kind, String name, Map<String, Long> attrs, List<String[]> members) {}

    private final Map<Integer, Type> types = new HashMap<>();

    public static BtfStructs dump(String object) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", object, "format", "raw")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("bpftool btf dump failed: " + out);
        }
        return new BtfStructs(out);
    }

    private BtfStructs(String raw) {
        Type current = null;
        for (String line : raw.split("\n")) {
            Matcher t = TYPE.matcher(line);
            if (t.matches()) {
                Map<String, Long> attrs = new LinkedHashMap<>();
                Matcher a = ATTR.matcher(t.group(4));
                while (a.find()) {
                    attrs.put(a.group(1), Long.parseLong(a.group(2)));
                }
                current = new Type(t.group(2), t.group(3), attrs, new ArrayList<>());
                types.put(Integer.parseInt(t.group(1)), current);
                continue;
            }
            Matcher m = MEMBER.matcher(line);
            if (m.matches() && current != null) {
                current.members().add(new String[] {m.group(1), m.group(2), m.group(3)});
            }
        }
    }

    public Struct struct(String name) {
        for (Type t : types.values()) {
            if (t.kind().equals("STRUCT") && t.name().equals(name)) {
                List<Member> members = new ArrayList<>();
                for (String[] m : t.members()) {
                    int bits = Integer.parseInt(m[2]);
                    members.add(new Member(m[0], bits / 8, sizeOf(Integer.parseInt(m[1]))));
                }
                return new Struct(name, t.attrs().get("size").intValue(), members);
            }
        }
        throw new IllegalArgumentException("no struct " + name + " in the object's BTF");
    }

    private int sizeOf(int id) {
        Type t = types.get(id);
        return switch (t.kind()) {
            case "INT", "STRUCT", "UNION", "ENUM" -> t.attrs().get("size").intValue();
            case "TYPEDEF", "CONST", "VOLATILE" -> sizeOf(t.attrs().get("type_id").intValue());
            case "ARRAY" -> (int) (t.attrs().get("nr_elems") * sizeOf(t.attrs().get("type_id").intValue()));
            default -> throw new IllegalArgumentException("unexpected member type " + t.kind());
        };
    }
}
