package dev.netmon.enrich.cri;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Whatever a runtime puts in PodSandboxStatus's verbose info, reading the netns from it never throws. */
class SandboxInfoProperties {

    @Property(tries = 2000)
    void anyInfoGivesAnInodeOrNothingNeverAnException(@ForAll("infos") Map<String, String> info) {
        var inode = SandboxInfo.netnsInode(info, Path.of("/nonexistent-proc"));
        Statistics.collect(inode.isPresent() ? "inode" : "empty");
        assertTrue(inode.isEmpty() || inode.getAsLong() > 0);
    }

    /** Real shapes, broken shapes and noise: JSON fragments with pids, specs and paths in the wrong types. */
    @Provide
    Arbitrary<Map<String, String>> infos() {
        Arbitrary<String> fragments = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"pid\"", "\"runtimeSpec\"",
                "\"linux\"", "\"namespaces\"", "\"type\"", "\"network\"", "\"path\"", "\"/proc/1/ns/net\"",
                "\"/\\u0000\"", "\"\"", "-1", "0", "4294967296", "1e400", "null", "true", "\"net:[x]\"", " ");
        Arbitrary<String> jsonish = fragments.list().ofMaxSize(30).map(l -> String.join("", l));
        Arbitrary<String> realish = Arbitraries.of(
                "{\"pid\": 1}", "{\"pid\": \"1\"}", "{\"pid\": -5}", "{\"pid\": 99999999999}",
                "{\"runtimeSpec\": {\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": \"/etc/hostname\"}]}}}",
                "{\"runtimeSpec\": {\"linux\": {\"namespaces\": {\"type\": \"network\"}}}}",
                "{\"runtimeSpec\": {\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": 7}]}}}",
                "[1, 2, 3]", "\"just a string\"", "", "null");
        Arbitrary<String> values = Arbitraries.oneOf(jsonish, realish, Arbitraries.strings().ofMaxLength(40));
        return Arbitraries.maps(Arbitraries.of("info", "other", ""), values).ofMaxSize(3);
    }
}
