package io.gaussrestore.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Restore policy files for tests, written the way an operator's mount changes: a whole new file at once. */
public final class Policies {

    /** The project every simulator-backed test uses: any instance. */
    public static final String OPEN_PROJECT = "97b026aa9cc4417888c14c84a1ad9860";
    /** Only instances starting "0a", at most 2 tables, 1 restore per instance per hour. */
    public static final String TIGHT_PROJECT = "7167c8b1ad0b4c4ea5e8a47da2f0c0a1";
    /** Only the HTTP caller requester-only, or callers with the role dba. */
    public static final String CALLERS_PROJECT = "c0ffee00c0ffee00c0ffee00c0ffee00";

    public static final String STANDARD = """
            # the test suite's restore policy
            projects:
              %s:
                instances: ["*"]
              %s:
                instances: ["0a*in07"]
                max_tables: 2
                max_restores_per_instance_per_hour: 1
              %s:
                instances: ["*"]
                callers: [requester-only]
                roles: [dba]
            """.formatted(OPEN_PROJECT, TIGHT_PROJECT, CALLERS_PROJECT);

    private Policies() {}

    /** Replaces the file in one move, so that a reload never sees half of it. */
    public static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Path next = Files.createTempFile(file.getParent(), "policy", ".tmp");
            Files.writeString(next, text);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
