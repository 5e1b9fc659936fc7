package io.gaussrestore.auth;

import io.smallrye.mutiny.Uni;

/** A token given by configuration: used as it is, never renewed. */
final class FixedTokenSource implements TokenSource {

    private final String token;
    private final String whenRefused;

    FixedTokenSource(String token, String whenRefused) {
        this.token = token;
        this.whenRefused = whenRefused;
    }

    @Override
    public Uni<String> token() {
        return Uni.createFrom().item(token);
    }

    @Override
    public Uni<String> renew(String rejected) {
        return Uni.createFrom().failure(new AuthException(whenRefused));
    }
}
