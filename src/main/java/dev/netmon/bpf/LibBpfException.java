package dev.netmon.bpf;

import dev.netmon.event.Errno;

/** A libbpf call failed; names the call and the errno it reported. */
public final class LibBpfException extends Exception {
    private final String call;
    private final int errno;

    LibBpfException(String call, int errno, String description) {
        super(call + " failed: " + Errno.name(errno) + " (" + description + ")");
        this.call = call;
        this.errno = errno;
    }

    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
