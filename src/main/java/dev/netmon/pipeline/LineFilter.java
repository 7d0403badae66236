package dev.netmon.pipeline;

import dev.netmon.event.Attributed;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.Flow;
import java.util.List;
import java.util.Set;

/**
 * The filters that need attribution or address arithmetic, applied in user space after enrichment. (Event types,
 * protocols, ports, pids and process names are filtered in the kernel, where a dropped event costs nothing.)
 * An event whose namespace or pod is unknown does not match --namespace or --pod, and is not excluded by
 * --exclude-namespace: filters never guess.
 *
 * @param pods pod names, "namespace/name" or a name ending in '*' as a prefix
 */
public record LineFilter(Set<String> namespaces, Set<String> excludeNamespaces, Set<String> pods, List<Cidr> cidrs,
        List<Cidr> excludeCidrs) {

    public static final LineFilter NONE = new LineFilter(Set.of(), Set.of(), Set.of(), List.of(), List.of());

    public LineFilter {
        namespaces = Set.copyOf(namespaces);
        excludeNamespaces = Set.copyOf(excludeNamespaces);
        pods = Set.copyOf(pods);
        cidrs = List.copyOf(cidrs);
        excludeCidrs = List.copyOf(excludeCidrs);
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    public boolean test(Attributed line) {
        ContainerInfo c = line.attribution().container();
        String ns = c == null ? null : c.podNamespace();
        if (!namespaces.isEmpty() && (ns == null || !namespaces.contains(ns))) {
            return false;
        }
        if (ns != null && excludeNamespaces.contains(ns)) {
            return false;
        }
        if (!pods.isEmpty() && (c == null || c.podName() == null || pods.stream().noneMatch(p -> podMatches(p, c)))) {
            return false;
        }
        Flow flow = line.event().flow();
        if (!cidrs.isEmpty() && !anyEnd(cidrs, flow)) {
            return false;
        }
        return excludeCidrs.isEmpty() || !anyEnd(excludeCidrs, flow);
    }

    private static boolean podMatches(String pattern, ContainerInfo c) {
        int slash = pattern.indexOf('/');
        if (slash >= 0) {
            return pattern.substring(0, slash).equals(c.podNamespace())
                    && nameMatches(pattern.substring(slash + 1), c.podName());
        }
        return nameMatches(pattern, c.podName());
    }

    private static boolean nameMatches(String pattern, String name) {
        return pattern.endsWith("*") ? name.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(name);
    }

    /** A connection is "to a CIDR" when either end lies in it: the filter is about who talks to whom. */
    private static boolean anyEnd(List<Cidr> blocks, Flow flow) {
        for (Cidr b : blocks) {
            if (b.contains(flow.src().address()) || b.contains(flow.dst().address())) {
                return true;
            }
        }
        return false;
    }
}
