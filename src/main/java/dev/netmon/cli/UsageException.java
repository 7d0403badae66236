package dev.netmon.cli;

/** A bad command line: the message is one line saying what is wrong. Exit status 2. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message, null, false, false);
    }
}
