package io.gaussrestore.auth;

/** Credentials could not be obtained or were refused; the message says what to fix and holds no secret. */
public class AuthException extends RuntimeException {

    public AuthException(String message) {
        super(message, null, false, false);
    }
}
