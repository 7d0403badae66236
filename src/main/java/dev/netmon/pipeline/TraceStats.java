package dev.netmon.pipeline;

/**
 * What a trace run saw, for the exit summary and for tests.
 *
 * @param events lines written for connection events
 * @param lost records the kernel could not buffer
 * @param decodeErrors records that did not decode (counted, never fatal)
 * @param sinkFailures records lost to an unexpected failure inside the buffer callback
 * @param dropped events not written because stdout was slower than they came (the output queue was full)
 */
public record TraceStats(long events, long lost, long decodeErrors, long sinkFailures, long dropped) {}
