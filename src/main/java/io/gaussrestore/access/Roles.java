package io.gaussrestore.access;

/** The two roles of the HTTP API. */
public final class Roles {

    /** May start restores (POST /restores) and cancel queued ones. */
    public static final String REQUESTER = "restore-requester";
    /** May read requests and results (GET /restores...). */
    public static final String VIEWER = "restore-viewer";

    private Roles() {}
}
