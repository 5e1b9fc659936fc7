package io.gaussrestore.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the build ships: the service (target/quarkus-app) holds no class of the GaussDB simulator, which is built
 * beside it into target/simulator/ and runs from there on its own.
 */
class ProductJarIT {

    @Test
    void theServiceHoldsNoSimulatorClass() throws IOException {
        List<String> jars = new ArrayList<>();
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("target", "quarkus-app"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jar")).toList()) {
                jars.add(file.getFileName().toString());
                try (JarFile jar = new JarFile(file.toFile())) {
                    jar.stream().map(entry -> entry.getName())
                            .filter(name -> name.startsWith("io/gaussrestore/simulator/") || name.contains("Simulator"))
                            .forEach(name -> found.add(file.getFileName() + "!" + name));
                }
            }
        }
        assertThat(jars).as("the service and its libraries").contains("quarkus-run.jar").hasSizeGreaterThan(50);
        assertThat(found).as("simulator classes in the service").isEmpty();
    }

    @Test
    void theSimulatorIsBuiltOnItsOwnWithTheLibrariesItNeeds() throws IOException {
        Path directory = Path.of("target", "simulator");
        List<String> names;
        try (Stream<Path> files = Files.list(directory)) {
            names = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
        }
        assertThat(names).anyMatch(n -> n.startsWith("jackson-databind-")).anyMatch(n -> n.endsWith("-simulator.jar"));
        Path simulator = directory.resolve(names.stream().filter(n -> n.endsWith("-simulator.jar")).findFirst().orElseThrow());
        try (JarFile jar = new JarFile(simulator.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.gaussrestore.simulator.SimulatorMain");
            assertThat(jar.getEntry("io/gaussrestore/auth/AkSkSigner.class")).as("the signer it verifies with").isNotNull();
            assertThat(jar.stream().filter(e -> e.getName().endsWith(".class"))
                    .filter(e -> !e.getName().startsWith("io/gaussrestore/simulator/")
                            && !e.getName().startsWith("io/gaussrestore/auth/AkSkSigner")))
                    .as("no other class of the service").isEmpty();
        }
    }
}
