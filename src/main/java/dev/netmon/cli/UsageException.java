package dev.netmon.cli;

/** A bad command line: the message is one line saying what is wrong. Exit status 2. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        // Arguments are quoted back to the user; a newline or escape in one must not break the single line.
        super(message.replaceAll("\\p{Cntrl}", "?"), null, false, false);
    }
}
