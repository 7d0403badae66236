package dev.netmon.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The "result" field of CONNECT lines: a name people can search for, not a bare number. */
class ErrnoTest {

    @ParameterizedTest
    @CsvSource({
        "0, ok",
        "-115, in_progress", // a non-blocking connect that has not finished yet is no error
        "-111, ECONNREFUSED",
        "-110, ETIMEDOUT",
        "-101, ENETUNREACH",
        "-13, EACCES",
        "-4095, E4095", // unknown numbers still say they are errnos
        "-116, E116",
    })
    void namesConnectResults(int result, String expected) {
        assertEquals(expected, Errno.connectResult(result));
    }
}
