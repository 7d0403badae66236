package dev.netmon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The capability check decides between "run as root" and a load that fails later with a bare EPERM. */
class HostCheckTest {
    private static final String STATUS = """
            Name:\tjava
            Umask:\t0022
            State:\tR (running)
            Uid:\t1000\t1000\t1000\t1000
            CapInh:\t0000000000000000
            CapPrm:\t000001ffffffffff
            CapEff:\t000000c000200000
            CapBnd:\t000001ffffffffff
            CapAmb:\t0000000000000000
            NoNewPrivs:\t0
            """;

    @Test
    void readsTheEffectiveSetNotTheOthers() {
        assertEquals(new BigInteger("c000200000", 16), HostCheck.effectiveCapabilities(STATUS));
    }

    @Test
    void statusWithoutCapEffIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> HostCheck.effectiveCapabilities("Name:\tjava\n"));
    }

    @Test
    void rootHasEverything() {
        assertEquals(Optional.empty(), HostCheck.missingCapabilities(new BigInteger("000001ffffffffff", 16)));
    }

    @Test
    void sysAdminAloneCoversBpfAndPerfmon() {
        assertEquals(Optional.empty(), HostCheck.missingCapabilities(caps(HostCheck.CAP_SYS_ADMIN)));
        assertEquals(Optional.empty(), HostCheck.missingCapabilities(new BigInteger("200000", 16)));
    }

    @Test
    void bpfWithPerfmonIsEnough() {
        assertEquals(Optional.empty(), HostCheck.missingCapabilities(caps(HostCheck.CAP_BPF, HostCheck.CAP_PERFMON)));
    }

    @Test
    void bpfAloneNamesPerfmon() {
        String message = HostCheck.missingCapabilities(caps(HostCheck.CAP_BPF)).orElseThrow();
        assertTrue(message.startsWith("missing capability CAP_PERFMON:"), message);
        assertTrue(message.contains("sudo"), "says what to do next: " + message);
    }

    @Test
    void noneNamesBoth() {
        String message = HostCheck.missingCapabilities(BigInteger.ZERO).orElseThrow();
        assertTrue(message.startsWith("missing capability CAP_BPF and CAP_PERFMON:"), message);
        assertFalse(message.contains("\n"), message);
    }

    @Test
    void bitNumbersAreTheKernels() {
        // include/uapi/linux/capability.h
        assertEquals(21, HostCheck.CAP_SYS_ADMIN);
        assertEquals(38, HostCheck.CAP_PERFMON);
        assertEquals(39, HostCheck.CAP_BPF);
    }

    private static BigInteger caps(int... bits) {
        BigInteger set = BigInteger.ZERO;
        for (int bit : bits) {
            set = set.setBit(bit);
        }
        return set;
    }
}
