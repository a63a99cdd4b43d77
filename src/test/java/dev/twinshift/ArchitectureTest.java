package dev.twinshift;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The layering of docs/architecture.md, checked on the compiled classes. */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.twinshift");

    @Test
    void coreNeverTouchesJavaFx() {
        noClasses().that().resideInAnyPackage("dev.twinshift.ssh..", "dev.twinshift.inventory..", "dev.twinshift.storage..",
                        "dev.twinshift.postgres..", "dev.twinshift.schedule..", "dev.twinshift.upgrade..",
                        "dev.twinshift.bisect..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.controlsfx..", "atlantafx..", "dev.twinshift.ui..")
                .because("core services are driven by tests, the CLI and the UI alike")
                .check(MAIN);
    }

    /**
     * Each package uses only the packages below it, so a layer can be tested, and reasoned about,
     * without the ones above: ssh at the bottom, then postgres, storage, and upgrade and schedule
     * side by side on storage; bisect probes snapshots with upgrade's checks; inventory (saved
     * servers) needs only ssh; ui shows them all; app, the composition root, wires everything and
     * nothing depends on it. A package outside these layers fails the rule until it is placed.
     */
    @Test
    void layersOnlyUseTheLayersBelowThem() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .ensureAllClassesAreContainedInArchitecture()
                .layer("App").definedBy("dev.twinshift.app..")
                .layer("UI").definedBy("dev.twinshift.ui..")
                .layer("Bisect").definedBy("dev.twinshift.bisect..")
                .layer("Schedule").definedBy("dev.twinshift.schedule..")
                .layer("Upgrade").definedBy("dev.twinshift.upgrade..")
                .layer("Storage").definedBy("dev.twinshift.storage..")
                .layer("Postgres").definedBy("dev.twinshift.postgres..")
                .layer("Inventory").definedBy("dev.twinshift.inventory..")
                .layer("SSH").definedBy("dev.twinshift.ssh..")

                .whereLayer("App").mayNotBeAccessedByAnyLayer()
                .whereLayer("UI").mayOnlyAccessLayers("Bisect", "Schedule", "Upgrade", "Storage", "Postgres", "Inventory", "SSH")
                .whereLayer("Bisect").mayOnlyAccessLayers("Upgrade", "Storage", "Postgres", "SSH")
                .whereLayer("Schedule").mayOnlyAccessLayers("Storage", "Postgres", "SSH")
                .whereLayer("Upgrade").mayOnlyAccessLayers("Storage", "Postgres", "SSH")
                .whereLayer("Storage").mayOnlyAccessLayers("Postgres", "SSH")
                .whereLayer("Postgres").mayOnlyAccessLayers("SSH")
                .whereLayer("Inventory").mayOnlyAccessLayers("SSH")
                .whereLayer("SSH").mayNotAccessAnyLayer()
                .check(MAIN);
    }
}
