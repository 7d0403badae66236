package dev.netmon.enrich.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** container.runtime is one of four documented names or null, whatever a CRI runtime calls itself. */
class CriDirectoryTest {
    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
        "containerd, containerd",
        "io.containerd.runtime.v2, containerd",
        "cri-o, cri-o",
        "CRI-O, cri-o",
        "crio, cri-o",
        "docker, docker",
        "Docker Engine (cri-dockerd), docker",
        "podman, podman",
        "singularity-cri, null",
        "'', null",
        "null, null",
    })
    void runtimeNamesAreTheDocumentedOnes(String reported, String expected) {
        assertEquals(expected, CriDirectory.runtimeName(reported));
    }
}
