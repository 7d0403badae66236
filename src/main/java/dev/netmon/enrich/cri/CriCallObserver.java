package dev.netmon.enrich.cri;

/**
 * Told of every CRI call as it completes, failed ones included: what the metrics need for latency and errors.
 * Called on gRPC's threads; it must be quick, and what it throws is ignored.
 */
@FunctionalInterface
public interface CriCallObserver {
    CriCallObserver NONE = (method, code, durationNs) -> {};

    /**
     * @param method the RPC's name in runtime.v1.RuntimeService, e.g. ListContainers
     * @param code the gRPC status code's name: OK, UNAVAILABLE, DEADLINE_EXCEEDED ...
     */
    void completed(String method, String code, long durationNs);
}
