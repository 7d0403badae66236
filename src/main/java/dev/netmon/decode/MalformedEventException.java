package dev.netmon.decode;

/** A record that does not decode as a netmon_event; the reader counts these and goes on. */
public final class MalformedEventException extends RuntimeException {
    public MalformedEventException(String message) {
        super(message, null, false, false);
    }
}
