package io.gaussrestore.auth;

import io.smallrye.mutiny.Uni;

/** Where the X-Auth-Token of a call comes from; null when calls are signed instead. */
public interface TokenSource {

    /** A token that is valid now. */
    Uni<String> token();

    /**
     * A new token after {@code rejected} was refused (401); one renewal however many callers ask. Fails with an
     * {@link AuthException} when no new token can be had.
     */
    Uni<String> renew(String rejected);
}
