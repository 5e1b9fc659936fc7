package io.gaussrestore.config;

/** Channel names, shared by the code, the configuration and the tests. */
public final class Channels {

    /** Incoming request events; its dead-letter topic takes what cannot be read. */
    public static final String REQUESTS = "restore-requests";

    /** Request events published by {@code POST /restores} to the same request topic. */
    public static final String REQUESTS_OUT = "restore-requests-out";

    /** Outgoing result events. */
    public static final String RESULTS = "restore-results";

    private Channels() {}
}
