package dev.netmon.event;

/** Linux errno names for the results connect() returns; numbers are the x86_64 and arm64 ones. */
public final class Errno {
    private Errno() {}

    /** "ok" for 0, "in_progress" for EINPROGRESS, the errno name otherwise (or "E&lt;n&gt;" if unknown). */
    public static String connectResult(int result) {
        if (result == 0) {
            return "ok";
        }
        int errno = -result;
        return errno == 115 ? "in_progress" : name(errno);
    }

    public static String name(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 4 -> "EINTR";
            case 9 -> "EBADF";
            case 11 -> "EAGAIN";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 16 -> "EBUSY";
            case 22 -> "EINVAL";
            case 24 -> "EMFILE";
            case 88 -> "ENOTSOCK";
            case 91 -> "EPROTOTYPE";
            case 93 -> "EPROTONOSUPPORT";
            case 95 -> "EOPNOTSUPP";
            case 97 -> "EAFNOSUPPORT";
            case 98 -> "EADDRINUSE";
            case 99 -> "EADDRNOTAVAIL";
            case 100 -> "ENETDOWN";
            case 101 -> "ENETUNREACH";
            case 103 -> "ECONNABORTED";
            case 104 -> "ECONNRESET";
            case 105 -> "ENOBUFS";
            case 106 -> "EISCONN";
            case 110 -> "ETIMEDOUT";
            case 111 -> "ECONNREFUSED";
            case 112 -> "EHOSTDOWN";
            case 113 -> "EHOSTUNREACH";
            case 114 -> "EALREADY";
            case 115 -> "EINPROGRESS";
            default -> "E" + errno;
        };
    }
}
