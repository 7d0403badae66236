package dev.netmon.enrich.cri;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * Times each call on the CRI channel, from its creation to its close, and reports it with its status. An
 * interceptor sees every RPC and every way one ends (an answer, an error from the runtime, netmon's own deadline,
 * a dropped connection) without a line in the code that makes the calls.
 */
final class CallTiming implements ClientInterceptor {
    private final CriCallObserver observer;

    CallTiming(CriCallObserver observer) {
        this.observer = observer;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        long startNs = System.nanoTime();
        String name = method.getBareMethodName();
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        report(name, status, System.nanoTime() - startNs);
                        super.onClose(status, trailers);
                    }
                }, headers);
            }
        };
    }

    private void report(String method, Status status, long durationNs) {
        try {
            observer.completed(method, status.getCode().name(), durationNs);
        } catch (RuntimeException e) {
            // a metric must never break the call it measures
        }
    }
}
