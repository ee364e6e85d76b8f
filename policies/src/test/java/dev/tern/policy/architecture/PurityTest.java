package dev.tern.policy.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** The policies module is the pure domain: no framework, no cloud SDK, no clock, no I/O. */
class PurityTest {

  private static final JavaClasses POLICIES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.tern.policy");

  private static final ArchRule NO_FRAMEWORK_OR_CLOUD_SDK =
      noClasses()
          .that().resideInAPackage("dev.tern.policy..")
          .should().dependOnClassesThat().resideInAnyPackage(
              "io.micronaut..",
              "jakarta.inject..",
              "software.amazon..",
              "com.amazonaws..",
              "com.azure..",
              "com.microsoft.azure..",
              "com.google.api..",
              "com.google.cloud..",
              "io.kubernetes..",
              "io.fabric8..",
              "io.netty..",
              "org.jgroups..")
          .because("DESIGN.md: nothing in policies imports Micronaut or a cloud SDK");

  private static final ArchRule TIME_ARRIVES_AS_A_PARAMETER =
      noClasses()
          .that().resideInAPackage("dev.tern.policy..")
          .should().callMethod(java.time.Instant.class, "now")
          .orShould().callMethod(System.class, "currentTimeMillis")
          .orShould().callMethod(System.class, "nanoTime")
          .orShould().callMethod(java.time.Clock.class, "systemUTC")
          .because("the decision engine is deterministic: time arrives as a parameter, never read");

  private static final ArchRule NO_IO =
      noClasses()
          .that().resideInAPackage("dev.tern.policy..")
          .should().dependOnClassesThat().resideInAnyPackage("java.net.http..", "java.nio.channels..")
          .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.Socket")
          .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
          .because("policies does no I/O and draws no random numbers");

  @Test
  void policies_imports_no_framework_and_no_cloud_sdk() {
    NO_FRAMEWORK_OR_CLOUD_SDK.check(POLICIES);
  }

  @Test
  void policies_never_reads_the_clock() {
    TIME_ARRIVES_AS_A_PARAMETER.check(POLICIES);
  }

  @Test
  void policies_does_no_io() {
    NO_IO.check(POLICIES);
  }
}
