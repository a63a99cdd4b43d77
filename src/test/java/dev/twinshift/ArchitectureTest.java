package dev.twinshift;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The layering of DESIGN.md, checked on the compiled classes. */
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

    @Test
    void coreDoesNotReachIntoTheApp() {
        noClasses().that().resideOutsideOfPackage("dev.twinshift.app..")
                .should().dependOnClassesThat().resideInAPackage("dev.twinshift.app..")
                .because("the app package is the composition root; nothing depends on it")
                .check(MAIN);
    }
}
