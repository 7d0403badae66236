package dev.netmon.bpf;

/** libbpf.so.1 could not be found or lacks a symbol netmon needs. */
public final class LibBpfUnavailableException extends Exception {
    LibBpfUnavailableException(String message) {
        super(message);
    }
}
