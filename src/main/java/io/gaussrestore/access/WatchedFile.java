package io.gaussrestore.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * A mounted file read again whenever it changes. A file that cannot be read or parsed leaves the last good
 * content in force and is reported ({@link #problem()}) until a good version replaces it.
 *
 * @param <T> what the file holds once parsed
 */
final class WatchedFile<T> {

    private static final Logger LOG = Logger.getLogger(WatchedFile.class);

    /** What parsing gives: the content, or why the file is refused. */
    record Parsed<T>(T content, String problem) {
        static <T> Parsed<T> good(T content) {
            return new Parsed<>(Objects.requireNonNull(content), null);
        }

        static <T> Parsed<T> bad(String problem) {
            return new Parsed<>(null, problem);
        }
    }

    private final String what;
    private final Path path;
    private final Function<String, Parsed<T>> parser;
    private volatile T current;
    private volatile String problem;
    private String seenText;

    WatchedFile(String what, Path path, T initial, Function<String, Parsed<T>> parser) {
        this.what = what;
        this.path = path;
        this.current = initial;
        this.parser = parser;
    }

    /** The content in force: the last good version of the file. */
    T current() {
        return current;
    }

    /** Why the file on disk is not in force, or null when it is. */
    String problem() {
        return problem;
    }

    Path path() {
        return path;
    }

    /**
     * Reads the file and, if its text changed since it was last read, parses it; answers true when a new version
     * took effect. The text is compared rather than the time stamp, so that a mount that swaps files (a Kubernetes
     * ConfigMap or Secret) is seen whatever times it keeps.
     */
    synchronized boolean refresh() {
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException | RuntimeException e) {
            return refuse("cannot be read (" + e.getClass().getSimpleName() + ")", null);
        }
        if (text.equals(seenText)) {
            return false;
        }
        Parsed<T> parsed = parser.apply(text);
        if (parsed.problem() != null) {
            return refuse(parsed.problem(), text);
        }
        seenText = text;
        current = parsed.content();
        if (problem != null) {
            LOG.infof("%s %s is valid again and in force", what, path);
        }
        problem = null;
        return true;
    }

    private boolean refuse(String why, String text) {
        boolean news = !why.equals(problem);
        seenText = text;
        problem = why;
        if (news) {
            LOG.errorf("%s %s %s; the last good version stays in force until it is fixed", what, path, why);
        }
        return false;
    }
}
