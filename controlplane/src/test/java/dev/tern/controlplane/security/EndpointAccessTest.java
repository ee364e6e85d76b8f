package dev.tern.controlplane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micronaut.core.annotation.AnnotationMetadata;
import io.micronaut.http.HttpMethod;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointAccessTest {

  @ParameterizedTest(name = "{0} without annotations needs {1}")
  @CsvSource({
      "GET,     viewer",
      "HEAD,    viewer",
      "OPTIONS, viewer",
      "POST,    admin",
      "PUT,     admin",
      "PATCH,   admin",
      "DELETE,  admin",
  })
  void an_endpoint_without_a_declared_role_fails_closed_unless_it_only_reads(HttpMethod method, String role) {
    assertEquals(role, EndpointAccess.of(method, AnnotationMetadata.EMPTY_METADATA).wireName());
  }
}
