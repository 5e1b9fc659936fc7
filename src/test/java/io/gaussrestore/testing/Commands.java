package io.gaussrestore.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Outside programs a test runs: finding one on the PATH, and stopping one it started. */
public final class Commands {

    private Commands() {
    }

    /**
     * The program on the PATH, or the test is skipped: the message names the Debian package that brings it and what
     * was not checked, so that a skip is never silent.
     */
    public static String onPath(String program, String debianPackage, String notChecked) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return Path.of(dir, program).toString();
            }
        }
        Assumptions.abort(program + " is not installed: apt-get install " + debianPackage
                + " (.ci/run installs it); " + notChecked + " NOT checked");
        return null;
    }

    /** Asks the process to stop, and kills it when it has not stopped within {@code grace}. */
    public static void stop(Process process, int graceSeconds) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
